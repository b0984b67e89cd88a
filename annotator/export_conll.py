"""CoNLL-2003 export (:mod:`corpus.formats.write_conll`): ``OUT/LAYER.conll``, or the file
``OUT`` names. ``word POS chunk NE`` (or ``word NE`` with 2 columns), ``-DOCSTART-`` between
documents, IOB2 by default, IOB1 and BILOU on request. The POS (and NP chunk) columns come from a
spaCy pipeline's tagger when asked (``pos``), else the ``-X-`` placeholder."""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass
from typing import Any

from corpus.errors import CorpusError, ExportError
from corpus.formats.registry import Writer, add_writer
from corpus.formats.write_conll import SCHEMES, conll_document
from corpus.model import Document, Span
from corpus.store import Store
from corpus.store import reports as q
from corpus.settings import MODEL

from annotator import export_base as base
from annotator.export_base import ExportContext
from annotator.progress import Progress
from annotator.tokenize import doc_from_offsets

__all__ = ["PROJECT_MODEL", "ConllOptions", "write_conll"]

#: ``pos`` value asking for the project's spaCy pipeline (setting ``model``, else the installed one).
PROJECT_MODEL = "project"
#: Where ``OUT`` may name the output file (the first one is the default).
OUTPUT_SUFFIXES = (".conll", ".txt", ".iob", ".bio", ".tsv", ".conllu")


@dataclass(frozen=True)
class ConllOptions:
    """Options of the CoNLL export: the tag ``scheme`` (iob2, iob1, bilou), ``columns`` (4 =
    ``word POS chunk NE``, 2 = ``word NE``) and ``pos``: :data:`PROJECT_MODEL`, a spaCy package
    name or path whose tagger fills the POS column, ``""`` for the ``-X-`` placeholder, ``None``
    for the project's pipeline when the project names one (setting ``model``), else the
    placeholder."""

    scheme: str = "iob2"
    columns: int = 4
    pos: str | None = None

    def __post_init__(self) -> None:
        if self.scheme not in SCHEMES:
            raise ExportError(f"unknown tag scheme {self.scheme!r} (choose {', '.join(SCHEMES)})")
        if self.columns not in (2, 4):
            raise ExportError(f"--columns must be 2 or 4, got {self.columns}")
        if self.pos and self.columns != 4:
            raise ExportError("--pos applies to --format conll with 4 columns only")


def _pos_pipeline(store: Store, pos: str) -> Any:
    """The spaCy pipeline whose tagger fills the POS column (NER and lemmatizer excluded)."""
    import spacy

    from annotator.suggest import resolve_model

    try:
        choice = resolve_model(store, None if pos == PROJECT_MODEL else pos)
    except CorpusError as exc:
        raise ExportError(f"--pos: {str(exc).replace('--model ', '', 1)}") from None
    if choice is None:
        raise ExportError("--pos: no spaCy pipeline is set for this project or installed")
    try:
        nlp = spacy.load(choice.load_target, exclude=["ner", "lemmatizer", "entity_ruler"])
    except Exception as exc:  # noqa: BLE001 - spaCy raises many kinds; the user needs one line
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ExportError(f"--pos: cannot load the spaCy pipeline {choice.name!r} ({first})") from None
    if not any(nlp.get_pipe_meta(n).factory == "tagger" for n in nlp.pipe_names):
        raise ExportError(f"--pos: the spaCy pipeline {choice.name!r} has no tagger")
    return nlp


def _pos_and_chunks(doc: Any, document: Document) -> tuple[list[str], list[str] | None]:
    """Fine-grained tags (and IOB2 NP chunks when parsed) per stored token of ``document``."""
    by_start = {t.idx: t for t in doc}
    tags = [by_start[s].tag_ if s in by_start else "" for s, _ in document.tokens]
    if not doc.has_annotation("DEP"):
        return tags, None
    chunk_of: dict[int, str] = {}
    for nc in doc.noun_chunks:
        for t in nc:
            chunk_of[t.idx] = "B-NP" if t.i == nc.start else "I-NP"
    return tags, [chunk_of.get(s, "O") for s, _ in document.tokens]


def _overlaps_any(sp: Span, spans: Sequence[Span]) -> bool:
    return any(o is not sp and o.overlaps(sp) for o in spans)


def _batches(ctx: ExportContext, ids: Sequence[int]) -> Generator[list[q.AnnotatedDocument], None, None]:
    batch: list[q.AnnotatedDocument] = []
    for ad in ctx.annotated(ids):
        batch.append(ad)
        if len(batch) >= base.BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def write_conll(ctx: ExportContext, opts: ConllOptions) -> Generator[Progress, None, None]:
    """Write the exported documents as one CoNLL file."""
    pos = opts.pos
    if pos is None:
        pos = PROJECT_MODEL if opts.columns == 4 and ctx.store.get_setting(MODEL) else ""
    nlp = _pos_pipeline(ctx.store, pos) if pos else None
    ids = ctx.select()
    partial = ctx.partial_ids()
    if partial & set(ids):
        # a tag column has no "unknown": writing O for the unannotated tokens of a binary
        # accept would teach that they are outside an entity
        ctx.tally.warnings.append(
            f"{len(partial & set(ids))} document(s) with a partial (binary) accept left out: CoNLL has no tag "
            "for unknown tokens (the spaCy export keeps them, with those tokens missing)")
        ids = [i for i in ids if i not in partial]
    renamed = done = 0
    yield ctx.progress(0, len(ids))
    with open(ctx.path(ctx.file_name), "w", encoding="utf-8", newline="\n") as fh:
        for batch in _batches(ctx, ids):
            if nlp is None:
                tagged: list[tuple[Any, Any]] = [(None, None)] * len(batch)
            else:
                docs = nlp.pipe(doc_from_offsets(nlp, ad.document) for ad in batch)
                tagged = [_pos_and_chunks(d, ad.document) for d, ad in zip(docs, batch)]
            for bd, (tags, chunks) in zip(batch, tagged):
                cd = conll_document(bd.document, bd.spans, scheme=opts.scheme, columns=opts.columns, pos=tags,
                                    chunks=chunks)
                fh.write(cd.text)
                overlap = any(_overlaps_any(sp, bd.spans) for sp in cd.dropped)
                ctx.tally.document(bd.document, len(bd.spans) - len(cd.dropped), 0, len(cd.expanded), overlap,
                                   cd.dropped)
                renamed += cd.renamed_tokens
            done += len(batch)
            if done < len(ids):
                yield ctx.progress(done, len(ids))
    if renamed:
        ctx.tally.warnings.append(f"{renamed} tokens with whitespace inside had it replaced by '_'")
    yield ctx.progress(len(ids), len(ids))


add_writer("conll", Writer(
    write=write_conll,
    options_type=ConllOptions,
    order=30,
    produces="word POS chunk NE columns, -DOCSTART- between documents",
    single_file=OUTPUT_SUFFIXES,
    label="CoNLL-2003",
))
