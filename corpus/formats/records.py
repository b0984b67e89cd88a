"""What every importer yields: one :class:`ImportRecord` per document found in a file.

Parsers in :mod:`corpus.formats` are pure: they read files and yield records, never touch the
store and never tokenise. Each record remembers the file and the line (1-based) it came from so
that every later error can name them. Offsets are character offsets into ``text``, end exclusive.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.errors import InputError
from corpus.model import Attributes

__all__ = [
    "utf16_to_chars",
    "ImportRecord",
    "RawSpan",
    "RawRelation",
    "check_spans",
    "check_relations",
    "read_text_file",
    "iter_text_lines",
    "check_bytes",
    "check_string",
    "check_json_value",
    "display_path",
    "validate_record",
    "MAX_OFFSET_DIGITS",
    "check_encoding",
    "BlankRecord",
    "SpanInfo",
]

#: Offsets longer than this many digits are refused (no text is that long; Python refuses to
#: convert integers of more than 4300 digits, with a traceback).
MAX_OFFSET_DIGITS = 18

#: (start, end, label): a span by character offsets, end exclusive.
RawSpan = tuple[int, int, str]
#: (head_span_index, child_span_index, label): indexes into the record's ``spans``.
RawRelation = tuple[int, int, str]
#: (kb_id, attributes) a file gives a span beyond its offsets and label (Prodigy NEL's accepted
#: id, brat ``N``/``A`` lines, Label Studio per-region choices).
SpanInfo = tuple[str, Attributes]

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
    #: kb id and attributes of some of ``spans``, by the span's ``(start, end, label)``
    span_info: Mapping[RawSpan, SpanInfo] = field(default_factory=dict)

    @property
    def accepted(self) -> bool:
        """True unless the file says the example was rejected or ignored."""
        return self.answer is None or self.answer == ACCEPT


def _as_offset(value: Any, what: str, path: str, line: int | None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            if len(value.strip().lstrip("-")) > MAX_OFFSET_DIGITS:
                raise InputError(path, f"{what} is not a usable offset ({len(value.strip())} digits)", line)
            return int(value)
        shown = repr(value) if not isinstance(value, str) or len(value) < 60 else repr(value[:57] + "...")
        raise InputError(path, f"{what} must be an integer offset, got {shown}", line)
    if abs(value) >= 10**MAX_OFFSET_DIGITS:
        raise InputError(path, f"{what} is not a usable offset (a {value.bit_length()}-bit number)", line)
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


def display_path(path: str | Path) -> str:
    """``path`` as text that can be printed and shown: bytes of a file name that are not UTF-8
    appear as ``\\xff`` escapes."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32 (little-endian byte-order mark)"),
    (b"\x00\x00\xfe\xff", "UTF-32 (big-endian byte-order mark)"),
    (b"\xff\xfe", "UTF-16 (little-endian byte-order mark)"),
    (b"\xfe\xff", "UTF-16 (big-endian byte-order mark)"),
)


def _utf16_without_bom(raw: bytes) -> bool:
    """Bytes whose NULs sit at every other position: UTF-16 text of mostly Latin characters."""
    sample = raw[:4096]
    if len(sample) < 2 or b"\x00" not in sample:
        return False
    even, odd = sample[0::2], sample[1::2]
    return even.count(0) >= 0.8 * len(even) or odd.count(0) >= 0.8 * len(odd)


def check_bytes(raw: bytes, path: str, line: int | None, first: bool) -> None:
    """Refuse bytes that are not UTF-8 text by name: UTF-16/UTF-32 (with or without a byte-order
    mark, ``first`` is the start of the file) and NUL characters. Raises :class:`InputError`."""
    if first:
        for bom, name in _BOMS:
            if raw.startswith(bom):
                raise InputError(path, f"the file is {name}, not UTF-8; save it as UTF-8", line)
    if b"\x00" in raw:
        if line is None:  # a whole file: name the line of the first NUL
            line = raw.count(b"\n", 0, raw.index(b"\x00")) + 1
        if _utf16_without_bom(raw):
            raise InputError(path, "the file looks like UTF-16 without a byte-order mark (a NUL byte between "
                                   "characters), not UTF-8; save it as UTF-8", line)
        raise InputError(path, "holds a NUL character (binary data, not text)", line)


def check_string(value: str, what: str, path: str, line: int | None) -> None:
    """Refuse a string holding a NUL character or a lone surrogate (an escape such as ``\\ud800``
    that is half of a character): neither is text, and the project file could not store it."""
    if "\x00" in value:
        raise InputError(path, f"{what} holds a NUL character (\\u0000)", line)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        code = ord(value[exc.start])
        raise InputError(path, f"{what} holds a lone surrogate (\\u{code:04x}), half of a character, not text",
                         line) from None


def _check_json_value(value: Any, what: str, path: str, line: int | None, depth: int = 0) -> None:
    if depth > 200:
        raise InputError(path, f"{what} is nested more than 200 levels deep", line)
    if isinstance(value, str):
        check_string(value, what, path, line)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise InputError(path, f"{what} holds {value!r}, which is not valid JSON", line)
    elif isinstance(value, Mapping):
        for k, v in value.items():
            if not isinstance(k, str):
                raise InputError(path, f"{what} has a key that is not a string ({type(k).__name__})", line)
            check_string(k, f"a key of {what or 'the record'}", path, line)
            child = (f"{what}.{k}" if what else k) if len(what) < 80 else what
            _check_json_value(v, child, path, line, depth + 1)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _check_json_value(v, what, path, line, depth + 1)
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**4000:
        raise InputError(path, f"{what} holds a number too long to store", line)


def check_json_value(value: Any, what: str, path: str, line: int | None) -> None:
    """Refuse NUL characters and lone surrogates in the strings (and keys) of a parsed JSON
    value, NaN and Infinity, and nesting deeper than 200 levels; ``what`` names the value in the
    message (``""``: the record itself, whose keys then name the fields)."""
    _check_json_value(value, what, path, line)


def validate_record(rec: ImportRecord) -> None:
    """Check that a record holds only text the project can store and give back unchanged: no
    NUL character and no lone surrogate in its text, name, meta, labels or annotator; meta
    holds valid JSON (no NaN or Infinity) at most 200 levels deep. Every importer's records
    pass here before anything is written; raises :class:`InputError` naming the file and line."""
    path, line = rec.source, rec.line
    check_string(rec.text, "the text", path, line)
    check_string(rec.name, "the document name", path, line)
    if rec.annotator is not None:
        check_string(rec.annotator, "the annotator name", path, line)
    _check_json_value(dict(rec.meta), "meta", path, line)
    for _s, _e, label in rec.spans:
        check_string(label, f"span label {label[:40]!r}", path, line)
    for _h, _c, label in rec.relations:
        check_string(label, f"relation label {label[:40]!r}", path, line)


def _is_utf8(encoding: str) -> bool:
    return encoding.lower().replace("-", "").replace("_", "") in ("utf8", "utf8sig")


def _not_text(encoding: str, byte: int) -> str:
    """How a decoding failure is named; with UTF-8 it says how to name another encoding."""
    if _is_utf8(encoding):
        return f"not UTF-8 text (byte 0x{byte:02x}; name the file's encoding with --encoding, e.g. latin-1)"
    return f"not {encoding} text (byte 0x{byte:02x})"


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


def _decode(raw: bytes, path: str, line: int | None, encoding: str = "utf-8") -> str:
    check_bytes(raw, path, line, first=line == 1)
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(path, _not_text(encoding, raw[exc.start]), line) from None


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
    check_bytes(raw, p, None, first=True)
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(p, _not_text(encoding, raw[exc.start]), _line_of(raw, exc.start)) from None
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


def utf16_to_chars(text: str) -> dict[int, int] | None:
    """``UTF-16 offset -> character offset`` at every character boundary of ``text``, or
    ``None`` when the two counts agree (no character outside the Basic Multilingual Plane).

    Tools written in JavaScript (doccano, Label Studio's older exports) count offsets in UTF-16
    code units; Python counts characters."""
    if not text or max(text) <= "\uffff":
        return None
    out: dict[int, int] = {}
    unit = 0
    for i, ch in enumerate(text):
        out[unit] = i
        unit += 2 if ord(ch) > 0xFFFF else 1
    out[unit] = len(text)
    return out
