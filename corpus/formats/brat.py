"""brat standoff: a ``.txt`` file and its ``.ann`` file per document, plus ``annotation.conf``.

``.ann`` lines read: ``T`` (text-bound annotation ``T1<TAB>Type start end<TAB>text``, offsets
in Unicode code points of the ``.txt`` exactly as stored, end exclusive) and ``R`` (binary
relation ``R1<TAB>Type Arg1:T1 Arg2:T2``, possibly followed by a tab). ``*`` (equivalence), ``E``
(events), ``A``/``M`` (attributes), ``N`` (normalisations) and ``#`` (notes) are skipped and
counted in the warnings. A discontinuous ``T`` line (``0 5;10 15``) is one annotation over
several stretches; ``discontinuous`` says what it becomes: ``refuse`` (default: an error naming
the file and line), ``skip`` (left out, with the relations to it, and counted in a warning),
``cover`` (one span from its first start to its last end) or ``fragments`` (one span per
fragment with the label, the first linked to each next by a ``fragment`` relation). A ``T`` whose text differs from the ``.txt`` at its
offsets gets a warning (the offsets are kept).

The ``.txt`` is read without newline translation, so offsets stay those brat wrote. brat reads a
``.txt`` as plain UTF-8, so a leading byte-order mark is a character to it: the document's text
drops the mark (as every importer does) and the offsets are moved back by one to match.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from corpus.errors import InputError
from corpus.formats.records import MAX_OFFSET_DIGITS, ImportRecord, iter_text_lines, read_text_file
from corpus.formats.registry import Format, register
from corpus.formats.txt import TEXT_SUFFIXES

__all__ = ["DISCONTINUOUS", "FRAGMENT_RELATION", "read_brat", "ann_path_for", "read_annotation_conf", "sniff_brat", "CONF_NAME", "SKIPPED_KINDS"]

#: The file declaring a brat corpus's entity and relation types (its labels join the schema).
CONF_NAME = "annotation.conf"

#: ``.ann`` line kinds that are read but not imported (first character of the id).
SKIPPED_KINDS = {"*": "equivalence", "E": "event", "A": "attribute", "M": "attribute",
                 "N": "normalisation", "#": "note"}

#: What a discontinuous ``T`` line (``0 5;10 15``) can become (``--brat-discontinuous``).
DISCONTINUOUS = ("refuse", "skip", "cover", "fragments")
#: Label of the relations linking the fragments of a discontinuous span (first -> each next).
FRAGMENT_RELATION = "fragment"

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
    text = read_text_file(txt, encoding=encoding)
    bom = _starts_with_bom(txt)  # brat counted it; ``text`` does not hold it
    a = str(ann)
    spans: list[tuple[int, int, str]] = []
    rels: list[tuple[int, int, str]] = []
    ids: dict[str, int] = {}
    pending: list[tuple[int, str, str, str]] = []  # line, label, arg1, arg2
    skipped: dict[str, int] = {}
    mismatched = 0
    if ann.exists():
        try:
            lines = list(iter_text_lines(ann, encoding))
        except InputError as exc:
            if exc.reason != "empty file":
                raise
            lines = []  # an empty .ann is a document nobody annotated yet
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
                if tid in ids or tid in dropped:
                    raise InputError(a, f"{tid} is defined twice", lineno)
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
                fields = line.rstrip("\t").split("\t")
                parts = fields[1].split() if len(fields) > 1 else []
                if len(parts) != 3:
                    raise InputError(a, f"cannot read relation {line[:40]!r}", lineno)
                args = [_R_ARG.match(x) for x in parts[1:]]
                if not all(args):
                    raise InputError(a, f"cannot read relation arguments {' '.join(parts[1:])!r}", lineno)
                pending.append((lineno, parts[0], args[0].group(2), args[1].group(2)))  # type: ignore[union-attr]
            elif kind in SKIPPED_KINDS:
                what = SKIPPED_KINDS[kind]
                skipped[what] = skipped.get(what, 0) + 1
            else:
                raise InputError(a, f"unknown annotation line {line[:40]!r}", lineno)
    lost = 0
    for lineno, label, h, c in pending:
        if h in dropped or c in dropped:
            lost += 1
            continue
        for arg in (h, c):
            if arg not in ids:
                raise InputError(a, f"relation {label!r} points to {arg}, which is not a T annotation", lineno)
        rels.append((ids[h], ids[c], label))
    warnings = _discontinuous_notes(a, noted, lost)
    if skipped:
        what = ", ".join(f"{n} {k} line{'s' if n > 1 else ''}" for k, n in sorted(skipped.items()))
        warnings.append(f"{a}: skipped {what} (not imported)")
    if mismatched:
        warnings.append(f"{a}: {mismatched} T line(s) whose text differs from {txt.name} at their offsets")
    yield ImportRecord(
        text=text, source=a if ann.exists() else str(txt), line=None, name=name or txt.stem,
        spans=tuple(spans), relations=tuple(rels), annotated=ann.exists(), warnings=tuple(warnings),
    )


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


def _discontinuous_notes(a: str, noted: dict[str, int], lost: int) -> list[str]:
    what = {"skip": "left out", "cover": "imported as the span covering their fragments",
            "fragments": f"imported as one span per fragment, linked by {FRAGMENT_RELATION!r} relations"}
    out = [f"{a}: {n} discontinuous span(s) {what[mode]}" for mode, n in sorted(noted.items())]
    if lost:
        out.append(f"{a}: {lost} relation(s) to left-out discontinuous spans not imported")
    return out


def read_annotation_conf(path: str | Path) -> tuple[list[str], list[str]]:
    """Entity and relation type names declared in a brat ``annotation.conf``.

    Lines starting with ``!`` (abstract types) and ``<...>`` macros are skipped; indentation
    (type hierarchy) is ignored.
    """
    entities: list[str] = []
    relations: list[str] = []
    section = ""
    for _, line in iter_text_lines(path):
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        if s.startswith("[") and s.endswith("]"):
            section = s[1:-1].strip().lower()
            continue
        name = s.split()[0]
        if name.startswith(("!", "<")) or "=" in name:
            continue
        if section == "entities" and name not in entities:
            entities.append(name)
        elif section == "relations" and name not in relations:
            relations.append(name)
    return entities, relations


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
