"""JSONL export in Prodigy's shape (:mod:`corpus.formats.write_jsonl`): ``OUT/LAYER.jsonl``, or
the ``.jsonl`` file ``OUT`` names. ``layer="all"`` writes one line per document and layer, plus
the documents no layer touched (without ``_annotator_id``)."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass

from corpus.formats.jsonl import JSON_SUFFIXES
from corpus.formats.registry import Writer, add_writer
from corpus.formats.write_jsonl import dumps_record, prodigy_record
from corpus.store import answers as aq
from corpus.store import reports as q

from annotator import export_base as base
from annotator.export_base import ALL_LAYERS, ExportContext, with_tokens
from annotator.progress import Progress

__all__ = ["JsonlOptions", "write_jsonl"]


@dataclass(frozen=True)
class JsonlOptions:
    """The JSONL export has no options of its own (layer and only-done are common to all)."""


def write_jsonl(ctx: ExportContext, opts: JsonlOptions) -> Generator[Progress, None, None]:
    """Write one Prodigy-shaped JSON line per exported document and layer."""
    plan = [(lay, ctx.select(lay, keep_declined=True)) for lay in ctx.layers]
    extra = q.unannotated_document_ids(ctx.store) if ctx.layer == ALL_LAYERS and not ctx.only_done else []
    total = sum(len(ids) for _, ids in plan) + len(extra)
    docs_seen: set[int] = set()
    done = 0
    yield ctx.progress(0, total)
    with open(ctx.path(ctx.file_name), "w", encoding="utf-8", newline="\n") as fh:
        for lay, ids in plan:
            said = aq.answers(ctx.store, lay)
            declined = aq.declined_document_ids(ctx.store, lay)
            for ad in ctx.annotated(ids, lay):
                doc_id = ad.document.id or 0
                told = said.get(doc_id)
                answer = told.answer if told and doc_id in declined else ("ignore" if doc_id in declined else "accept")
                fh.write(dumps_record(prodigy_record(ad.document, ad.spans, ad.relations, lay, answer=answer,
                                                     partial=bool(told and told.partial and answer == "accept"))))
                docs_seen.add(ad.document.id or 0)
                ctx.tally.spans += len(ad.spans)
                ctx.tally.relations += len(ad.relations)
                done += 1
                if done % base.BATCH == 0:
                    yield ctx.progress(done, total)
        lang = ctx.lang
        for doc in ctx.store.iter_documents(ids=extra, batch_size=base.BATCH):
            fh.write(dumps_record(prodigy_record(with_tokens(doc, lang), (), (), None)))
            docs_seen.add(doc.id or 0)
            done += 1
            if done % base.BATCH == 0:
                yield ctx.progress(done, total)
    ctx.tally.documents = len(docs_seen)
    yield ctx.progress(total, total)


add_writer("jsonl", Writer(
    write=write_jsonl,
    options_type=JsonlOptions,
    order=20,
    produces="one JSON line per document (spans, relations, tokens, meta)",
    single_file=JSON_SUFFIXES,
    label="Prodigy JSONL",
))
