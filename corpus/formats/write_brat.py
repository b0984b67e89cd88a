"""brat standoff: ``NAME.txt`` + ``NAME.ann`` per document and one ``annotation.conf``.

* ``.txt`` holds the document text exactly (offsets are Unicode code points, end exclusive,
  as brat counts them).
* ``.ann``: ``T<n><TAB>LABEL START END<TAB>covered text`` per span and
  ``R<n><TAB>LABEL Arg1:T<h> Arg2:T<c>`` per relation, then ``A`` lines for span attributes and
  ``N<n><TAB>Reference T<k> DB:ID<TAB>text`` for kb ids (:func:`brat_info_lines`). brat types cannot hold whitespace, so
  whitespace inside a label becomes ``_``. A span that crosses a line break keeps its continuous
  offsets; only its text field (a copy for readers' convenience) has the line breaks and tabs
  replaced by spaces so the ``.ann`` stays one annotation per line.
* ``annotation.conf`` declares the entity labels and, for each relation type, the
  ``Arg1``/``Arg2`` entity types seen with it. brat forbids overlapping entity spans unless the
  configuration allows them (its verifier reports "cannot be contained in", "cannot have
  identical span", "cannot have crossing span"), so every overlap written is declared by one
  ``<OVERLAP><TAB>Arg1:INNER, Arg2:OUTER, <OVL-TYPE>:contain|equal|cross`` rule per pair of
  types, naming only the kinds of overlap exported (see :func:`overlap_kinds`).
* File names come from document names through :func:`safe_stem`: no path separator, no ``..``,
  no hidden or reserved (Windows ``CON``, ``NUL``...) names, unique even on case-insensitive
  file systems.

Pure functions: no file or database access here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, MutableSet, Sequence
from dataclasses import dataclass

from corpus.model import Relation, Span

__all__ = ["BratDocument", "brat_type", "safe_stem", "brat_ann", "annotation_conf", "overlap_kinds",
           "OverlapKind", "brat_info_lines", "brat_kb_ref", "attribute_conf_lines", "KB_PREFIX"]

#: (inner type, outer type, kind): kind is brat's ``contain`` (inner properly inside outer),
#: ``equal`` (identical spans) or ``cross`` (overlapping, neither inside the other).
OverlapKind = tuple[str, str, str]

_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
_UNSAFE = re.compile(r"[^\w\-.]+", re.UNICODE)
_WS = re.compile(r"\s")
MAX_STEM = 80
#: The database name given to a kb id without one (``Q42`` is written ``kb:Q42``): brat's ``N``
#: lines reference ``DB:ID``.
KB_PREFIX = "kb"


@dataclass(frozen=True)
class BratDocument:
    """The ``.ann`` text of one document and what had to be adapted to write it."""

    ann: str
    entities: int
    relations: int
    multiline_spans: int = 0
    #: the kinds of overlap between the written spans (brat types), for ``annotation.conf``
    overlaps: frozenset[OverlapKind] = frozenset()
    #: kb ids written with :data:`KB_PREFIX` (brat's ``N`` lines need ``DB:ID``)
    kb_ids_prefixed: int = 0


def brat_type(label: str) -> str:
    """A label usable as a brat type (whitespace becomes ``_``; empty becomes ``_``)."""
    return _WS.sub("_", label) or "_"


def safe_stem(name: str, used: MutableSet[str], fallback: str = "document") -> str:
    """A file-name stem made from ``name`` that is safe everywhere and not yet in ``used``.

    Letters and digits of any script, ``-``, ``_`` and ``.`` are kept (NFC), every other run of
    characters becomes ``-``; leading dots and dashes are removed (no hidden files, no ``..``);
    Windows device names get a ``_`` suffix; an empty result becomes ``fallback``. Uniqueness is
    checked case-insensitively (``-2``, ``-3``... suffixes) and the chosen stem is added to
    ``used`` (in its case-folded form).
    """
    s = unicodedata.normalize("NFC", name)
    s = _UNSAFE.sub("-", s)
    s = re.sub(r"\.{2,}", ".", s)
    s = s.strip(".-_ ")
    s = s[:MAX_STEM].rstrip(".-_ ")
    if not s:
        s = _UNSAFE.sub("-", fallback).strip(".-") or "document"
    head, dot, rest = s.partition(".")
    if head.casefold() in _RESERVED:
        s = f"{head}_{dot}{rest}"
    stem, n = s, 1
    while stem.casefold() in used:
        n += 1
        stem = f"{s}-{n}"
    used.add(stem.casefold())
    return stem


def brat_ann(text: str, spans: Sequence[Span], relations: Iterable[Relation] = ()) -> BratDocument:
    """The ``.ann`` content for a document ``text`` and one layer's spans and relations."""
    lines: list[str] = []
    tid: dict[int | None, str] = {}
    multiline = 0
    for n, sp in enumerate(spans, start=1):
        covered = text[sp.start : sp.end]
        shown = re.sub(r"[\r\n\t\u2028\u2029\x0b\x0c\x1c\x1d\x1e\x85]", " ", covered)
        multiline += shown != covered and any(c in covered for c in "\r\n\u2028\u2029\x85")
        tid[sp.id] = f"T{n}"
        lines.append(f"T{n}\t{brat_type(sp.label)} {sp.start} {sp.end}\t{shown}\n")
    n_rel = 0
    for rel in relations:
        n_rel += 1
        lines.append(f"R{n_rel}\t{brat_type(rel.label)} Arg1:{tid[rel.head]} Arg2:{tid[rel.child]}\n")
    info, prefixed = brat_info_lines(text, spans)
    lines.extend(info)
    return BratDocument(ann="".join(lines), entities=len(spans), relations=n_rel, multiline_spans=multiline,
                        overlaps=frozenset(overlap_kinds(spans)), kb_ids_prefixed=prefixed)


def overlap_kinds(spans: Iterable[Span]) -> set[OverlapKind]:
    """Every kind of overlap between ``spans`` in brat's terms, by brat type: for two spans
    sharing a character, ``equal`` when their offsets are identical, ``contain`` (inner, outer)
    when one lies inside the other, else ``cross`` (both orders of the types, as brat checks
    ``equal`` and ``cross`` either way)."""
    ordered = sorted((sp.start, -sp.end, brat_type(sp.label)) for sp in spans)
    out: set[OverlapKind] = set()
    active: list[tuple[int, int, str]] = []  # (start, end, type) of spans still open
    for start, neg_end, t in ordered:
        end = -neg_end
        active = [a for a in active if a[1] > start]
        for a_start, a_end, a_t in active:  # a starts first (or at the same place and is longer)
            if (a_start, a_end) == (start, end):
                out.update({(t, a_t, "equal"), (a_t, t, "equal")})
            elif end <= a_end:
                out.add((t, a_t, "contain"))
            else:
                out.update({(t, a_t, "cross"), (a_t, t, "cross")})
        active.append((start, end, t))
    return out


def brat_kb_ref(kb_id: str) -> tuple[str, bool]:
    """A kb id as brat's ``DB:ID`` reference: unchanged when it holds a ``:``, else prefixed with
    :data:`KB_PREFIX` (``True`` says it was); whitespace becomes ``_``."""
    ref = brat_type(kb_id)
    if ":" in ref[1:-1]:
        return ref, False
    return f"{KB_PREFIX}:{ref}", True


def brat_info_lines(text: str, spans: Sequence[Span]) -> tuple[list[str], int]:
    """``A`` lines (one per attribute: a flag set to true is ``A1<TAB>Name T1``, a value
    ``A2<TAB>Name T1 Value``; a flag set to false is left out, as brat does) and ``N`` lines
    (``N1<TAB>Reference T1 DB:ID<TAB>covered text``) for the spans written as ``T1``, ``T2``...
    in order; and how many kb ids needed the :data:`KB_PREFIX`."""
    attrs: list[str] = []
    norms: list[str] = []
    prefixed = 0
    for n, sp in enumerate(spans, start=1):
        for name, value in sp.attributes:
            if value is False:
                continue
            shown = "" if value is True else f" {brat_type(str(value))}"
            attrs.append(f"A{len(attrs) + 1}\t{brat_type(name)} T{n}{shown}\n")
        if sp.kb_id:
            ref, was_prefixed = brat_kb_ref(sp.kb_id)
            prefixed += was_prefixed
            covered = re.sub(r"\s", " ", text[sp.start : sp.end])
            norms.append(f"N{len(norms) + 1}\tReference T{n} {ref}\t{covered}\n")
    return attrs + norms, prefixed


def attribute_conf_lines(attributes: Mapping[str, Iterable[str | bool]]) -> list[str]:
    """``[attributes]`` lines of ``annotation.conf`` for attribute name -> the values written:
    a flag (only ``True``/``False``) is ``Name<TAB>Arg:<ENTITY>``, a valued attribute
    ``Name<TAB>Arg:<ENTITY>, Value:v1|v2``."""
    out: list[str] = []
    for name in sorted(attributes):
        values = sorted({brat_type(str(v)) for v in attributes[name] if not isinstance(v, bool)})
        shown = f", Value:{'|'.join(values)}" if values else ""
        out.append(f"{brat_type(name)}\tArg:<ENTITY>{shown}\n")
    return out


def annotation_conf(
    entity_labels: Iterable[str], signatures: Iterable[tuple[str, str, str]], overlaps: Iterable[OverlapKind] = (),
    attributes: Mapping[str, Iterable[str | bool]] | None = None,
) -> str:
    """brat's ``annotation.conf`` for these entity labels and (relation, head label, child label)
    signatures, allowing the ``overlaps`` (:func:`overlap_kinds` of the written spans, already brat
    types), and the span ``attributes`` written (:func:`attribute_conf_lines`); every label is
    passed through :func:`brat_type`."""
    ents: list[str] = []
    for lab in entity_labels:
        t = brat_type(lab)
        if t not in ents:
            ents.append(t)
    args: dict[str, tuple[list[str], list[str]]] = {}
    for rel, head, child in signatures:
        a1, a2 = args.setdefault(brat_type(rel), ([], []))
        for lst, lab in ((a1, brat_type(head)), (a2, brat_type(child))):
            if lab not in lst:
                lst.append(lab)
            if lab not in ents:
                ents.append(lab)
    out = ["# Written by the annotator export (brat standoff).\n", "[entities]\n"]
    out.extend(f"{e}\n" for e in ents)
    out.append("\n[relations]\n")
    for rel, (a1, a2) in args.items():
        out.append(f"{rel}\tArg1:{'|'.join(a1)}, Arg2:{'|'.join(a2)}\n")
    kinds: dict[tuple[str, str], set[str]] = {}
    for inner, outer, kind in overlaps:
        kinds.setdefault((inner, outer), set()).add(kind)
    if kinds:
        out.append("# overlaps the exported spans have (brat refuses any other)\n")
    for (inner, outer), ks in sorted(kinds.items()):
        order = [k for k in ("contain", "equal", "cross") if k in ks]
        out.append(f"<OVERLAP>\tArg1:{inner}, Arg2:{outer}, <OVL-TYPE>:{'|'.join(order)}\n")
    out.append("\n[events]\n\n[attributes]\n")
    out.extend(attribute_conf_lines(attributes or {}))
    return "".join(out)
