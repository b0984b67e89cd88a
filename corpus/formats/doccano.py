"""doccano JSONL exports, both shapes.

* sequence labelling: ``{"text": ..., "label": [[start, end, "LABEL"], ...]}`` (older exports
  call it ``labels``);
* relation extraction: ``{"text": ..., "entities": [{"id", "label", "start_offset",
  "end_offset"}], "relations": [{"id", "from_id", "to_id", "type"}]}``.

Offsets are end exclusive and count what doccano's browser side counts: UTF-16 code units
(doccano/doccano#2290). They equal characters except after a character outside the Basic
Multilingual Plane (most emoji), which counts twice; in a text holding such characters the
offsets are turned into character offsets, and the first such record of a file carries a
warning saying so. Other top-level keys (``id``, ``Comments``...) go to the document's meta;
``id`` also names the document. A relation whose ``from_id``/``to_id`` is not an entity of the
same line is an error.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from corpus.errors import InputError
from corpus.formats.jsonl import (
    JSON_SUFFIXES,
    first_json_object,
    iter_json_objects,
    json_candidate,
    record_name,
    require_text,
)
from corpus.formats.records import ImportRecord, check_relations, check_spans
from corpus.formats.registry import Format, register

__all__ = ["read_doccano", "sniff_doccano"]

_KNOWN = {"text", "label", "labels", "entities", "relations", "meta"}


def _entity_id(value: Any, what: str, path: str, line: int) -> Any:
    """An entity id as a dict key: a number or a string, else a clear error."""
    if isinstance(value, (list, dict)):
        raise InputError(path, f"{what} must be a number or a string, got {value!r}", line)
    return value


def _utf16_to_chars(text: str) -> dict[int, int] | None:
    """``UTF-16 offset -> character offset`` at every character boundary of ``text``, or
    ``None`` when the two counts agree (no character outside the Basic Multilingual Plane)."""
    if not text or max(text) <= "\uffff":
        return None
    out: dict[int, int] = {}
    unit = 0
    for i, ch in enumerate(text):
        out[unit] = i
        unit += 2 if ord(ch) > 0xFFFF else 1
    out[unit] = len(text)
    return out


def _char_offsets(
    raw: list[tuple[Any, Any, Any]], table: dict[int, int], path: str, line: int
) -> list[tuple[Any, Any, Any]]:
    """Spans with UTF-16 offsets turned into character offsets (see the module docstring).

    Offsets that are not integers or lie beyond the text are left for :func:`check_spans` to
    report; one that falls between the two halves of a character is an error here."""
    n_units = max(table)
    out = []
    for start, end, label in raw:
        ends = []
        for value in (start, end):
            if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= n_units:
                if value not in table:
                    raise InputError(
                        path, f"span {start}-{end} {label!r}: offset {value} splits a character "
                        "(offsets count UTF-16 code units, as doccano does)", line,
                    )
                value = table[value]
            ends.append(value)
        out.append((ends[0], ends[1], label))
    return out


def read_doccano(path: str | Path, name: str | None = None) -> Iterator[ImportRecord]:
    """Yield one record per doccano line."""
    p = str(path)
    stem = Path(path).stem
    converted = False
    for lineno, obj in iter_json_objects(path):
        text = require_text(obj, p, lineno)
        meta: dict[str, Any] = dict(obj["meta"]) if isinstance(obj.get("meta"), dict) else {}
        meta.update({k: v for k, v in obj.items() if k not in _KNOWN})
        warnings: list[str] = []
        raw: list[tuple[Any, Any, Any]] = []
        rels: list[tuple[int, int, Any]] = []
        if "entities" in obj:
            ents = obj.get("entities") or []
            if not isinstance(ents, list):
                raise InputError(p, "\"entities\" must be a list", lineno)
            by_id: dict[Any, int] = {}
            for ent in ents:
                if not isinstance(ent, dict) or "start_offset" not in ent or "end_offset" not in ent:
                    raise InputError(p, "each entity needs \"start_offset\" and \"end_offset\"", lineno)
                by_id[_entity_id(ent.get("id", len(raw)), "entity id", p, lineno)] = len(raw)
                raw.append((ent["start_offset"], ent["end_offset"], ent.get("label")))
            for rel in obj.get("relations") or []:
                if not isinstance(rel, dict):
                    raise InputError(p, f"a relation must be an object, got {rel!r}", lineno)
                label = rel.get("type", rel.get("label"))
                for key in ("from_id", "to_id"):
                    if _entity_id(rel.get(key), key, p, lineno) not in by_id:
                        raise InputError(
                            p, f"relation {label!r} {key} {rel.get(key)!r} is not an entity of this line", lineno
                        )
                rels.append((by_id[rel["from_id"]], by_id[rel["to_id"]], label))
        else:
            labels = obj.get("label", obj.get("labels")) or []
            if not isinstance(labels, list):
                raise InputError(p, "\"label\" must be a list of [start, end, label]", lineno)
            for item in labels:
                if isinstance(item, str):
                    warnings.append(f"{p}, line {lineno}: document label {item!r} is not a span; skipped")
                    continue
                if not isinstance(item, (list, tuple)) or len(item) != 3:
                    raise InputError(p, f"expected [start, end, label], got {item!r}", lineno)
                raw.append(tuple(item))  # type: ignore[arg-type]
        table = _utf16_to_chars(text) if raw else None
        if table is not None:
            raw = _char_offsets(raw, table, p, lineno)
            if not converted:  # once per file
                converted = True
                warnings.append(
                    f"{p}, line {lineno}: offsets in texts holding characters outside the Basic "
                    "Multilingual Plane (e.g. emoji) were read as UTF-16 code units, as doccano counts them"
                )
        spans = check_spans(text, raw, p, lineno)
        yield ImportRecord(
            text=text,
            source=p,
            line=lineno,
            name=record_name(obj, meta, f"{stem}:{lineno}"),
            meta=meta,
            spans=spans,
            relations=check_relations(rels, len(spans), p, lineno),
            annotated=True,
            warnings=tuple(warnings),
        )


def sniff_doccano(path: Path, lines: Sequence[str]) -> float:
    """A JSON-looking file whose first record has ``entities`` or a ``label``/``labels`` list of
    ``[start, end, label]`` lists (below Prodigy: a record with Prodigy's keys is Prodigy's)."""
    if not json_candidate(path, lines):
        return 0.0
    obj = first_json_object(lines)
    if obj is None:
        head = lines[0].lstrip()[:2000]
        return 0.8 if '"entities"' in head or '"label"' in head else 0.0
    if "entities" in obj:
        return 0.8
    lab = obj.get("label", obj.get("labels"))
    if isinstance(lab, list) and (not lab or all(isinstance(x, list) for x in lab)):
        return 0.8
    return 0.0


register(Format(
    name="doccano",
    description="doccano JSONL",
    suffixes=JSON_SUFFIXES,
    sniff=sniff_doccano,
    reader=read_doccano,
))
