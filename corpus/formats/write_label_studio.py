"""Label Studio JSON tasks from one layer, and the labelling config that goes with them.

:func:`label_studio_task` turns a document and one layer's spans and relations into a task that
Label Studio imports (Data Manager > Import, or ``POST /api/projects/{id}/import``):

* ``data``: ``text`` (the exact document text), ``name``, and ``meta`` when the document has one;
* the layer's annotations either as ``annotations`` (imported as submitted annotations) or as
  ``predictions`` with ``model_version`` = the layer (pre-annotations a person reviews);
* each span is a ``labels`` region (``from_name="label"``, ``to_name="text"``, ``value``:
  ``start``, ``end``, ``text``, ``labels``); a suggester's span carries its ``score``;
* each relation is a ``relation`` item from the head's region to the child's, ``direction``
  ``right``, with its label in ``labels``; a suggester's relation carries its ``score``;
* a document the layer's owner skipped is an annotation with ``was_cancelled: true`` and no
  result (with predictions: a task without predictions).

Offsets are characters (Unicode code points), end exclusive: what Label Studio stores since
label-studio-frontend#308 (HumanSignal/label-studio#1008, #1559; older versions counted UTF-16
units, which :mod:`corpus.formats.label_studio` still reads).

:func:`label_studio_config` is the ``<View>`` config for those names: one ``<Label>`` per entity
label and one ``<Relation>`` per relation label (labels are escaped, never formatted as XML).

Pure functions: no file or database access here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from xml.sax.saxutils import quoteattr

from corpus.model import Document, Relation, Span

__all__ = ["FROM_NAME", "TO_NAME", "label_studio_task", "label_studio_config"]

#: Names of the control and object tags of :func:`label_studio_config`.
FROM_NAME = "label"
TO_NAME = "text"


def _region_id(span: Span, k: int) -> str:
    return f"s{span.id}" if span.id is not None else f"r{k}"


def _result(document: Document, spans: Sequence[Span], relations: Sequence[Relation],
            with_scores: bool) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    ids: dict[int, str] = {}
    for k, sp in enumerate(spans):
        rid = _region_id(sp, k)
        if sp.id is not None:
            ids[sp.id] = rid
        start, end = sp.start, sp.end
        region: dict[str, Any] = {
            "id": rid, "from_name": FROM_NAME, "to_name": TO_NAME, "type": "labels",
            "value": {"start": start, "end": end, "text": document.text[sp.start:sp.end], "labels": [sp.label]},
        }
        if with_scores and sp.score is not None:
            region["score"] = float(sp.score)
        out.append(region)
    for rel in relations:
        head, child = ids.get(rel.head), ids.get(rel.child)
        if head is None or child is None:
            raise ValueError(f"relation {rel.label!r} points to a span that is not exported")
        item: dict[str, Any] = {"from_id": head, "to_id": child, "type": "relation", "direction": "right",
                                "labels": [rel.label]}
        if with_scores and rel.score is not None:
            item["score"] = float(rel.score)
        out.append(item)
    return out


def label_studio_task(
    document: Document,
    spans: Sequence[Span],
    relations: Sequence[Relation],
    layer: str,
    *,
    predictions: bool = False,
    skipped: bool = False,
) -> dict[str, Any]:
    """One Label Studio task (see the module docstring)."""
    data: dict[str, Any] = {TO_NAME: document.text, "name": document.name}
    if document.meta:
        data["meta"] = dict(document.meta)
    task: dict[str, Any] = {"data": data}
    if predictions:
        task["predictions"] = [] if skipped else [
            {"model_version": layer, "result": _result(document, spans, relations, with_scores=True)}
        ]
    elif skipped:
        task["annotations"] = [{"was_cancelled": True, "result": []}]
    else:
        task["annotations"] = [{"was_cancelled": False, "result": _result(document, spans, relations, False)}]
    return task


def label_studio_config(entity_labels: Iterable[str], relation_labels: Iterable[str] = ()) -> str:
    """A Label Studio labelling config naming these labels (``<Relations>`` only when there are
    relation labels)."""
    rels = list(dict.fromkeys(relation_labels))
    lines = ["<View>"]
    if rels:
        lines.append("  <Relations>")
        lines += [f"    <Relation value={quoteattr(r)}/>" for r in rels]
        lines.append("  </Relations>")
    lines.append(f'  <Labels name="{FROM_NAME}" toName="{TO_NAME}">')
    lines += [f"    <Label value={quoteattr(e)}/>" for e in dict.fromkeys(entity_labels)]
    lines.append("  </Labels>")
    lines.append(f'  <Text name="{TO_NAME}" value="${TO_NAME}"/>')
    lines.append("</View>")
    return "\n".join(lines) + "\n"
