"""A small brat verifier for tests, written from brat's own rules (nlplab/brat at commit
44ecd825810167eed2a5d8ad875d832218e734e8: ``server/src/verify_annotations.py`` and the overlap
rules of ``server/src/projectconfig.py``; brat's configuration documentation).

What it checks, as brat's verifier does (error messages in brat's words):

* every ``T`` type is a declared entity or event type, every ``R`` type a declared relation,
  every ``E`` type a declared event type;
* an ``R`` line's ``Arg1``/``Arg2`` types are allowed by one definition of its type;
* an equivalence (``*``) is declared between every pair of the types it groups;
* two entity (not trigger) spans that share a character are allowed by the configuration:
  identical spans need ``equal``, a span properly inside another ``contain`` (inner as ``Arg1``),
  crossing spans ``cross`` (``<OVERLAP> ... <OVL-TYPE>:...`` in ``[relations]``, where ``<ANY>``
  allows all three; the old ``ENTITY-NESTING`` relation means ``contain``). brat forbids every
  overlap the configuration does not allow.

Macros (``<NAME>=A|B``), abstract types (``!``), hierarchy indentation, ``----`` separators and
the special types ``<ENTITY>``, ``<EVENT>`` and ``<ANY>`` in argument lists are understood.
Event argument counts and attributes are not checked (the project exports neither). Each
overlapping pair is reported once (brat reports it from both annotations).

Cross-checked by hand against brat's own ``verify_annotations.py`` (same commit, Python 3.11,
``open_textfile``'s ``'U'`` mode removed): it reports no error on our exports of the BioNLP-ST
2011 ID document and of a document with equal, nested and crossing spans and relations, and
reports the same pairs as this module on the same exports with the ``<OVERLAP>`` lines removed
(what the export wrote before).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

OVERLAP = "<OVERLAP>"
NESTING = "ENTITY-NESTING"


@dataclass
class RelationDef:
    name: str
    args: list[tuple[str, set[str]]]  # (role, types) in order, special arguments left out
    special: dict[str, set[str]] = field(default_factory=dict)


@dataclass
class Conf:
    entities: set[str] = field(default_factory=set)
    events: set[str] = field(default_factory=set)
    relations: list[RelationDef] = field(default_factory=list)

    def _expand(self, types: set[str]) -> set[str]:
        out = set(types)
        if "<ENTITY>" in out or "<ANY>" in out:
            out |= self.entities
        if "<EVENT>" in out or "<ANY>" in out:
            out |= self.events
        return out

    def relation_allows(self, name: str, t1: str, t2: str) -> bool:
        for r in self.relations:
            if r.name == name and len(r.args) == 2 and [role for role, _ in r.args] == ["Arg1", "Arg2"]:
                if t1 in self._expand(r.args[0][1]) and t2 in self._expand(r.args[1][1]):
                    return True
        return False

    def is_equiv(self, name: str, t1: str, t2: str) -> bool:
        return any(r.name == name and "symmetric-transitive" in r.special.get("<REL-TYPE>", set())
                   and t1 in self._expand(r.args[0][1]) and t2 in self._expand(r.args[1][1])
                   for r in self.relations if len(r.args) == 2)

    def overlap_types(self, inner: str, outer: str) -> set[str]:
        """brat's ``ProjectConfiguration.overlap_types``: ``<OVERLAP>`` rules take precedence
        over ``ENTITY-NESTING`` (which means ``contain``)."""
        ovl: set[str] = set()
        nesting = False
        for r in self.relations:
            if r.name not in (OVERLAP, NESTING) or len(r.args) != 2:
                continue
            if inner in self._expand(r.args[0][1]) and outer in self._expand(r.args[1][1]):
                if r.name == OVERLAP:
                    for v in r.special.get("<OVL-TYPE>", set()):
                        ovl |= set(v.split("|"))
                    ovl.add("")  # an <OVERLAP> rule was found
                else:
                    nesting = True
        if ovl:
            return ovl - {""}
        return {"contain"} if nesting else set()

    def can_contain(self, inner: str, outer: str) -> bool:
        if self.overlap_types(inner, outer) & {"contain", "<ANY>"}:
            return True
        return "<ANY>" in self.overlap_types(outer, inner)

    def can_equal(self, t1: str, t2: str) -> bool:
        return bool((self.overlap_types(t1, t2) | self.overlap_types(t2, t1)) & {"equal", "<ANY>"})

    def can_cross(self, t1: str, t2: str) -> bool:
        return bool((self.overlap_types(t1, t2) | self.overlap_types(t2, t1)) & {"cross", "<ANY>"})


def read_conf(path: Path) -> Conf:
    conf = Conf()
    macros: dict[str, str] = {}
    section = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or re.fullmatch(r"-{4,}", line):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip().lower()
            continue
        m = re.fullmatch(r"(<[^>]+>)\s*=\s*(.*)", line)
        if m:
            macros[m.group(1)] = m.group(2).strip()
            continue
        for name, value in macros.items():
            line = line.replace(name, value)
        name, _, rest = line.partition("\t") if "\t" in line else line.partition(" ")
        name, rest = name.strip(), rest.strip()
        abstract = name.startswith("!")
        name = name.lstrip("!")
        if section == "entities" and not abstract:
            conf.entities.add(name)
        elif section == "events" and not abstract:
            conf.events.add(name)
        elif section == "relations":
            rd = RelationDef(name, [])
            for arg in filter(None, (a.strip() for a in rest.split(","))):
                role, _, types = arg.partition(":")
                if role.startswith("<") and role.endswith(">"):
                    rd.special.setdefault(role, set()).add(types)
                else:
                    rd.args.append((role, set(types.split("|"))))
            conf.relations.append(rd)
    return conf


@dataclass(frozen=True)
class TextBound:
    id: str
    type: str
    spans: tuple[tuple[int, int], ...]

    @property
    def first_start(self) -> int:
        return self.spans[0][0]

    @property
    def last_end(self) -> int:
        return self.spans[-1][1]

    def contains(self, other: TextBound) -> bool:
        return self.first_start <= other.first_start and self.last_end >= other.last_end


def verify(conf: Conf, ann: str) -> list[str]:
    """brat's errors for one ``.ann`` text under ``conf`` (empty when brat reports none)."""
    issues: list[str] = []
    tbs: dict[str, TextBound] = {}
    rels: list[tuple[str, str, str, str]] = []
    for line in ann.splitlines():
        if not line.strip():
            continue
        fields = line.split("\t")
        head = fields[1].split() if len(fields) > 1 else []
        if line[0] == "T":
            spans = tuple(tuple(int(x) for x in f.split()) for f in " ".join(head[1:]).split(";"))
            tbs[fields[0]] = TextBound(fields[0], head[0], spans)  # type: ignore[arg-type]
            if head[0] not in conf.entities | conf.events:
                issues.append(f"{fields[0]}: {head[0]} is not a known textbound type")
        elif line[0] == "R":
            a1, a2 = (x.partition(":")[2] for x in head[1:3])
            rels.append((fields[0], head[0], a1, a2))
        elif line[0] == "E":
            etype = head[0].partition(":")[0]
            if etype not in conf.events:
                issues.append(f"{fields[0]}: {etype} is not a known event type")
        elif line[0] == "*":
            types = {tbs[t].type for t in head[1:] if t in tbs}
            for t1 in types:
                for t2 in types:
                    if not conf.is_equiv(head[0], t1, t2):
                        issues.append(f"Equivalence relation {head[0]} not allowed between {t1} and {t2}")
    for rid, rtype, a1, a2 in rels:
        if not any(r.name == rtype for r in conf.relations):
            issues.append(f"{rid}: {rtype} is not a known relation type")
        elif not conf.relation_allows(rtype, tbs[a1].type, tbs[a2].type):
            issues.append(f"{rid}: {rtype} relation Arg1:{tbs[a1].type} Arg2:{tbs[a2].type} not allowed")
    physical = [t for t in tbs.values() if t.type in conf.entities]
    for x, y in combinations(physical, 2):
        if not (y.first_start < x.last_end and y.last_end > x.first_start):
            continue
        if x.spans == y.spans or (x.first_start, x.last_end) == (y.first_start, y.last_end):
            if not conf.can_equal(x.type, y.type):
                issues.append(f"{x.id}: {x.type} cannot have identical span with {y.type} {y.id}")
        elif y.contains(x) or x.contains(y):
            inner, outer = (x, y) if y.contains(x) else (y, x)
            if not conf.can_contain(inner.type, outer.type):
                issues.append(f"{inner.id}: {inner.type} cannot be contained in {outer.type} ({outer.id})")
        elif not conf.can_cross(x.type, y.type):
            issues.append(f"{x.id}: annotation cannot have crossing span with {y.id}")
    return issues


def verify_folder(folder: Path) -> dict[str, list[str]]:
    """Every ``.ann`` of ``folder`` checked against the folder's ``annotation.conf``: the
    documents brat would report errors for, with the errors."""
    conf = read_conf(folder / "annotation.conf")
    out = {}
    for ann in sorted(folder.glob("*.ann")):
        issues = verify(conf, ann.read_text(encoding="utf-8"))
        if issues:
            out[ann.name] = issues
    return out
