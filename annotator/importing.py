"""Importing files into a project: parse, tokenise, store, all in one transaction.

:func:`import_job` is a generator (a long job, see :mod:`annotator.progress`): it streams the
records the parsers of :mod:`corpus.formats` read, tokenises the texts in batches with the
project tokenizer (``nlp.pipe``), and writes documents, spans and relations batch by batch, so
memory does not grow with the size of the corpus. Everything happens inside one
``store.transaction()``: on any error (or when the consumer stops the job) nothing of the import
is kept and the project file is exactly as before.

Rules a user relies on:

* **One text, one document.** Documents are matched by content hash (of the exact text); the
  same article imported again or from another annotator's file gets one more layer, not a copy.
* **Layers.** Annotations go to the layer named by ``annotator`` when given (it overrides the
  file), else by the file (Prodigy's ``_annotator_id``), else by the format (``prodigy``,
  ``doccano``, ``brat``, ``conll``). A person's layer is registered as an annotator.
* **Offsets are kept exactly.** The project owns tokenisation, so when it tokenises a new
  document it cuts the tokens wherever one of the record's spans starts or ends inside a token
  (sub-token proteins: "YfeABCD" with spans YfeA, B, C, D becomes four tokens): every such span
  is token-aligned, and the spaCy export holds it exactly (:attr:`ImportReport.tokens_split`
  counts the cuts). A document already in the project keeps its stored tokens (other layers and
  earlier work were aligned to them), and a file's own tokens are kept as written: spans off
  those tokens are kept exactly and counted in :attr:`ImportReport.off_token_spans` (and by
  ``annotator stats``).
* **Tokens.** Texts are tokenised by the project tokenizer, except CoNLL and Prodigy records
  that carry their own tokens: those tokens (and CoNLL's sentences) are kept. A text longer than
  spaCy's ``max_length`` (1,000,000 characters) is imported whole: the limit guards the memory
  of parsers and NER, not of the tokenizer.
* **Text is text.** A NUL character, a lone surrogate (half of a character, from a JSON escape),
  NaN or Infinity in meta, or a UTF-16 file are refused with the file and line
  (:func:`corpus.formats.records.validate_record`), before anything is written.
* **Labels.** A project without labels gets the default schema on its first import. Labels the
  files use that the schema lacks are *added* to the schema (importing another tool's
  annotations must not fail on its label set) and listed in the warnings; brat's
  ``annotation.conf`` adds its entity and relation types the same way.
* **Overlaps.** Overlapping spans in one layer (brat allows them) are kept and counted in a
  warning when the project does not allow overlaps.
* **Statuses and answers.** A document whose file says it was accepted (Prodigy ``answer:
  accept``), or an annotated document of a format without answers that has at least one span, is
  marked *done* for that layer's annotator; a rejected or ignored example (Prodigy, a cancelled
  Label Studio annotation) is imported without its annotations and marked *skipped* (never
  downgrading *done*). The answer itself (accept / reject / ignore, and whether an accept is
  partial, as binary answers are) is kept per document and layer
  (:mod:`corpus.store.answers`) so exports keep its meaning; spans the file declares
  wrong (binary rejects, span-level rejects) become the annotator's rejections.
"""

from __future__ import annotations

import hashlib
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from corpus.errors import AnnotationError, InputError
from corpus.formats.brat import read_annotation_conf
from corpus.formats.detect import InputFile, expand_paths
from corpus.formats.records import ImportRecord
from corpus.formats.resume import Skipped, read_resilient
from corpus.model import (
    Document,
    DocumentStatus,
    Label,
    LabelKind,
    Relation,
    Span,
    is_person_layer,
    is_token_aligned,
)
from corpus.resources import default_labels, label_colours
from corpus.store import Store
from corpus.settings import allows_overlap

from annotator.progress import Progress, drain
from annotator.tokenize import (
    DEFAULT_LANG,
    doc_from_offsets,
    project_tokenizer,
    split_at_boundaries,
    tokenize_many,
)

__all__ = ["ImportReport", "import_job", "import_paths", "BATCH_SIZE", "MAX_WARNINGS"]

#: Documents parsed, tokenised and written per batch.
BATCH_SIZE = 256
#: Warnings kept in a report; more are summarised in one line.
MAX_WARNINGS = 200

@dataclass(frozen=True)
class ImportReport:
    """What an import did.

    ``spans`` and ``relations`` count rows actually added (re-importing the same file adds
    none); ``layers`` are the layers that received annotations from these files;
    ``off_token_spans`` counts imported spans whose offsets are not on token boundaries (kept
    exactly: spans on documents already in the project or off a file's own tokens);
    ``tokens_split`` counts the tokens of new documents cut at span boundaries;
    ``labels_added`` are the labels added to the project schema.
    """

    documents_added: int = 0
    documents_existing: int = 0
    spans: int = 0
    relations: int = 0
    layers: list[str] = field(default_factory=list)
    off_token_spans: int = 0
    warnings: list[str] = field(default_factory=list)
    labels_added: list[str] = field(default_factory=list)
    files: int = 0
    #: every record left out, ``FILE, line N: reason (record skipped)``
    skipped: list[str] = field(default_factory=list)
    tokens_split: int = 0

    def summary(self) -> str:
        """One line for the command line's output."""
        parts = [
            f"{self.documents_added} documents added",
            f"{self.documents_existing} already in the project",
            f"{self.spans} spans",
            f"{self.relations} relations",
        ]
        if self.layers:
            parts.append(f"layers: {', '.join(self.layers)}")
        if self.off_token_spans:
            parts.append(f"{self.off_token_spans} spans off token boundaries (kept)")
        if self.tokens_split:
            parts.append(f"{self.tokens_split} tokens split at span boundaries")
        if self.skipped:
            parts.append(f"{len(self.skipped)} records skipped")
        if self.warnings:
            parts.append(f"{len(self.warnings)} warnings")
        return f"imported {self.files} file{'s' if self.files != 1 else ''}: " + "; ".join(parts)


def _colour(name: str) -> str:
    colours = label_colours()
    return colours[int(hashlib.sha1(name.encode("utf-8")).hexdigest(), 16) % len(colours)]


def _estimate(files: Sequence[InputFile]) -> int:
    total = 0
    for f in files:
        if f.fmt in ("jsonl", "prodigy", "doccano"):
            try:
                with open(f.path, "rb") as fh:
                    total += sum(1 for line in fh if line.strip())
            except OSError:
                pass
        elif f.fmt != "brat-conf":
            total += 1
    return total


class _Importer:
    """State of one running import (inside the caller's transaction)."""

    def __init__(self, store: Store, annotator: str | None) -> None:
        self.store = store
        self.annotator = annotator.strip() if annotator else None
        self.nlp = project_tokenizer()
        self.warnings: list[str] = []
        self.n_warnings = 0
        self.added = 0
        self.existing = 0
        self.off_token = 0
        self.tokens_split = 0
        self.layers: set[str] = set()
        self.registered: set[str] = set()
        self.labels_added: list[str] = []
        self.overlapping = 0
        self.overlap_where: list[str] = []  # file and line of the first few
        self.allow_overlap = allows_overlap(store)
        self.known = {
            LabelKind.ENTITY: set(store.label_names(LabelKind.ENTITY)),
            LabelKind.RELATION: set(store.label_names(LabelKind.RELATION)),
        }

    # -- helpers -----------------------------------------------------------------------------
    def warn(self, message: str) -> None:
        self.n_warnings += 1
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(message)

    def final_warnings(self) -> list[str]:
        if self.overlapping:
            more = ", ..." if self.overlapping > len(self.overlap_where) else ""
            self.warn(f"{self.overlapping} document(s) hold overlapping spans in one layer "
                      f"({'; '.join(self.overlap_where)}{more}); kept as imported, although the "
                      "project does not allow overlaps when editing")
        out = list(self.warnings)
        if self.n_warnings > len(out):
            out.append(f"... and {self.n_warnings - len(out)} more warnings")
        return out

    def register_layer(self, layer: str, rec: ImportRecord) -> None:
        if layer in self.registered:
            return
        try:
            if is_person_layer(layer):
                self.store.add_annotator(layer)
            else:
                self.store.ensure_layer(layer)
        except AnnotationError as exc:
            raise InputError(rec.source, f"cannot use {layer!r} as an annotator name ({exc})", rec.line) from None
        self.registered.add(layer)

    def ensure_labels(self, kind: LabelKind, names: Sequence[str], where: str) -> None:
        new = [n for n in dict.fromkeys(names) if n not in self.known[kind]]
        if not new:
            return
        self.store.set_labels(Label(name=n, kind=kind, color=_colour(n)) for n in new)
        self.known[kind].update(new)
        self.labels_added.extend(new)
        self.warn(f"{where}: added {kind.value} label{'s' if len(new) > 1 else ''} "
                  f"{', '.join(repr(n) for n in new)} to the project schema")

    def layer_for(self, rec: ImportRecord, fmt: str) -> str:
        return self.annotator or rec.annotator or fmt

    # -- one batch ---------------------------------------------------------------------------
    def _documents(self, batch: Sequence[tuple[ImportRecord, str]]) -> tuple[list[Document], list[int]]:
        """The batch's documents, tokenised and cut at their spans' boundaries, and the number
        of tokens cut in each."""
        plain = [rec.text for rec, _ in batch if rec.tokens is None]
        longest = max(map(len, plain), default=0)
        # spaCy refuses texts over max_length (E088) to bound the memory of parsers and NER;
        # the tokenizer and sentencizer need little, and the text is the project's: keep it.
        for nlp in (self.nlp, project_tokenizer(DEFAULT_LANG)):  # the one tokenize_many uses
            if longest >= nlp.max_length:
                nlp.max_length = longest + 1
        tokenised = iter(tokenize_many(plain, batch_size=BATCH_SIZE)) if plain else iter(())
        sentencizer = self.nlp.get_pipe("sentencizer")
        docs: list[Document] = []
        cuts: list[int] = []
        for rec, _ in batch:
            n_cut = 0
            if rec.tokens is None:
                tokens, sents = next(tokenised)
                # the project's own tokens: cut where an imported span starts or ends inside one
                tokens, n_cut = split_at_boundaries(
                    tokens, (x for s, e, _ in (*rec.spans, *rec.rejected) for x in (s, e)))
            else:
                # Keep the file's tokens; rebuild the Doc so gaps (newlines, double spaces)
                # become whitespace tokens exactly as spaCy would store them.
                sdoc = doc_from_offsets(self.nlp, Document(text=rec.text, tokens=rec.tokens, sents=rec.sents or (), hash="-"))
                if not rec.sents:
                    sdoc = sentencizer(sdoc)
                tokens = tuple((t.idx, t.idx + len(t.text)) for t in sdoc)
                sents = rec.sents or tuple((s.start_char, s.end_char) for s in sdoc.sents)
            cuts.append(n_cut)
            docs.append(Document(text=rec.text, name=rec.name, meta=rec.meta, tokens=tokens, sents=sents))
        return docs, cuts

    def flush(self, batch: Sequence[tuple[ImportRecord, str]]) -> None:
        store = self.store
        docs, cuts = self._documents(batch)
        ids = store.add_documents(docs)
        new_spans: list[Span] = []
        owners: list[tuple[int, int, ImportRecord, str]] = []  # (first span index, doc_id, rec, layer)
        for (rec, fmt), doc, n_cut, (doc_id, created) in zip(batch, docs, cuts, ids):
            for w in rec.warnings:
                self.warn(w)
            if created:
                self.added += 1
                self.tokens_split += n_cut
            else:
                self.existing += 1
            layer = self.layer_for(rec, fmt)
            if self.annotator or rec.annotated:
                self.register_layer(layer, rec)
            if not rec.annotated:
                continue
            tokens = doc.tokens
            if not created and rec.spans:
                tokens = store.get_document(doc_id).tokens  # the stored tokens decide alignment
            where = f"{rec.source}{_at(rec)}"
            self.ensure_labels(LabelKind.ENTITY, [s[2] for s in rec.spans], where)
            self.ensure_labels(LabelKind.RELATION, [r[2] for r in rec.relations], where)
            if not self.allow_overlap and _has_overlap(rec.spans):
                self.overlapping += 1
                if len(self.overlap_where) < 3:
                    self.overlap_where.append(where)
            owners.append((len(new_spans), doc_id, rec, layer))
            for s, e, label in rec.spans:
                if not is_token_aligned(tokens, s, e):
                    self.off_token += 1
                kb_id, attributes = rec.span_info.get((s, e, label), ("", ()))
                new_spans.append(Span(doc_id=doc_id, layer=layer, start=s, end=e, label=label,
                                      source=f"import:{fmt}", kb_id=kb_id, attributes=attributes))
            self.layers.add(layer)
            self._status(doc_id, layer, rec)
        if not new_spans:
            return
        stored_spans = store.add_spans(new_spans)
        rels: list[Relation] = []
        for first, doc_id, rec, layer in owners:
            for h, c, label in rec.relations:
                head, child = stored_spans[first + h].id, stored_spans[first + c].id
                assert head is not None and child is not None
                rels.append(Relation(doc_id=doc_id, layer=layer, head=head, child=child, label=label,
                                     source="import"))
        if rels:
            store.add_relations(rels)

    def _status(self, doc_id: int, layer: str, rec: ImportRecord) -> None:
        if rec.answer is not None:
            self.store.set_answers([(doc_id, layer, rec.answer, rec.partial)])
        if not is_person_layer(layer):
            return
        for s, e, label in rec.rejected:
            self.store.add_rejection(doc_id, layer, s, e, label)
        if rec.answer in ("reject", "ignore"):
            if self.store.status(doc_id, layer) is not DocumentStatus.DONE:
                self.store.set_status(doc_id, layer, DocumentStatus.SKIPPED)
        elif rec.answer == "accept" or (rec.answer is None and rec.spans):
            self.store.set_status(doc_id, layer, DocumentStatus.DONE)


def _has_overlap(spans: Sequence[tuple[int, int, str]]) -> bool:
    ordered = sorted(set(spans))
    return any(b[0] < a[1] for a, b in zip(ordered, ordered[1:]))


def _at(rec: ImportRecord) -> str:
    return f", line {rec.line}" if rec.line is not None else ""


def import_job(
    store: Store,
    paths: Sequence[str | Path],
    fmt: str = "auto",
    annotator: str | None = None,
    batch_size: int = BATCH_SIZE,
    *,
    encoding: str = "utf-8",
    skip_bad_records: bool = False,
    brat_discontinuous: str = "refuse",
) -> Generator[Progress, None, ImportReport]:
    """Import files and folders into ``store``; yields :class:`Progress`, returns the report.

    ``fmt`` is ``auto`` or one of :data:`corpus.formats.detect.FORMATS`; ``annotator`` names
    the layer the files' annotations go to (see the module docstring); ``encoding`` is the text
    files' encoding (UTF-8 unless named: ``latin-1`` for the original CoNLL-2002 files). Records
    whose text is empty or only whitespace are skipped with a warning; with
    ``skip_bad_records`` every other bad record is skipped too (each named with its file and
    line in :attr:`ImportReport.skipped`) and the rest imported, still in one transaction
    (:mod:`corpus.formats.resume`). ``brat_discontinuous`` says what a discontinuous brat span
    becomes (:data:`corpus.formats.brat.DISCONTINUOUS`). Raises
    :class:`corpus.errors.InputError` naming the file and line on bad input, after rolling
    everything back.
    """
    if annotator is not None and (not annotator.strip() or annotator != annotator.strip()):
        raise InputError(None, f"invalid annotator name {annotator!r}")
    warnings: list[str] = []
    files = list(expand_paths(paths, fmt, warnings, encoding))
    total = _estimate(files)
    yield Progress(0, total, "reading")
    with store.transaction():
        if not store.labels():
            store.set_labels(default_labels())
        imp = _Importer(store, annotator)
        for w in warnings:
            imp.warn(w)
        if imp.annotator:
            imp.register_layer(imp.annotator, ImportRecord(text="", source="--annotator"))
        spans_before, rels_before = store.count_spans(), store.count_relations()
        done = 0
        batch: list[tuple[ImportRecord, str]] = []
        skipped: list[str] = []
        n_files = 0
        for item in files:
            n_files += 1
            if item.fmt == "brat-conf":
                ents, rels = read_annotation_conf(item.path)
                imp.ensure_labels(LabelKind.ENTITY, ents, str(item.path))
                imp.ensure_labels(LabelKind.RELATION, rels, str(item.path))
                continue
            for rec in read_resilient(item, encoding, skip_bad_records, {"discontinuous": brat_discontinuous}):
                if isinstance(rec, Skipped):
                    skipped.append(rec.message())
                    continue
                batch.append((rec, item.fmt))
                if len(batch) >= batch_size:
                    imp.flush(batch)
                    done += len(batch)
                    batch = []
                    yield Progress(done, max(total, done), item.path.name)
        if batch:
            imp.flush(batch)
            done += len(batch)
        yield Progress(done, max(total, done), "done")
        report = ImportReport(
            documents_added=imp.added,
            documents_existing=imp.existing,
            spans=store.count_spans() - spans_before,
            relations=store.count_relations() - rels_before,
            layers=sorted(imp.layers),
            off_token_spans=imp.off_token,
            warnings=imp.final_warnings(),
            labels_added=list(imp.labels_added),
            files=n_files,
            skipped=skipped,
            tokens_split=imp.tokens_split,
        )
    return report


def import_paths(
    store: Store, paths: Sequence[str | Path], fmt: str = "auto", annotator: str | None = None,
    *, encoding: str = "utf-8", skip_bad_records: bool = False, brat_discontinuous: str = "refuse",
) -> ImportReport:
    """Run :func:`import_job` to its end and return its report."""
    report = drain(import_job(store, paths, fmt=fmt, annotator=annotator, encoding=encoding,
                              skip_bad_records=skip_bad_records, brat_discontinuous=brat_discontinuous))
    assert isinstance(report, ImportReport)
    return report
