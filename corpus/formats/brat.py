"""brat standoff: a ``.txt`` file and its ``.ann`` file per document, plus ``annotation.conf``.

``.ann`` lines read: ``T`` (text-bound annotation ``T1<TAB>Type start end<TAB>text``, offsets
in Unicode code points of the ``.txt`` exactly as stored, end exclusive), ``R`` (binary
relation ``R1<TAB>Type Arg1:T1 Arg2:T2``, possibly followed by a tab), ``A``/``M`` (attributes
of a ``T``: the span's attributes) and ``N`` (normalisations of a ``T``: the span's kb id,
``DB:ID``; see :func:`span_info_from_lines`). ``*`` (equivalence), ``E`` (events) and ``#``
(notes) are skipped and counted in the warnings. A discontinuous ``T`` line (``0 5;10 15``) is one annotation over
several stretches; ``discontinuous`` says what it becomes: ``refuse`` (default: an error naming
the file and line), ``skip`` (left out, with the relations to it, and counted in a warning),
``cover`` (one span from its first start to its last end) or ``fragments`` (one span per
fragment with the label, the first linked to each next by a ``fragment`` relation). A ``T`` whose text differs from the ``.txt`` at its
offsets gets a warning (the offsets are kept).

Event triggers are not entities: a ``T`` line that is the trigger of an ``E`` line
(``E1<TAB>Binding:T3 Theme:T1``), or whose type the corpus's ``annotation.conf`` declares in its
``[events]`` section (found as brat finds it: in the document's folder or the nearest folder
above it), is left out, with the ``R`` lines that point to it, and counted in a warning naming
the event types. Importing them as spans would put words like "activated" or "expression" among
the entity labels and into every NER training set exported from the layer; events themselves
(``E`` lines) are not part of the project's data model.

The ``.txt`` is read without newline translation, so offsets stay those brat wrote. brat reads a
``.txt`` as plain UTF-8, so a leading byte-order mark is a character to it: the document's text
drops the mark (as every importer does) and the offsets are moved back by one to match.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from functools import lru_cache
from pathlib import Path

from corpus.errors import InputError
from corpus.formats.records import (
    MAX_OFFSET_DIGITS,
    ImportRecord,
    RawSpan,
    SpanInfo,
    iter_text_lines,
    read_text_file,
)
from corpus.model import normalise_attributes
from corpus.formats.registry import Format, register
from corpus.formats.txt import TEXT_SUFFIXES

__all__ = ["DISCONTINUOUS", "FRAGMENT_RELATION", "read_brat", "ann_path_for", "read_annotation_conf", "sniff_brat",
           "find_annotation_conf", "read_event_types", "CONF_NAME", "SKIPPED_KINDS", "INFO_KINDS",
           "span_info_from_lines"]

#: The file declaring a brat corpus's entity and relation types (its labels join the schema).
CONF_NAME = "annotation.conf"

#: ``.ann`` line kinds that are read but not imported (first character of the id).
SKIPPED_KINDS = {"*": "equivalence", "E": "event", "#": "note"}
#: ``.ann`` line kinds that say more about a ``T``: attributes (``A``, legacy ``M``) and
#: normalisations (``N``), read by :func:`span_info_from_lines`.
INFO_KINDS = ("A", "M", "N")

#: What a discontinuous ``T`` line (``0 5;10 15``) can become (``--brat-discontinuous``).
DISCONTINUOUS = ("refuse", "skip", "cover", "fragments")
#: Label of the relations linking the fragments of a discontinuous span (first -> each next).
FRAGMENT_RELATION = "fragment"

_E_TRIGGER = re.compile(r"^E\w*\t[^\s:]+:(\S+)")
#: brat's special relation types (overlap rules), never labels.
_SPECIAL_RELATIONS = ("ENTITY-NESTING",)
_T_RE = re.compile(r"^(T\d+)\t(\S+) ([^\t]+)(?:\t(.*))?$")
_R_ARG = re.compile(r"^(\w+):(\S+)$")


def ann_path_for(txt: str | Path) -> Path:
    """The ``.ann`` file that goes with a brat ``.txt``."""
    return Path(txt).with_suffix(".ann")


def _resolve_pair(path: Path) -> tuple[Path, Path]:
    if path.suffix == ".ann":
        return path.with_suffix(".txt"), path
    return path, ann_path_for(path)


def _starts_with_bom(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(3) == b"\xef\xbb\xbf"


def read_brat(
    path: str | Path, name: str | None = None, *, encoding: str = "utf-8", discontinuous: str = "refuse"
) -> Iterator[ImportRecord]:
    """Yield the document of one brat pair (``path`` may name the ``.txt`` or the ``.ann``);
    ``discontinuous`` is one of :data:`DISCONTINUOUS` (see the module docstring)."""
    if discontinuous not in DISCONTINUOUS:
        raise InputError(None, f"unknown way to read discontinuous spans {discontinuous!r} "
                               f"(choose {', '.join(DISCONTINUOUS)})")
    dropped: set[str] = set()
    noted: dict[str, int] = {}
    txt, ann = _resolve_pair(Path(path))
    if not txt.exists():
        raise InputError(str(ann), f"no text file {txt.name} next to it")
    event_types = set(read_event_types(conf)) if (conf := find_annotation_conf(ann)) else set()
    text = read_text_file(txt, encoding=encoding)
    bom = _starts_with_bom(txt)  # brat counted it; ``text`` does not hold it
    a = str(ann)
    spans: list[tuple[int, int, str]] = []
    rels: list[tuple[int, int, str]] = []
    ids: dict[str, int] = {}
    pending: list[tuple[int, str, str, str]] = []  # line, label, arg1, arg2
    skipped: dict[str, int] = {}
    trigger_types: dict[str, int] = {}  # event type -> triggers left out
    left_out: set[str] = set()  # ids of the triggers left out
    triggers: set[str] = set()
    mismatched = 0
    info_lines: list[tuple[int, str]] = []  # A/M/N lines, read once every T is known
    if ann.exists():
        try:
            lines = list(iter_text_lines(ann, encoding))
        except InputError as exc:
            if exc.reason != "empty file":
                raise
            lines = []  # an empty .ann is a document nobody annotated yet
        triggers = {m.group(1) for _, line in lines if (m := _E_TRIGGER.match(line))}
        for lineno, line in lines:
            if not line.strip():
                continue
            kind = line[0]
            if kind == "T":
                m = _T_RE.match(line)
                if not m:
                    raise InputError(a, f"cannot read text-bound annotation {line[:40]!r}", lineno)
                tid, label, offs, covered = m.groups()
                frags = _fragments(tid, offs, text, bom, a, lineno, txt.name)
                if tid in ids or tid in dropped or tid in left_out:
                    raise InputError(a, f"{tid} is defined twice", lineno)
                if tid in triggers or label in event_types:
                    left_out.add(tid)
                    trigger_types[label] = trigger_types.get(label, 0) + 1
                    continue
                if len(frags) > 1:
                    frags = _discontinuous(tid, offs, frags, discontinuous, a, lineno)
                    noted[discontinuous] = noted.get(discontinuous, 0) + 1
                    if not frags:
                        dropped.add(tid)
                        continue
                elif covered is not None and covered != text[frags[0][0]:frags[0][1]]:
                    mismatched += 1
                ids[tid] = len(spans)
                if discontinuous == "fragments":
                    rels.extend((len(spans), len(spans) + k, FRAGMENT_RELATION) for k in range(1, len(frags)))
                spans.extend((fs, fe, label) for fs, fe in frags)
            elif kind == "R":
                pending.append((lineno, *_relation(line, a, lineno)))
            elif kind in INFO_KINDS:
                info_lines.append((lineno, line))
            elif kind in SKIPPED_KINDS:
                what = SKIPPED_KINDS[kind]
                skipped[what] = skipped.get(what, 0) + 1
            else:
                raise InputError(a, f"unknown annotation line {line[:40]!r}", lineno)
    lost = lost_to_triggers = 0
    for lineno, label, h, c in pending:
        if h in left_out or c in left_out:
            lost_to_triggers += 1
            continue
        if h in dropped or c in dropped:
            lost += 1
            continue
        for arg in (h, c):
            if arg not in ids:
                raise InputError(a, f"relation {label!r} points to {arg}, which is not a T annotation", lineno)
        rels.append((ids[h], ids[c], label))
    warnings = _discontinuous_notes(a, noted, lost)
    span_info, info_warnings = span_info_from_lines(info_lines, {t: spans[i] for t, i in ids.items()}, a, dropped)
    warnings.extend(info_warnings)
    if skipped:
        what = ", ".join(f"{n} {k} line{'s' if n > 1 else ''}" for k, n in sorted(skipped.items()))
        warnings.append(f"{a}: skipped {what} (not imported)")
    if trigger_types:
        warnings.append(_trigger_note(a, trigger_types, lost_to_triggers))
    if mismatched:
        warnings.append(f"{a}: {mismatched} T line(s) whose text differs from {txt.name} at their offsets")
    yield ImportRecord(
        text=text, source=a if ann.exists() else str(txt), line=None, name=name or txt.stem,
        spans=tuple(spans), relations=tuple(rels), annotated=ann.exists(), warnings=tuple(warnings),
        span_info=span_info,
    )


def span_info_from_lines(
    lines: Sequence[tuple[int, str]], targets: Mapping[str, RawSpan], a: str,
    left_out: Collection[str] = (),
) -> tuple[dict[RawSpan, SpanInfo], list[str]]:
    """Attributes and kb ids from ``A``/``M``/``N`` lines, for the ``T`` annotations in ``targets``
    (id -> span); ``left_out`` are ``T`` ids not imported (skipped discontinuous spans).

    ``A1<TAB>Negated T3`` is a flag (``True``), ``A2<TAB>Confidence T3 Low`` a value;
    ``N1<TAB>Reference T3 Wikipedia:534366<TAB>text`` gives ``T3`` the kb id ``Wikipedia:534366``
    (a second ``N`` on one ``T`` keeps the first, with a warning). A line about an event or a
    relation is counted in a warning (spans only carry them); one naming an unknown id or
    without its parts is an error naming the file and line.
    """
    attrs: dict[str, dict[str, str | bool]] = {}
    kb: dict[str, str] = {}
    other = extra_norm = 0
    for lineno, line in lines:
        fields = line.rstrip("\t").split("\t")
        parts = fields[1].split() if len(fields) > 1 else []
        kind = line[0]
        if (kind == "N" and len(parts) != 3) or (kind != "N" and len(parts) not in (2, 3)):
            raise InputError(a, f"cannot read {'normalisation' if kind == 'N' else 'attribute'} {line[:40]!r}", lineno)
        target = parts[1]
        if target not in targets:
            if target[:1] in ("E", "R") or target in left_out:
                other += 1
                continue
            raise InputError(a, f"{fields[0]} is about {target}, which is not an annotation of this file", lineno)
        if kind == "N":
            if ":" not in parts[2]:
                raise InputError(a, f"{fields[0]}: the reference {parts[2]!r} is not DB:ID", lineno)
            if target in kb:
                extra_norm += 1
            else:
                kb[target] = parts[2]
        else:
            attrs.setdefault(target, {})[parts[0]] = parts[2] if len(parts) == 3 else True
    out: dict[RawSpan, SpanInfo] = {}
    for tid in sorted(set(attrs) | set(kb), key=lambda t: (len(t), t)):
        out[targets[tid]] = (kb.get(tid, ""), normalise_attributes(attrs.get(tid)))
    warnings = []
    if other:
        warnings.append(f"{a}: {other} attribute/normalisation line(s) about events, relations or "
                        "left-out spans not imported (only spans carry them)")
    if extra_norm:
        warnings.append(f"{a}: {extra_norm} further N line(s) on an already normalised T not imported "
                        "(a span keeps one kb id)")
    return out, warnings


def _fragments(
    tid: str, offs: str, text: str, bom: bool, a: str, lineno: int, txt_name: str
) -> list[tuple[int, int]]:
    """The ``(start, end)`` fragments of a ``T`` line's offsets, checked against the text."""
    out: list[tuple[int, int]] = []
    for frag in offs.split(";"):
        parts = frag.split()
        if len(parts) != 2 or not all(x.isascii() and x.isdigit() and len(x) <= MAX_OFFSET_DIGITS for x in parts):
            raise InputError(a, f"{tid} has bad offsets {offs[:40]!r}", lineno)
        s, e = int(parts[0]), int(parts[1])
        if bom and e > s:
            s, e = max(s - 1, 0), e - 1
            if e == 0:
                raise InputError(a, f"{tid} covers only the byte-order mark of {txt_name}", lineno)
        if e <= s:
            raise InputError(a, f"{tid} span {s}-{e}: end is not after start", lineno)
        if e > len(text):
            raise InputError(a, f"{tid} span {s}-{e} is outside the text of {txt_name} (length {len(text)})", lineno)
        out.append((s, e))
    return out


def _discontinuous(
    tid: str, offs: str, frags: list[tuple[int, int]], mode: str, a: str, lineno: int
) -> list[tuple[int, int]]:
    """What a discontinuous span becomes: an error, nothing, its covering span, or its fragments."""
    if mode == "refuse":
        raise InputError(
            a, f"{tid} is a discontinuous span ({offs}); import with --brat-discontinuous skip, cover or "
            "fragments, or split it into separate spans in brat first", lineno,
        )
    if mode == "skip":
        return []
    if mode == "cover":
        return [(min(s for s, _ in frags), max(e for _, e in frags))]
    return sorted(frags)


def _relation(line: str, a: str, lineno: int) -> tuple[str, str, str]:
    """(label, Arg1 id, Arg2 id) of an ``R`` line (which may end with a tab)."""
    fields = line.rstrip("\t").split("\t")
    parts = fields[1].split() if len(fields) > 1 else []
    if len(parts) != 3:
        raise InputError(a, f"cannot read relation {line[:40]!r}", lineno)
    args = [_R_ARG.match(x) for x in parts[1:]]
    if not all(args):
        raise InputError(a, f"cannot read relation arguments {' '.join(parts[1:])!r}", lineno)
    return parts[0], args[0].group(2), args[1].group(2)  # type: ignore[union-attr]


def _trigger_note(a: str, trigger_types: dict[str, int], lost: int) -> str:
    n = sum(trigger_types.values())
    types = ", ".join(sorted(trigger_types))
    rels = f", and {lost} relation(s) to them," if lost else ""
    return (f"{a}: {n} event trigger(s) ({types}){rels} not imported: triggers are not entities "
            "(brat [events]); events are not part of the project's data")


def _discontinuous_notes(a: str, noted: dict[str, int], lost: int) -> list[str]:
    what = {"skip": "left out", "cover": "imported as the span covering their fragments",
            "fragments": f"imported as one span per fragment, linked by {FRAGMENT_RELATION!r} relations"}
    out = [f"{a}: {n} discontinuous span(s) {what[mode]}" for mode, n in sorted(noted.items())]
    if lost:
        out.append(f"{a}: {lost} relation(s) to left-out discontinuous spans not imported")
    return out


def find_annotation_conf(ann: str | Path) -> Path | None:
    """The ``annotation.conf`` brat uses for a document: in its folder or the nearest folder
    above it (``None`` when there is none)."""
    for folder in Path(ann).resolve().parents:
        conf = folder / CONF_NAME
        if conf.is_file():
            return conf
    return None


def read_event_types(path: str | Path) -> list[str]:
    """Event type names declared in the ``[events]`` section of a brat ``annotation.conf``
    (abstract ``!`` types, ``<...>`` macros and ``----`` separators left out)."""
    return _conf_sections(path).get("events", [])[:]


def _conf_sections(path: str | Path) -> dict[str, list[str]]:
    """The type names of each section of an ``annotation.conf`` (read once per file version;
    an unreadable file is the reader's one-line InputError)."""
    p = Path(path)
    try:
        mtime = p.stat().st_mtime_ns
    except OSError:
        mtime = -1  # not cached: iter_text_lines says what is wrong with it
        return _read_conf_cached.__wrapped__(str(p), mtime)
    return _read_conf_cached(str(p.resolve()), mtime)


@lru_cache(maxsize=16)
def _read_conf_cached(path: str, mtime_ns: int) -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    section = ""
    for _, line in iter_text_lines(path):
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        if s.startswith("[") and s.endswith("]"):
            section = s[1:-1].strip().lower()
            continue
        name = s.split()[0]
        if name.startswith(("!", "<", "-")) or "=" in name or name in _SPECIAL_RELATIONS:
            continue
        if name not in names.setdefault(section, []):
            names[section].append(name)
    return names


def read_annotation_conf(path: str | Path) -> tuple[list[str], list[str]]:
    """Entity and relation type names declared in a brat ``annotation.conf``.

    Lines starting with ``!`` (abstract types) and ``<...>`` macros are skipped; indentation
    (type hierarchy) is ignored.
    """
    names = _conf_sections(path)
    return names.get("entities", [])[:], names.get("relations", [])[:]


def sniff_brat(path: Path, lines: Sequence[str]) -> float:
    """Certain for an ``.ann`` file, and for a text file with an ``.ann`` next to it."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".ann" or (suffix in TEXT_SUFFIXES and ann_path_for(p).exists()):
        return 1.0
    return 0.0


register(Format(
    name="brat",
    description="brat standoff",
    suffixes=(".ann",),
    folder_suffixes=(".txt",),
    sniff=sniff_brat,
    reader=read_brat,
    suffix_decides=True,
))
