"""doccano JSONL exports, every shape doccano has written.

* sequence labelling: ``{"text": ..., "label": [[start, end, "LABEL"], ...]}`` (older exports
  call it ``labels``; doccano 1.4/1.5 name the text ``data``, doccano/doccano#1522);
* relation extraction: ``{"text": ..., "entities": [{"id", "label", "start_offset",
  "end_offset"}], "relations": [{"id", "from_id", "to_id", "type"}]}``;
* intent detection and slot filling: ``{"text": ..., "entities": [[start, end, "LABEL"], ...],
  "cats": ["intent"]}``: the slots are spans; the intents are document categories, not spans,
  named in a warning once per file;
* doccano 1.2's ``{"text": ..., "annotations": [{"label": 2, "start_offset", "end_offset",
  "user"}]}`` names labels by database id without their names: refused by name (never imported
  as a document with no spans).

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
from corpus.formats.records import ImportRecord, check_relations, check_spans, utf16_to_chars
from corpus.formats.registry import Format, register

__all__ = ["read_doccano", "records_from_objects", "sniff_doccano"]

_KNOWN = {"text", "data", "label", "labels", "entities", "relations", "meta", "cats"}


def _entity_id(value: Any, what: str, path: str, line: int) -> Any:
    """An entity id as a dict key: a number or a string, else a clear error."""
    if isinstance(value, (list, dict)):
        raise InputError(path, f"{what} must be a number or a string, got {value!r}", line)
    return value


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


def read_doccano(
    path: str | Path, name: str | None = None, *, encoding: str = "utf-8", skip_lines: frozenset[int] = frozenset()
) -> Iterator[ImportRecord]:
    """Yield one record per doccano line."""
    return records_from_objects(str(path), Path(path).stem, iter_json_objects(path, encoding, skip_lines))


def _text_of(obj: dict[str, Any], path: str, line: int) -> str:
    """``text``, or ``data`` as doccano 1.4/1.5 exports name it (doccano/doccano#1522)."""
    if "text" not in obj and isinstance(obj.get("data"), str):
        return require_text({"text": obj["data"]}, path, line)
    return require_text(obj, path, line)


def _refuse_numeric_labels(obj: dict[str, Any], path: str, line: int) -> None:
    """doccano 1.2 exports ``annotations`` whose ``label`` is the label's database id: the
    names are not in the file, so the spans cannot be read (never 0 spans silently)."""
    anns = obj.get("annotations")
    if isinstance(anns, list) and any(isinstance(a, dict) and "start_offset" in a for a in anns):
        ids = sorted({str(a.get("label")) for a in anns if isinstance(a, dict)})[:3]
        raise InputError(
            path, "a doccano 1.2 export: \"annotations\" name their labels by database id "
            f"({', '.join(ids)}) and the file holds no label names; export the project again as JSONL "
            "from doccano 1.3 or later (labels by name), or replace the ids by names first", line,
        )


def _entity_objects(
    obj: dict[str, Any], raw: list[tuple[Any, Any, Any]], path: str, line: int
) -> list[tuple[int, int, Any]]:
    """Spans of relation-extraction ``entities`` (objects) appended to ``raw``; returns the
    relations between them."""
    by_id: dict[Any, int] = {}
    for ent in obj.get("entities") or []:
        if not isinstance(ent, dict) or "start_offset" not in ent or "end_offset" not in ent:
            raise InputError(path, "each entity needs \"start_offset\" and \"end_offset\"", line)
        by_id[_entity_id(ent.get("id", len(raw)), "entity id", path, line)] = len(raw)
        raw.append((ent["start_offset"], ent["end_offset"], ent.get("label")))
    rels: list[tuple[int, int, Any]] = []
    for rel in obj.get("relations") or []:
        if not isinstance(rel, dict):
            raise InputError(path, f"a relation must be an object, got {rel!r}", line)
        label = rel.get("type", rel.get("label"))
        for key in ("from_id", "to_id"):
            if _entity_id(rel.get(key), key, path, line) not in by_id:
                raise InputError(path, f"relation {label!r} {key} {rel.get(key)!r} is not an entity of this line", line)
        rels.append((by_id[rel["from_id"]], by_id[rel["to_id"]], label))
    return rels


def _offset_lists(
    labels: Any, key: str, raw: list[tuple[Any, Any, Any]], warnings: list[str], path: str, line: int
) -> None:
    """``[start, end, label]`` lists (sequence labelling ``label``, intent/slot ``entities``)
    appended to ``raw``; a bare string is a document label, named in a warning."""
    if not isinstance(labels, list):
        raise InputError(path, f"\"{key}\" must be a list of [start, end, label]", line)
    for item in labels:
        if isinstance(item, str):
            warnings.append(f"{path}, line {line}: document label {item!r} is not a span; skipped")
            continue
        if not isinstance(item, (list, tuple)) or len(item) != 3:
            raise InputError(path, f"expected [start, end, label], got {item!r}", line)
        raw.append(tuple(item))  # type: ignore[arg-type]


def records_from_objects(p: str, stem: str, objects: Iterator[tuple[int, dict[str, Any]]]) -> Iterator[ImportRecord]:
    """Yield one record per doccano object ``(line, object)`` (JSONL lines or a JSON array)."""
    converted = cats_noted = False
    for lineno, obj in objects:
        _refuse_numeric_labels(obj, p, lineno)
        text = _text_of(obj, p, lineno)
        meta: dict[str, Any] = dict(obj["meta"]) if isinstance(obj.get("meta"), dict) else {}
        meta.update({k: v for k, v in obj.items() if k not in _KNOWN})
        warnings: list[str] = []
        raw: list[tuple[Any, Any, Any]] = []
        rels: list[tuple[int, int, Any]] = []
        ents = obj.get("entities")
        if isinstance(ents, list) and ents and all(isinstance(e, (list, tuple)) for e in ents):
            _offset_lists(ents, "entities", raw, warnings, p, lineno)  # intent detection and slot filling
        elif "entities" in obj:
            if ents is not None and not isinstance(ents, list):
                raise InputError(p, "\"entities\" must be a list", lineno)
            rels = _entity_objects(obj, raw, p, lineno)
        else:
            _offset_lists(obj.get("label", obj.get("labels")) or [], "label", raw, warnings, p, lineno)
        if obj.get("cats") and not cats_noted:
            cats_noted = True
            warnings.append(f"{p}, line {lineno}: document categories (\"cats\", e.g. intents) are not spans; "
                            "not imported")
        table = utf16_to_chars(text) if raw else None
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
    anns = obj.get("annotations")
    if isinstance(anns, list) and any(isinstance(a, dict) and "start_offset" in a for a in anns):
        return 0.8  # doccano 1.2: read to be refused by name
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
