"""JSON Lines with a ``text`` field, and the line reader the other JSONL formats share.

One JSON object per line: ``text`` (required, a string), ``meta`` (an object, kept),
``name`` or ``id`` (the document name; ``meta.name``/``meta.id`` are used when those are absent).
Blank lines are skipped. Broken JSON, a line that is not an object or lacks ``text``, bytes
that are not UTF-8 and an empty file raise :class:`InputError` naming the file and line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from corpus.errors import InputError
from corpus.formats.records import BlankRecord, ImportRecord, check_json_value, iter_text_lines
from corpus.formats.registry import Format, register

__all__ = [
    "JSON_SUFFIXES", "first_json_object", "iter_json_objects", "json_candidate", "parse_json_line", "read_jsonl",
    "record_name",
    "record_meta", "require_text", "sniff_jsonl",
]

#: Keys that hold annotations in some tool's JSON: the plain JSONL reader names them when it
#: ignores them (a file read as plain JSONL that has them was probably meant as another format).
ANNOTATION_KEYS = frozenset({
    "label", "labels", "entities", "spans", "relations", "annotations", "cats", "tags", "ner", "accept",
    "predictions", "completions",
})

#: Extensions of JSON Lines files (shared by the JSONL-shaped formats: Prodigy, doccano).
JSON_SUFFIXES = (".jsonl", ".json", ".ndjson")


class _NotJSON(ValueError):
    """A constant JSON does not have (NaN, Infinity) or a float it cannot hold."""


def _constant(name: str) -> float:
    raise _NotJSON(f"{name} is not a JSON number")


def _float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _NotJSON(f"the number {text[:40]} is too large for a float")
    return value


#: An escape that may be half a character (a surrogate), or a NUL: the parsed line is checked.
_SUSPECT_ESCAPE = re.compile(r"\\u(?:[dD][89a-fA-F]|0000)")


def parse_json_line(line: str, path: str, lineno: int) -> Any:
    """One line of JSON, or a one-line :class:`InputError` naming the line: broken JSON, NaN or
    Infinity (not JSON), a number of more than 4300 digits, nesting too deep for the parser,
    lone surrogates and NUL characters in strings."""
    try:
        obj = json.loads(line, parse_constant=_constant, parse_float=_float)
    except json.JSONDecodeError as exc:
        raise InputError(path, f"broken JSON, column {exc.colno}: {exc.msg}", lineno) from None
    except _NotJSON as exc:
        raise InputError(path, f"not valid JSON: {exc}", lineno) from None
    except RecursionError:
        raise InputError(path, "JSON nested too deeply to read", lineno) from None
    except ValueError as exc:  # int() refuses numbers of more than 4300 digits
        raise InputError(path, f"a number too long to read ({str(exc).split(';')[0]})", lineno) from None
    if _SUSPECT_ESCAPE.search(line):
        check_json_value(obj, "", path, lineno)
    return obj


def iter_json_objects(
    path: str | Path, encoding: str = "utf-8", skip_lines: frozenset[int] = frozenset()
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Stream ``(line_number, object)`` from a JSONL file (UTF-8 unless ``encoding`` names
    another), skipping blank lines and the lines in ``skip_lines`` (bad records the importer
    was asked to step over, see :mod:`corpus.formats.resume`); :func:`parse_json_line` refuses
    what is not JSON text."""
    p = str(path)
    for lineno, line in iter_text_lines(path, encoding):
        if not line.strip() or lineno in skip_lines:
            continue
        obj = parse_json_line(line, p, lineno)
        if not isinstance(obj, dict):
            raise InputError(p, f"expected a JSON object, got {type(obj).__name__}", lineno)
        yield lineno, obj


def require_text(obj: Mapping[str, Any], path: str, line: int) -> str:
    """The ``text`` of a JSON record, or a clear error."""
    text = obj.get("text")
    if not isinstance(text, str):
        if text is None:
            raise InputError(path, "record has no \"text\" field", line)
        raise InputError(path, f"\"text\" must be a string, got {type(text).__name__}", line)
    if not text.strip():
        raise BlankRecord(path, "record has an empty \"text\"" if not text else "the text is only whitespace", line)
    return text


def record_meta(obj: Mapping[str, Any], path: str, line: int) -> dict[str, Any]:
    """The ``meta`` object of a record (``{}`` when absent)."""
    meta = obj.get("meta")
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise InputError(path, f"\"meta\" must be an object, got {type(meta).__name__}", line)
    return dict(meta)


def record_name(obj: Mapping[str, Any], meta: Mapping[str, Any], default: str) -> str:
    """The document name: ``name``, ``id``, ``meta.name``, ``meta.id``, else ``default``."""
    for container in (obj, meta):
        for key in ("name", "id"):
            value = container.get(key)
            if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip():
                return str(value)
    return default


def read_jsonl(
    path: str | Path, name: str | None = None, *, encoding: str = "utf-8", skip_lines: frozenset[int] = frozenset()
) -> Iterator[ImportRecord]:
    """Yield one document per JSON line (annotations, if any, are not read: see prodigy/doccano).
    Documents are named by their record (``name``, ``id``...), else ``<file stem>:<line>``."""
    p = str(path)
    stem = Path(path).stem
    noted = False
    for lineno, obj in iter_json_objects(path, encoding, skip_lines):
        text = require_text(obj, p, lineno)
        meta = record_meta(obj, p, lineno)
        looks = sorted(k for k in obj if k in ANNOTATION_KEYS and obj[k])
        warnings: tuple[str, ...] = ()
        if looks and not noted:
            noted = True  # once per file
            warnings = (f"{p}, line {lineno}: {', '.join(repr(k) for k in looks)} look like annotations, which "
                        "plain JSONL does not read; name the format with --format (prodigy, doccano, label-studio...)",)
        yield ImportRecord(
            text=text, source=p, line=lineno, name=record_name(obj, meta, f"{stem}:{lineno}"), meta=meta,
            warnings=warnings,
        )


def json_candidate(path: Path, lines: Sequence[str]) -> bool:
    """A file a JSONL-shaped format may claim: a JSON extension, or a first line opening an object."""
    return Path(path).suffix.lower() in JSON_SUFFIXES or lines[0].lstrip().startswith("{")


def first_json_object(lines: Sequence[str]) -> dict[str, Any] | None:
    """The first line parsed as a JSON object, or ``None`` (broken, cut by sniffing, not an
    object): sniffers then look at the raw text; the reader names the line later."""
    try:
        obj = json.loads(lines[0])
    except (ValueError, RecursionError):
        return None
    return obj if isinstance(obj, dict) else None


def sniff_jsonl(path: Path, lines: Sequence[str]) -> float:
    """JSONL with a ``text`` field: any JSON-looking file no more specific format claims."""
    return 0.5 if json_candidate(path, lines) else 0.0


register(Format(
    name="jsonl",
    description="JSON Lines with a text field",
    suffixes=JSON_SUFFIXES,
    sniff=sniff_jsonl,
    reader=read_jsonl,
))
