"""Label Studio export (:mod:`corpus.formats.write_label_studio`): ``OUT/tasks.json`` (a JSON
array of tasks, imported by Label Studio's Data Manager > Import) and ``OUT/label_config.xml``
(the labelling config to paste into the project's Settings > Labeling Interface).

A person's layer (or ``gold``) is written as ``annotations``, a suggester's layer (``model:...``,
``patterns``, ``match:...``) as ``predictions`` with ``model_version`` = the layer, so Label
Studio shows them as pre-annotations; :class:`LabelStudioOptions` ``predictions`` overrides the
choice. A document the layer's owner skipped is a cancelled annotation (with predictions: a
task without predictions).
"""

from __future__ import annotations

import json
from collections.abc import Generator
from dataclasses import dataclass

from corpus.formats.registry import Writer, add_writer
from corpus.formats.write_label_studio import label_studio_config, label_studio_task
from corpus.model import is_suggester_layer
from corpus.store import answers as aq
from corpus.store import reports as q

from annotator import export_base as base
from annotator.export_base import ExportContext
from annotator.progress import Progress

__all__ = ["LabelStudioOptions", "write_label_studio", "TASKS_FILE", "CONFIG_FILE"]

TASKS_FILE = "tasks.json"
CONFIG_FILE = "label_config.xml"


@dataclass(frozen=True)
class LabelStudioOptions:
    """``predictions``: write the layer as predictions (``True``) or annotations (``False``);
    ``None`` decides by the layer (suggesters as predictions, people and gold as annotations)."""

    predictions: bool | None = None


def write_label_studio(ctx: ExportContext, opts: LabelStudioOptions) -> Generator[Progress, None, None]:
    """Write ``tasks.json`` (one task per exported document) and ``label_config.xml``."""
    ids = ctx.select(keep_declined=True)
    as_predictions = is_suggester_layer(ctx.layer) if opts.predictions is None else opts.predictions
    skipped = aq.declined_document_ids(ctx.store, ctx.layer)
    yield ctx.progress(0, len(ids))
    with open(ctx.path(TASKS_FILE), "w", encoding="utf-8", newline="\n") as fh:
        fh.write("[")
        for k, ad in enumerate(q.iter_annotated(ctx.store, ctx.layer, ids, base.BATCH), start=1):
            doc = ad.document
            task = label_studio_task(doc, ad.spans, ad.relations, ctx.layer, predictions=as_predictions,
                                     skipped=doc.id in skipped and not ad.spans)
            fh.write(("\n" if k == 1 else ",\n") + json.dumps(task, ensure_ascii=False))
            ctx.tally.document(doc, len(ad.spans), len(ad.relations))
            if k % base.BATCH == 0:
                yield ctx.progress(k, len(ids))
        fh.write("\n]\n")
    config = label_studio_config(q.layer_entity_labels(ctx.store, ctx.layer, ids),
                                 q.layer_relation_labels(ctx.store, ctx.layer, ids))
    ctx.path(CONFIG_FILE).write_text(config, encoding="utf-8")
    yield ctx.progress(len(ids), len(ids))


add_writer("label-studio", Writer(
    write=write_label_studio,
    options_type=LabelStudioOptions,
    produces="tasks.json (annotations, or predictions for a suggester layer) and label_config.xml",
))
