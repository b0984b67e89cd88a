"""spaCy export: ``OUT/train.spacy``, ``OUT/dev.spacy`` and ``OUT/config.cfg``.

* Docs are built on the stored tokens and sentence starts
  (:func:`annotator.tokenize.doc_from_offsets`), and written by
  :class:`~annotator.export_docbin.StreamingDocBin` (DocBin's format, constant memory).
* A span's knowledge-base id is its ``kb_id_`` (in the span group and in ``doc.ents``).
* All spans of the layer go to ``doc.spans[spans_key]``; the same spans become ``doc.ents`` when
  they do not overlap. In a document whose spans overlap, ``doc.ents`` holds the longest
  non-overlapping ones and the tokens of the others are marked *missing* (neither entity nor
  ``O``) so the NER model is not taught that they are outside an entity; the report names these
  documents.
* Spans not on token boundaries are expanded (``alignment_mode="expand"``); the report counts them.
* Relations: ``doc._.rel`` (stored in ``doc.user_data``, kept by ``DocBin(store_user_data=True)``)
  maps ``(head start token, child start token)`` to ``{label: 1.0}`` for the relations that hold,
  and nothing else: a pair or label that is absent does not hold. That is the default Explosion's
  relation-extraction tutorial reads it with (``eg.reference._.rel.get((e1.start, e2.start),
  {})`` then ``.get(label, 0)``), and it keeps the file as large as the relations (a dense map
  over every pair of spans and every label grows with their product: 42.8 M entries for 16
  documents of a dependency corpus). ``SpacyOptions(dense_relations=True)`` writes the dense map
  (``0.0`` for every other ordered pair of spans and label) for readers that need it. A relation
  that the shape cannot hold (one of its spans was left out, both start on one token, or another
  relation has its label on the same start tokens) is not counted, and a warning names its
  documents.
  A suggester's relation (a ``model:project@N`` layer) is written as ``1.0`` too, not with its
  model score: ``doc._.rel`` is the reference a relation model trains on, and a reader (this
  program's importer, :data:`corpus.formats.spacy_docbin.REL_THRESHOLD`) takes a value under
  0.5 for "does not hold", so a score there would change what the file says. The score is in
  the Prodigy JSONL and Label Studio exports.
* ``dev.spacy``: a reproducible (``seed``) split by document of ``dev_fraction`` of the
  documents; with no dev fraction it is a copy of ``train.spacy`` (a warning says evaluation
  scores will then be on training data) so the ``spacy train`` command always runs.
* ``config.cfg``: spaCy's own ``init_config`` (lang of the project, ``["ner"]``, efficiency);
  the labels are listed in its header comment and read from ``train.spacy`` by ``spacy train``.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from typing import Any

from corpus.errors import ExportError
from corpus.formats.registry import Writer, add_writer
from corpus.model import Document, Span
from corpus.store import reports as q

from annotator import export_base as base
from annotator.export_base import ExportContext, doc_label, names_list
from annotator.export_docbin import StreamingDocBin
from annotator.progress import Progress
from annotator.tokenize import doc_from_offsets

__all__ = ["SpacyOptions", "dev_split", "relation_user_data", "spacy_doc", "training_config", "write_spacy"]


@dataclass(frozen=True)
class SpacyOptions:
    """Options of the spaCy export: share of documents in ``dev.spacy`` (by document, chosen by
    ``seed``; 0 = ``dev.spacy`` is a copy of ``train.spacy``) and the ``doc.spans`` key."""

    dev_fraction: float = 0.0
    seed: int = 0
    spans_key: str = "sc"
    #: ``doc._.rel`` over every ordered pair of spans and label (0.0 / 1.0) instead of the
    #: relations that hold only
    dense_relations: bool = False

    def __post_init__(self) -> None:
        if not (0.0 <= self.dev_fraction < 1.0):
            raise ExportError(f"--dev-fraction must be at least 0 and below 1, got {self.dev_fraction}")
        if not self.spans_key or not self.spans_key.strip():
            raise ExportError("--spans-key must not be empty")


def _ensure_rel_extension() -> None:
    from spacy.tokens import Doc

    if not Doc.has_extension("rel"):
        Doc.set_extension("rel", default={})


def relation_user_data(
    spans: Sequence[Any], span_ids: Sequence[int | None], relations: Sequence[Any], labels: Sequence[str],
    dense: bool = False,
) -> dict[tuple[int, int], dict[str, float]]:
    """``doc._.rel`` for token spans ``spans`` (spaCy ``Span``; ``span_ids`` are their store ids):
    ``(head start, child start) -> {label: 1.0}`` for each relation that holds; with ``dense``
    every ordered pair of spans with distinct start tokens -> ``{label: 0.0 | 1.0}``."""
    starts = sorted({s.start for s in spans})
    rels: dict[tuple[int, int], dict[str, float]] = {}
    if dense and len(starts) > 1 and labels:
        zero = dict.fromkeys(labels, 0.0)
        rels = {(a, b): zero.copy() for a in starts for b in starts if a != b}
    start_of = {sid: s.start for s, sid in zip(spans, span_ids)}
    for rel in relations:
        h, c = start_of.get(rel.head), start_of.get(rel.child)
        if h is None or c is None or h == c:
            continue
        rels.setdefault((h, c), dict.fromkeys(labels, 0.0) if dense else {})[rel.label] = 1.0
    return rels


@dataclass
class DocOutcome:
    """What :func:`spacy_doc` had to adapt in one document."""

    expanded: int = 0
    overlap: bool = False
    unusable: list[Span] = field(default_factory=list)
    #: relations ``doc._.rel`` (keyed by start tokens) cannot hold: a span left out, both spans
    #: on one start token, or the same label already on that pair of start tokens
    lost_relations: int = 0


def spacy_doc(
    vocab: Any,
    document: Document,
    spans: Sequence[Span],
    relations: Sequence[Any],
    relation_labels: Sequence[str],
    spans_key: str = "sc",
    partial: bool = False,
    dense_relations: bool = False,
) -> tuple[Any, DocOutcome]:
    """A spaCy ``Doc`` on the stored tokens with ``spans`` as ``doc.spans[spans_key]`` and
    ``doc.ents`` (see the module docstring) and relations in ``doc._.rel``. ``partial`` (a binary
    accept: only the spans are known) marks every other token *missing* instead of outside an
    entity, so NER training does not learn that they are ``O``."""
    from spacy.tokens import Span as SpacySpan
    from spacy.util import filter_spans

    _ensure_rel_extension()
    doc = doc_from_offsets(vocab, document)
    outcome = DocOutcome()
    token_spans: list[Any] = []
    ids: list[int | None] = []
    for sp in spans:
        s = doc.char_span(sp.start, sp.end, label=sp.label, kb_id=sp.kb_id, alignment_mode="expand")
        if s is None or not len(s):
            outcome.unusable.append(sp)
            continue
        if s.start_char != sp.start or s.end_char != sp.end:
            outcome.expanded += 1
        token_spans.append(s)
        ids.append(sp.id)
    doc.spans[spans_key] = token_spans
    ordered = sorted(token_spans, key=lambda s: (s.start, s.end))
    overlap = any(b.start < a.end for a, b in zip(ordered, ordered[1:]))
    outside = "missing" if partial else "outside"
    if not overlap:
        doc.set_ents(ordered, default=outside)
    else:
        outcome.overlap = True
        kept = sorted(filter_spans(token_spans), key=lambda s: s.start)
        covered = {i for s in kept for i in range(s.start, s.end)}
        conflict = sorted({i for s in token_spans for i in range(s.start, s.end)} - covered)
        missing: list[Any] = []
        for i in conflict:
            if missing and missing[-1][1] == i:
                missing[-1][1] = i + 1
            else:
                missing.append([i, i + 1])
        doc.set_ents(kept, missing=[SpacySpan(doc, a, b) for a, b in missing], default=outside)
    if relation_labels:
        rel = relation_user_data(token_spans, ids, relations, relation_labels, dense=dense_relations)
        doc._.rel = rel
        outcome.lost_relations = len(relations) - int(sum(v for d in rel.values() for v in d.values()))
    return doc, outcome


def training_config(lang: str, ner_labels: Sequence[str]) -> tuple[str, list[str]]:
    """``config.cfg`` text from spaCy's ``init_config`` (``["ner"]``, efficiency) for the export's
    NER labels; returns (text, warnings).

    The labels are listed in a comment at the top; spaCy reads them from ``train.spacy`` when
    ``spacy train`` initialises the pipeline. (Pinning them in ``[initialize.components.ner]``
    would need the empty-string label of the "O" move as a config key, which spaCy cannot
    write back when it merges command-line overrides.)
    """
    from spacy.cli.init_config import init_config

    warnings: list[str] = []
    try:
        cfg = init_config(lang=lang, pipeline=["ner"], optimize="efficiency", gpu=False, silent=True)
    except (Exception, SystemExit) as exc:  # spaCy exits on an unknown language
        raise ExportError(f"cannot build a spaCy training config for language {lang!r} ({exc})") from None
    shown = ", ".join(" ".join(lab.split()) for lab in ner_labels) or "none"
    header = (
        "# spaCy training config written by `annotator export --format spacy`\n"
        f"# NER labels in this export: {shown}\n"
        "# Train: python -m spacy train config.cfg --paths.train train.spacy --paths.dev dev.spacy\n"
    )
    if not ner_labels:
        warnings.append("config.cfg: the export has no entity labels; spacy train needs at least one")
    return header + cfg.to_str(), warnings


def dev_split(doc_ids: Sequence[int], dev_fraction: float, seed: int) -> set[int]:
    """The ids that go to dev: ``round(fraction * n)`` documents (at least one when the
    fraction is positive and there are two documents or more), chosen by ``seed``."""
    n = len(doc_ids)
    if dev_fraction <= 0 or n < 2:
        return set()
    k = min(n - 1, max(1, round(dev_fraction * n)))
    return set(random.Random(seed).sample(sorted(doc_ids), k))


@dataclass
class _Split:
    train: StreamingDocBin
    dev: StreamingDocBin | None
    dev_ids: set[int]
    n_train: int = 0
    n_dev: int = 0
    lost: int = 0
    lost_docs: list[str] = field(default_factory=list)

    def add(self, document: Document, doc: Any) -> None:
        if self.dev is not None and document.id in self.dev_ids:
            self.dev.add(doc)
            self.n_dev += 1
        else:
            self.train.add(doc)
            self.n_train += 1

    def abort(self) -> None:
        self.train.abort()
        if self.dev is not None:
            self.dev.abort()


def write_spacy(ctx: ExportContext, opts: SpacyOptions) -> Generator[Progress, None, None]:
    """The spaCy writer (see the module docstring)."""
    import spacy

    ids = ctx.select()
    partial = ctx.partial_ids()
    n = len(ids)
    dev_ids = dev_split(ids, opts.dev_fraction, opts.seed)
    ent_labels = q.layer_entity_labels(ctx.store, ctx.layer, ids)
    rel_labels = q.layer_relation_labels(ctx.store, ctx.layer, ids)
    config_text, config_warnings = training_config(ctx.lang, ent_labels)
    ctx.tally.warnings.extend(config_warnings)
    vocab = spacy.blank(ctx.lang).vocab
    split = _Split(StreamingDocBin(ctx.path("train.spacy")),
                   StreamingDocBin(ctx.path("dev.spacy")) if dev_ids else None, dev_ids)
    try:
        yield ctx.progress(0, n)
        for k, ad in enumerate(ctx.annotated(ids), start=1):
            doc, outcome = spacy_doc(vocab, ad.document, ad.spans, ad.relations, rel_labels, opts.spans_key,
                                     partial=ad.document.id in partial, dense_relations=opts.dense_relations)
            ctx.tally.document(ad.document, len(ad.spans) - len(outcome.unusable),
                               len(ad.relations) - outcome.lost_relations, outcome.expanded, outcome.overlap,
                               outcome.unusable)
            if outcome.lost_relations:
                split.lost += outcome.lost_relations
                split.lost_docs.append(doc_label(ad.document))
            split.add(ad.document, doc)
            if k % base.BATCH == 0:
                yield ctx.progress(k, n)
        split.train.close()
        if split.dev is not None:
            split.dev.close()
        else:
            shutil.copyfile(ctx.path("train.spacy"), ctx.path("dev.spacy"))
            why = "no --dev-fraction" if opts.dev_fraction <= 0 else f"{n} document(s), too few to split"
            ctx.tally.warnings.append(
                f"{why}: dev.spacy is a copy of train.spacy, so evaluation scores are measured on the training data"
            )
        ctx.path("config.cfg").write_text(config_text, encoding="utf-8")
        yield ctx.progress(n, n)
    finally:
        split.abort()
    if split.lost:
        ctx.tally.warnings.append(
            f"{split.lost} relations left out of doc._.rel, which is keyed by start tokens (a span "
            f"was left out, both spans start on one token, or another relation has the same label on "
            f"the same start tokens) in {names_list(split.lost_docs)}"
        )
    ctx.tally.extra.update(train_documents=split.n_train, dev_documents=split.n_dev)


add_writer("spacy", Writer(
    write=write_spacy,
    options_type=SpacyOptions,
    order=10,
    produces="train.spacy, dev.spacy and a config.cfg ready for spacy train",
    label="spaCy DocBin (.spacy)",
), description="spaCy DocBin")
