"""What every importer yields: one :class:`ImportRecord` per document found in a file.

Parsers in :mod:`corpus.formats` are pure: they read files and yield records, never touch the
store and never tokenise. Each record remembers the file and the line (1-based) it came from so
that every later error can name them. Offsets are character offsets into ``text``, end exclusive.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.errors import InputError

__all__ = [
    "ImportRecord",
    "RawSpan",
    "RawRelation",
    "check_spans",
    "check_relations",
    "read_text_file",
    "iter_text_lines",
    "check_encoding",
    "BlankRecord",
]

#: (start, end, label): a span by character offsets, end exclusive.
RawSpan = tuple[int, int, str]
#: (head_span_index, child_span_index, label): indexes into the record's ``spans``.
RawRelation = tuple[int, int, str]

class BlankRecord(InputError):
    """A record whose text is empty or only whitespace: nothing to annotate. Importers skip it
    with a warning (:mod:`corpus.formats.resume`) instead of stopping."""


#: Answers that mean "the annotator accepted this example" (Prodigy's vocabulary).
ACCEPT = "accept"


@dataclass(frozen=True)
class ImportRecord:
    """One document read from a file, with the annotations the file holds for it.

    ``tokens``/``sents`` are set when the file itself is tokenised (CoNLL, Prodigy); the
    importer then keeps them instead of re-tokenising. ``annotated`` says the file carries an
    annotation layer for this document (even an empty one), ``annotator`` names that layer when
    the file says who wrote it, ``answer`` is Prodigy's accept/reject/ignore (``None`` when the
    format has no such notion). ``source``/``line`` locate the record for error messages;
    ``warnings`` are non-fatal remarks about it (skipped lines, text mismatches...).
    ``partial``: an accept that covers only its spans (binary answers); ``rejected``: spans the
    annotator declared wrong (kept as the annotator's rejections, never as entities).
    """

    text: str
    source: str
    line: int | None = None
    name: str = ""
    meta: Mapping[str, Any] = field(default_factory=dict)
    tokens: tuple[tuple[int, int], ...] | None = None
    sents: tuple[tuple[int, int], ...] | None = None
    spans: tuple[RawSpan, ...] = ()
    relations: tuple[RawRelation, ...] = ()
    annotated: bool = False
    annotator: str | None = None
    answer: str | None = None
    warnings: tuple[str, ...] = ()
    #: the annotation covers only its spans (binary answers): other tokens are unknown, not "O"
    partial: bool = False
    #: spans the annotator said are wrong (binary rejects, span-level ``"answer": "reject"``)
    rejected: tuple[RawSpan, ...] = ()

    @property
    def accepted(self) -> bool:
        """True unless the file says the example was rejected or ignored."""
        return self.answer is None or self.answer == ACCEPT


def _as_offset(value: Any, what: str, path: str, line: int | None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
        raise InputError(path, f"{what} must be an integer offset, got {value!r}", line)
    return value


def check_spans(
    text: str, spans: Sequence[tuple[Any, Any, Any]], path: str, line: int | None
) -> tuple[RawSpan, ...]:
    """Validate raw spans against ``text``: integer offsets, ``0 <= start < end <= len(text)``,
    a non-empty string label. Raises :class:`InputError` naming ``path`` and ``line``."""
    out: list[RawSpan] = []
    n = len(text)
    for start, end, label in spans:
        s = _as_offset(start, "span start", path, line)
        e = _as_offset(end, "span end", path, line)
        if not isinstance(label, str) or not label.strip():
            raise InputError(path, f"span {s}-{e} has no label (got {label!r})", line)
        if e <= s:
            raise InputError(path, f"span {s}-{e} {label!r}: end is not after start", line)
        if s < 0 or e > n:
            raise InputError(
                path, f"span {s}-{e} {label!r} is outside the text (length {n})", line
            )
        out.append((s, e, label))
    return tuple(out)


def check_relations(
    relations: Sequence[RawRelation], n_spans: int, path: str, line: int | None
) -> tuple[RawRelation, ...]:
    """Validate relations whose ends are indexes into the record's spans."""
    for head, child, label in relations:
        if not isinstance(label, str) or not label.strip():
            raise InputError(path, f"relation has no label (got {label!r})", line)
        for idx in (head, child):
            if not (0 <= idx < n_spans):
                raise InputError(path, f"relation {label!r} points to a span that does not exist", line)
    return tuple(relations)


def _is_utf8(encoding: str) -> bool:
    return encoding.lower().replace("-", "").replace("_", "") in ("utf8", "utf8sig")


def _not_text(encoding: str, byte: int) -> str:
    """How a decoding failure is named; with UTF-8 it says how to name another encoding."""
    if _is_utf8(encoding):
        return f"not UTF-8 text (byte 0x{byte:02x}; name the file's encoding with --encoding, e.g. latin-1)"
    return f"not {encoding} text (byte 0x{byte:02x})"


def _decode(raw: bytes, path: str, line: int | None, encoding: str = "utf-8") -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(path, _not_text(encoding, raw[exc.start]), line) from None


def check_encoding(encoding: str, path: str | None = None) -> str:
    """``encoding`` when line-by-line readers can use it (an ASCII-compatible codec Python
    knows: UTF-8, latin-1, cp1252...), else :class:`InputError` naming it."""
    import codecs

    try:
        info = codecs.lookup(encoding)
    except LookupError:
        raise InputError(path, f"unknown encoding {encoding!r}") from None
    if "\n".encode(info.name) != b"\n":
        raise InputError(path, f"encoding {encoding!r} is not ASCII-compatible; convert the file to UTF-8 first")
    return encoding


def _line_of(raw: bytes, offset: int) -> int:
    return raw.count(b"\n", 0, offset) + 1


def read_text_file(path: str | Path, *, universal_newlines: bool = False, encoding: str = "utf-8") -> str:
    """A whole file as text in ``encoding`` (UTF-8 by default; a leading UTF-8 BOM dropped).

    Offsets of annotated formats (brat) count ``\\r`` characters, so line endings are kept as
    they are unless ``universal_newlines`` asks to turn ``\\r\\n``/``\\r`` into ``\\n``.
    Raises :class:`InputError` for unreadable, undecodable or empty files.
    """
    p = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(p, f"cannot read file ({exc.strerror or exc})") from None
    if raw.startswith(b"\xef\xbb\xbf") and _is_utf8(encoding):
        raw = raw[3:]
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(
            p, _not_text(encoding, raw[exc.start]), _line_of(raw, exc.start)
        ) from None
    except LookupError:
        raise InputError(p, f"unknown encoding {encoding!r}") from None
    if universal_newlines:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError(p, "empty file")
    return text


def iter_text_lines(path: str | Path, encoding: str = "utf-8") -> Iterator[tuple[int, str]]:
    """Stream ``(line_number, line)`` of a text file (1-based, line ending stripped).

    ``encoding`` is UTF-8 unless named (any ASCII-compatible codec, see :func:`check_encoding`).
    Memory stays flat whatever the file size. Raises :class:`InputError` naming the line for
    bytes that do not decode, and for a file with no non-blank line at all.
    """
    p = str(path)
    check_encoding(encoding, p)
    seen = False
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise InputError(p, f"cannot read file ({exc.strerror or exc})") from None
    with fh:
        for i, raw in enumerate(fh, start=1):
            if i == 1 and raw.startswith(b"\xef\xbb\xbf") and _is_utf8(encoding):
                raw = raw[3:]
            line = _decode(raw, p, i, encoding).rstrip("\r\n")
            if line.strip():
                seen = True
            yield i, line
    if not seen:
        raise InputError(p, "empty file")
