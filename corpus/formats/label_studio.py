"""Label Studio exports: JSON (tasks) and JSON-MIN (flat records), for text span labelling.

**JSON** (Export > JSON; also one task per file): an array of tasks
``{"id", "data": {"text": ...}, "meta", "annotations": [...], "predictions": [...]}``. Each
annotation (``completed_by``, ``was_cancelled``, ``result``) and each prediction
(``model_version``, ``result``) becomes one record of the same text, so one document gets one
layer per annotator:

* annotation layers are named after ``completed_by``: its ``email`` when the export expanded
  the user, else ``ls-user-<id>``; an annotation without ``completed_by`` goes to the format's
  layer;
* prediction layers are ``model:<model_version>`` (suggestions, shown dashed in the window);
* a cancelled (skipped) annotation is kept as *skipped* for its annotator, without spans
  (``answer="ignore"``); a task with neither annotations nor predictions is imported as a
  document without annotations.

``result`` items: ``labels`` regions (``value``: ``start``, ``end``, ``text``, ``labels``)
become spans, one per label; ``relation`` items (``from_id``, ``to_id``, ``direction``,
``labels``) become relations between those regions (``right``: from -> to, ``left``:
to -> from, ``bi``: both), one per label, labelled ``relation`` when the project's config had no
``<Relations>`` labels. ``choices``, ``textarea`` and ``taxonomy`` results given for a region
(``perRegion="true"``: the same ``id`` and offsets) become that span's attributes, named after
their control (``from_name``; several choices joined by ``|``, taxonomy paths by ``/``). Other
result types (document-level ``choices``, ``rating``...) are not spans: each type is named once
per file in a warning, never dropped silently.

Offsets: character offsets (code points), end exclusive, as Label Studio stores them since
label-studio-frontend#308. Older versions stored UTF-16 code units (HumanSignal/label-studio#1008):
when ``value.text`` does not match the characters at ``start:end`` but matches after reading
the offsets as UTF-16 units, they are converted (and a warning says so).

**JSON-MIN** (Export > JSON-MIN): an array of flat records, one per (task, annotation): the
task's data fields (``text``...), ``id``, ``annotator`` (email or user id), ``annotation_id``,
and for each labelling control a list of regions ``{"start", "end", "text", "labels"}``.
JSON-MIN holds no relations and leaves cancelled annotations out.

The text is ``data["text"]``, else the only string field of ``data``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.errors import InputError
from corpus.model import normalise_attributes
from corpus.formats.json_document import cached_kind, iter_json_document
from corpus.formats.records import BlankRecord, ImportRecord, RawRelation, check_relations, check_spans, utf16_to_chars
from corpus.formats.registry import Format, register

__all__ = [
    "FORMAT",
    "FORMAT_MIN",
    "looks_like_label_studio",
    "looks_like_label_studio_min",
    "read_label_studio",
    "read_label_studio_min",
    "annotator_layer",
    "sniff_label_studio",
    "sniff_label_studio_min",
]

FORMAT = "label-studio"
FORMAT_MIN = "label-studio-min"
#: Label of a relation drawn without a relation label.
UNLABELLED_RELATION = "relation"
_REGION_TYPES = ("labels", "hypertextlabels", "paragraphlabels")
#: Result types that describe a labelled region when given its ``id`` (``perRegion="true"``):
#: they become the span's attributes, named after the control (``from_name``).
_PER_REGION_TYPES = ("choices", "textarea", "taxonomy")
_TASK_KEYS = ("id", "annotations", "completions", "predictions", "meta", "data", "drafts")
_MIN_META_KEYS = ("annotator", "annotation_id", "created_at", "updated_at", "lead_time", "agreement")


def looks_like_label_studio(obj: Mapping[str, Any]) -> bool:
    """True for a Label Studio task: a ``data`` object with ``annotations``, ``predictions`` or
    the older ``completions``."""
    return isinstance(obj.get("data"), dict) and any(
        k in obj for k in ("annotations", "predictions", "completions")
    )


def _is_region_list(value: Any) -> bool:
    return (
        isinstance(value, list) and bool(value)
        and all(isinstance(r, dict) and "start" in r and "end" in r for r in value)
    )


def looks_like_label_studio_min(obj: Mapping[str, Any]) -> bool:
    """True for a JSON-MIN record: ``annotation_id`` or ``annotator`` beside the data fields."""
    return "annotation_id" in obj or ("annotator" in obj and any(_is_region_list(v) for v in obj.values()))


def annotator_layer(completed_by: Any) -> str | None:
    """The layer of a Label Studio user: the email when known, else ``ls-user-<id>``."""
    if isinstance(completed_by, dict):
        email = completed_by.get("email")
        if isinstance(email, str) and email.strip():
            return email.strip()
        completed_by = completed_by.get("id")
    if isinstance(completed_by, bool) or completed_by is None:
        return None
    if isinstance(completed_by, int):
        return f"ls-user-{completed_by}"
    text = str(completed_by).strip()
    if not text:
        return None
    return f"ls-user-{text}" if text.isdigit() else text


def _task_text(data: Mapping[str, Any], path: str, line: int) -> tuple[str, str]:
    """(key, text) of a task's data."""
    if isinstance(data.get("text"), str):
        key = "text"
    else:
        strings = [k for k, v in data.items() if isinstance(v, str)]
        if len(strings) != 1:
            raise InputError(
                path, f"no \"text\" in the task data (fields: {', '.join(sorted(data)) or 'none'})", line
            )
        key = strings[0]
    text = data[key]
    if not text.strip():
        raise BlankRecord(path, "the task's text is empty or only whitespace", line)
    return key, text


@dataclass
class _FileState:
    """Remarks made once per file."""

    path: str
    utf16_noted: bool = False
    ignored_types: set[str] = field(default_factory=set)
    unlabelled_noted: bool = False

    def note(self, warnings: list[str], line: int, message: str) -> None:
        warnings.append(f"{self.path}, line {line}: {message}")


def _region_offsets(
    value: Mapping[str, Any], text: str, st: _FileState, line: int, warnings: list[str]
) -> tuple[Any, Any]:
    start, end = value.get("start"), value.get("end")
    shown = value.get("text")
    if (
        isinstance(start, int) and isinstance(end, int) and isinstance(shown, str)
        and text[start:end] != shown
    ):
        table = utf16_to_chars(text)
        if table is not None and start in table and end in table and text[table[start]:table[end]] == shown:
            if not st.utf16_noted:
                st.utf16_noted = True
                st.note(warnings, line, "offsets were read as UTF-16 code units, as Label Studio counts "
                        "them in texts holding characters outside the Basic Multilingual Plane")
            return table[start], table[end]
    return start, end


def _labels_of(item: Mapping[str, Any], value: Mapping[str, Any]) -> list[Any]:
    kind = item.get("type")
    labels = value.get(kind) if isinstance(kind, str) and kind in value else value.get("labels")
    return labels if isinstance(labels, list) else []


def _per_region_value(kind: str, value: Mapping[str, Any]) -> str | None:
    """The attribute value of a per-region ``choices``/``textarea``/``taxonomy`` result: the one
    choice or text, several joined by ``|``, taxonomy paths joined by ``/``; ``None`` when the
    item holds none."""
    raw = value.get("text" if kind == "textarea" else kind)  # a text area's texts are a list
    if not isinstance(raw, list) or not raw:
        return None
    if kind == "taxonomy":
        raw = ["/".join(str(x) for x in path) if isinstance(path, list) else str(path) for path in raw]
    return "|".join(str(x) for x in raw)


def _read_result(
    result: Any, text: str, st: _FileState, line: int, warnings: list[str],
    info: dict[Any, dict[str, str]] | None = None,
) -> tuple[list[tuple[Any, Any, Any]], list[RawRelation]]:
    """Spans and relations of one annotation or prediction ``result`` list; per-region
    ``choices``/``textarea``/``taxonomy`` results (same ``id`` as a labelled region) are added
    to ``info`` as ``{span index: {control name: value}}``."""
    if not isinstance(result, list):
        raise InputError(st.path, "\"result\" must be a list", line)
    spans: list[tuple[Any, Any, Any]] = []
    by_region: dict[Any, list[int]] = {}
    rel_items: list[Mapping[str, Any]] = []
    per_region: list[Mapping[str, Any]] = []
    for item in result:
        if not isinstance(item, dict):
            raise InputError(st.path, f"a result item must be an object, got {item!r}", line)
        kind = str(item.get("type", "")).lower()
        if kind == "relation":
            rel_items.append(item)
            continue
        value = item.get("value")
        if kind in _PER_REGION_TYPES and info is not None and isinstance(value, dict) and "start" in value:
            per_region.append(item)
            continue
        if kind not in _REGION_TYPES or not isinstance(value, dict):
            if kind not in st.ignored_types:
                st.ignored_types.add(kind)
                st.note(warnings, line, f"Label Studio result type {kind or '(none)'!r} is not a text span; "
                        "not imported")
            continue
        start, end = _region_offsets(value, text, st, line, warnings)
        labels = _labels_of(item, value)
        if not labels:
            raise InputError(st.path, f"region {item.get('id')!r} ({start}-{end}) has no label", line)
        idx = by_region.setdefault(item.get("id"), [])
        for label in labels:
            idx.append(len(spans))
            spans.append((start, end, label))
    for item in per_region:
        kind = str(item.get("type", "")).lower()
        found = _per_region_value(kind, item["value"])
        if item.get("id") not in by_region or found is None:
            st.note(warnings, line, f"Label Studio {kind} result {item.get('id')!r} belongs to no labelled "
                    "region; not imported")
            continue
        for k in by_region[item["id"]]:
            info.setdefault(k, {})[str(item.get("from_name") or kind)] = found  # type: ignore[union-attr]
    relations: list[RawRelation] = []
    for rel in rel_items:
        ends = []
        for key in ("from_id", "to_id"):
            if rel.get(key) not in by_region:
                raise InputError(st.path, f"relation {key} {rel.get(key)!r} is not a labelled region of this "
                                 "annotation", line)
            ends.append(by_region[rel[key]][0])
        labels = rel.get("labels") or []
        if not labels:
            labels = [UNLABELLED_RELATION]
            if not st.unlabelled_noted:
                st.unlabelled_noted = True
                st.note(warnings, line, f"relations without a label are imported as {UNLABELLED_RELATION!r}")
        direction = rel.get("direction", "right")
        pairs = {"right": [(0, 1)], "left": [(1, 0)], "bi": [(0, 1), (1, 0)]}.get(direction)
        if pairs is None:
            raise InputError(st.path, f"relation direction {direction!r} (expected right, left or bi)", line)
        for a, b in pairs:
            relations.extend((ends[a], ends[b], label) for label in labels)
    return spans, relations


def _task_meta(task: Mapping[str, Any], data: Mapping[str, Any], text_key: str) -> dict[str, Any]:
    """The document meta: the task's ``meta``, the data fields besides the text (a ``meta``
    object among them, as this program's export writes it, is merged), and the task id."""
    meta: dict[str, Any] = dict(task["meta"]) if isinstance(task.get("meta"), dict) else {}
    if isinstance(data.get("meta"), dict):
        meta.update(data["meta"])
    meta.update({k: v for k, v in data.items() if k not in (text_key, "meta", "name")})
    if "id" in task:
        meta["label_studio_id"] = task["id"]
    return meta


def _name(*candidates: Any, default: str) -> str:
    for value in candidates:
        if isinstance(value, (int, str)) and not isinstance(value, bool) and str(value).strip():
            return str(value)
    return default


def _record(
    text: str, st: _FileState, line: int, name: str, meta: Mapping[str, Any], result: Any,
    *, annotator: str | None, answer: str | None, warnings: list[str]
) -> ImportRecord:
    info: dict[Any, dict[str, str]] = {}
    raw_spans, raw_rels = _read_result(result, text, st, line, warnings, info)
    spans = check_spans(text, raw_spans, st.path, line)
    return ImportRecord(
        text=text, source=st.path, line=line, name=name, meta=meta, spans=spans,
        relations=check_relations(raw_rels, len(spans), st.path, line),
        annotated=True, annotator=annotator, answer=answer, warnings=tuple(warnings),
        span_info={spans[k]: ("", normalise_attributes(values)) for k, values in info.items()},
    )


def _task_records(task: Any, st: _FileState, line: int, default_name: str) -> Iterator[ImportRecord]:
    if not isinstance(task, dict):
        raise InputError(st.path, f"a Label Studio task must be an object, got {type(task).__name__}", line)
    # Label Studio also takes a task given as its data alone ({"text": ...}).
    data = task["data"] if isinstance(task.get("data"), dict) else {
        k: v for k, v in task.items() if k not in _TASK_KEYS
    }
    key, text = _task_text(data, st.path, line)
    meta = _task_meta(task, data, key)
    name = _name(data.get("name"), task.get("id"), default=default_name)
    annotations = task.get("annotations", task.get("completions")) or []
    predictions = task.get("predictions") or []
    if not isinstance(annotations, list) or not isinstance(predictions, list):
        raise InputError(st.path, "\"annotations\" and \"predictions\" must be lists", line)
    if not annotations and not predictions:
        yield ImportRecord(text=text, source=st.path, line=line, name=name, meta=meta)
        return
    for ann in annotations:
        if not isinstance(ann, dict):
            raise InputError(st.path, f"an annotation must be an object, got {ann!r}", line)
        warnings: list[str] = []
        layer = annotator_layer(ann.get("completed_by"))
        if ann.get("was_cancelled") or ann.get("skipped"):
            yield _record(text, st, line, name, meta, [], annotator=layer, answer="ignore", warnings=warnings)
            continue
        yield _record(text, st, line, name, meta, ann.get("result") or [], annotator=layer, answer="accept",
                      warnings=warnings)
    for pred in predictions:
        if not isinstance(pred, dict):
            raise InputError(st.path, f"a prediction must be an object, got {pred!r}", line)
        version = str(pred.get("model_version") or "label-studio").strip() or "label-studio"
        layer = version if version.startswith("model:") else f"model:{version}"
        warnings = []
        yield _record(text, st, line, name, meta, pred.get("result") or [], annotator=layer, answer=None,
                      warnings=warnings)


def read_label_studio(
    path: str | Path, name: str | None = None, *, encoding: str = "utf-8",
    skip_lines: frozenset[int] = frozenset(),
) -> Iterator[ImportRecord]:
    """Yield the records of a Label Studio JSON export (see the module docstring)."""
    st = _FileState(str(path))
    stem = Path(path).stem
    for n, (line, task) in enumerate(iter_json_document(path, encoding=encoding, skip_lines=skip_lines), start=1):
        yield from _task_records(task, st, line, f"{stem}:{n}")


def _min_regions(obj: Mapping[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for value in obj.values():
        if _is_region_list(value):
            out.extend(value)
    return out


def read_label_studio_min(
    path: str | Path, name: str | None = None, *, encoding: str = "utf-8",
    skip_lines: frozenset[int] = frozenset(),
) -> Iterator[ImportRecord]:
    """Yield the records of a Label Studio JSON-MIN export (see the module docstring)."""
    st = _FileState(str(path))
    stem = Path(path).stem
    for n, (line, obj) in enumerate(iter_json_document(path, encoding=encoding, skip_lines=skip_lines), start=1):
        if not isinstance(obj, dict):
            raise InputError(st.path, f"a JSON-MIN record must be an object, got {type(obj).__name__}", line)
        regions = _min_regions(obj)
        data = {k: v for k, v in obj.items() if not _is_region_list(v) and k not in _MIN_META_KEYS and k != "id"}
        key, text = _task_text(data, st.path, line)
        meta = dict(data["meta"]) if isinstance(data.get("meta"), dict) else {}
        meta.update({k: v for k, v in data.items() if k not in (key, "meta", "name")})
        if "id" in obj:
            meta["label_studio_id"] = obj["id"]
        result = [{"type": "labels", "id": i, "value": r} for i, r in enumerate(regions)]
        name = _name(data.get("name"), obj.get("id"), default=f"{stem}:{n}")
        if not regions and obj.get("annotation_id") is None:  # a task nobody annotated
            yield ImportRecord(text=text, source=st.path, line=line, name=name, meta=meta)
            continue
        warnings: list[str] = []
        yield _record(text, st, line, name, meta, result, annotator=annotator_layer(obj.get("annotator")),
                      answer="accept", warnings=warnings)



def sniff_label_studio(path: Path, lines: Sequence[str]) -> float:
    """A JSON document (array or single task) of Label Studio tasks."""
    return 0.95 if cached_kind(Path(path)) == FORMAT else 0.0


def sniff_label_studio_min(path: Path, lines: Sequence[str]) -> float:
    """A JSON array of Label Studio JSON-MIN records."""
    return 0.95 if cached_kind(Path(path)) == FORMAT_MIN else 0.0


register(Format(
    name=FORMAT,
    description="Label Studio JSON",
    suffixes=(".json",),
    sniff=sniff_label_studio,
    reader=read_label_studio,
))
register(Format(
    name=FORMAT_MIN,
    description="Label Studio JSON-MIN",
    suffixes=(".json",),
    sniff=sniff_label_studio_min,
    reader=read_label_studio_min,
))
