"""brat standoff export (:mod:`corpus.formats.write_brat`): ``OUT/NAME.txt`` and ``OUT/NAME.ann``
per document and ``OUT/annotation.conf``. brat reads every ``.ann`` of a folder, so a folder
holding other documents' ``.ann`` files is refused (an earlier, larger export would mix in)."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass

from corpus.errors import ExportError
from corpus.formats.registry import Writer, add_writer
from corpus.formats.write_brat import KB_PREFIX, annotation_conf, brat_ann, safe_stem
from corpus.store import reports as q

from annotator import export_base as base
from annotator.export_base import ExportContext
from annotator.progress import Progress

__all__ = ["BratOptions", "write_brat"]


@dataclass(frozen=True)
class BratOptions:
    """The brat export has no options of its own (layer and only-done are common to all)."""


def write_brat(ctx: ExportContext, opts: BratOptions) -> Generator[Progress, None, None]:
    """Write the ``.txt``/``.ann`` pairs and ``annotation.conf`` of the exported documents."""
    ids = ctx.select()
    used: set[str] = {"annotation", "visual", "tools", "kb_shortcuts"}  # brat's own config names
    multiline = prefixed = 0
    overlaps: set[tuple[str, str, str]] = set()
    attributes: dict[str, set[str | bool]] = {}
    yield ctx.progress(0, len(ids))
    for k, ad in enumerate(ctx.annotated(ids, tokens=False), start=1):
        doc = ad.document
        stem = safe_stem(doc.name, used, fallback=f"document-{doc.id}")
        bd = brat_ann(doc.text, ad.spans, ad.relations)
        with open(ctx.path(f"{stem}.txt"), "w", encoding="utf-8", newline="") as fh:
            fh.write(doc.text)
        with open(ctx.path(f"{stem}.ann"), "w", encoding="utf-8", newline="\n") as fh:
            fh.write(bd.ann)
        multiline += bd.multiline_spans
        overlaps |= bd.overlaps
        prefixed += bd.kb_ids_prefixed
        for sp in ad.spans:
            for name, value in sp.attributes:
                attributes.setdefault(name, set()).add(value)
        ctx.tally.document(doc, bd.entities, bd.relations)
        if k % base.BATCH == 0:
            yield ctx.progress(k, len(ids))
    stale = sorted(f.name for f in ctx.out.glob("*.ann") if f.name not in ctx.staging.names)
    if stale:
        # brat reads every .ann in the folder: an earlier export's documents would mix in.
        raise ExportError(
            f"{ctx.out}: already holds {len(stale)} brat document(s) this export does not write "
            f"({', '.join(stale[:3])}{', ...' if len(stale) > 3 else ''}); choose an empty folder"
        )
    conf = annotation_conf(q.layer_entity_labels(ctx.store, ctx.layer, ids),
                           q.layer_relation_signatures(ctx.store, ctx.layer), overlaps, attributes)
    ctx.path("annotation.conf").write_text(conf, encoding="utf-8")
    if prefixed:
        ctx.tally.warnings.append(
            f"{prefixed} kb ids without a database name written as {KB_PREFIX}:ID (brat's N lines need DB:ID)")
    if multiline:
        ctx.tally.warnings.append(
            f"{multiline} spans cross a line break (continuous offsets kept; brat may ask to split them)")
    yield ctx.progress(len(ids), len(ids))


add_writer("brat", Writer(
    write=write_brat,
    options_type=BratOptions,
    order=40,
    produces="a .txt and .ann per document and an annotation.conf",
    label="brat standoff",
))
