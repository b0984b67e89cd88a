"""The skeleton every exporter runs in: select, stage, write, land, report.

:func:`run_export` is the one staging skeleton: it checks the layer, opens a
:class:`~annotator.export_staging.Staging` for the output (a folder export lands by exchanging
folders, a single-file export by one rename), hands an :class:`ExportContext` and the format's
typed options to the format's writer (a generator yielding :class:`~annotator.progress.Progress`),
lands the files when the writer is done, and removes everything staged when it fails or is
cancelled. Writers are registered per format in :mod:`corpus.formats.registry` (see
:mod:`annotator.export` for the built-in ones); a writer only writes files under
``ctx.path(name)`` and counts what it wrote in ``ctx.tally``.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from corpus.errors import ExportError
from corpus.formats.registry import Format, export_format_names, get
from corpus.formats.write_brat import safe_stem
from corpus.model import Document, Span
from corpus.store import Store
from corpus.store import answers as aq
from corpus.store import reports as q
from corpus.settings import project_lang

from annotator.export_staging import Staging
from annotator.progress import Progress
from annotator.tokenize import tokenize

__all__ = [
    "ALL_LAYERS",
    "BATCH",
    "MAX_DOC_WARNINGS",
    "ExportContext",
    "ExportReport",
    "Tally",
    "check_spans_inside",
    "doc_label",
    "names_list",
    "run_export",
    "writable_format",
]

#: ``layer`` value exporting every layer (formats whose writer says ``all_layers``: JSONL).
ALL_LAYERS = "all"
#: Per-document warnings kept in a report (the rest are counted in one line): memory stays flat.
MAX_DOC_WARNINGS = 200
#: Documents read from the store per batch (and between two progress reports).
BATCH = 200
#: Formats whose writer takes ``layer="all"``.
ALL_LAYER_FORMATS = ("jsonl",)


@dataclass(frozen=True)
class ExportReport:
    """What an export wrote and what it had to adapt.

    ``expanded_spans``: spans widened to token boundaries (spaCy, CoNLL), in
    ``expanded_documents``; ``overlap_documents``: documents whose spans overlap (spaCy: kept in
    ``doc.spans``, not all in ``doc.ents``; CoNLL: the shorter ones left out, counted in
    ``dropped_spans``). ``warnings``: one line each, for the user.
    """

    format: str
    layer: str
    files: tuple[str, ...]
    documents: int
    spans: int
    relations: int
    expanded_spans: int = 0
    expanded_documents: tuple[str, ...] = ()
    overlap_documents: tuple[str, ...] = ()
    dropped_spans: int = 0
    train_documents: int = 0
    dev_documents: int = 0
    warnings: tuple[str, ...] = ()

    def summary(self) -> str:
        """One line for the command line / status bar."""
        parts = [f"{self.documents} documents, {self.spans} spans, {self.relations} relations"]
        if self.format == "spacy":
            parts.append(f"train {self.train_documents} / dev {self.dev_documents}" if self.dev_documents
                         else f"train {self.train_documents} (dev.spacy is a copy of train.spacy)")
        if self.format in ("spacy", "conll"):
            parts.append(f"{self.expanded_spans} spans expanded to token boundaries"
                         + (f" (in {names_list(self.expanded_documents)})" if self.expanded_documents else ""))
            parts.append(f"{len(self.overlap_documents)} documents with overlapping spans"
                         + (f" ({names_list(self.overlap_documents)})" if self.overlap_documents else ""))
        if self.dropped_spans:
            parts.append(f"{self.dropped_spans} spans left out")
        return f"exported {self.format} ({self.layer}) to {_common_root(self.files)}: " + "; ".join(parts)


def names_list(names: Sequence[str], limit: int = 5) -> str:
    """``'a', 'b', ... and N more`` for a message."""
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _common_root(files: Sequence[str]) -> str:
    if not files:
        return "-"
    if len(files) == 1:
        return files[0]
    return os.path.commonpath(files)


def doc_label(doc: Document) -> str:
    """How a report names a document: its name, else ``#id``."""
    return doc.name if doc.name else f"#{doc.id}"


@dataclass
class Tally:
    """What a writer wrote and adapted, turned into the :class:`ExportReport`."""

    documents: int = 0
    spans: int = 0
    relations: int = 0
    expanded: int = 0
    expanded_docs: list[str] = field(default_factory=list)
    overlap_docs: list[str] = field(default_factory=list)
    dropped: int = 0
    dropped_docs: int = 0
    warnings: list[str] = field(default_factory=list)
    #: format-specific report fields (``train_documents``...)
    extra: dict[str, Any] = field(default_factory=dict)

    def document(self, doc: Document, n_spans: int, n_rels: int, expanded: int = 0, overlap: bool = False,
                 dropped: Sequence[Span] = ()) -> None:
        """Count one written document: its spans and relations, and what had to change."""
        self.documents += 1
        self.spans += n_spans
        self.relations += n_rels
        if expanded:
            self.expanded += expanded
            self.expanded_docs.append(doc_label(doc))
        if overlap:
            self.overlap_docs.append(doc_label(doc))
        if dropped:
            self.dropped += len(dropped)
            self.dropped_docs += 1
            if self.dropped_docs > MAX_DOC_WARNINGS:
                return
            self.warnings.append(
                f"document {doc_label(doc)!r}: {len(dropped)} span(s) left out ("
                + ", ".join(f"{s.label} {s.start}-{s.end}" for s in dropped[:5])
                + (", ..." if len(dropped) > 5 else "") + ")"
            )


@dataclass
class ExportContext:
    """What a writer gets: the store, the layer, where to write, and the tally.

    ``out`` is the folder the files land in; ``file_name`` is the output file of a single-file
    format (``OUT`` itself when it names one, else ``LAYER<suffix>`` inside ``OUT``).
    """

    store: Store
    fmt: str
    layer: str
    layers: list[str]
    only_done: bool
    out: Path
    staging: Staging
    file_name: str = ""
    tally: Tally = field(default_factory=Tally)

    def path(self, name: str) -> Path:
        """Where to write the output file ``name`` (a plain file name) while the export runs."""
        return self.staging.path(name)

    def select(self, layer: str | None = None, *, keep_declined: bool = False) -> list[int]:
        """Ids of the documents to export for ``layer`` (default: the context's), in id order.

        Documents the layer's owner rejected or ignored (or skipped) are not examples of
        anything: they are left out (and counted in a warning) unless ``keep_declined`` asks for
        them, for formats that write the answer (JSONL, Label Studio)."""
        lay = self.layer if layer is None else layer
        ids = q.layer_document_ids(self.store, lay)
        if self.only_done:
            done = set(q.done_document_ids(self.store, lay))
            ids = [i for i in ids if i in done]
        if not keep_declined:
            declined = aq.declined_document_ids(self.store, lay)
            left_out = [i for i in ids if i in declined]
            if left_out:
                ids = [i for i in ids if i not in declined]
                self.tally.warnings.append(
                    f"{len(left_out)} document(s) rejected, ignored or skipped in layer {lay!r} left out "
                    f"(a declined example is not a negative one)")
        return ids

    def partial_ids(self, layer: str | None = None) -> set[int]:
        """Documents whose accept is partial (binary answers): only their spans are known."""
        return aq.partial_document_ids(self.store, self.layer if layer is None else layer)

    @property
    def lang(self) -> str:
        """The project's language (setting ``lang``)."""
        return project_lang(self.store)

    def annotated(self, ids: Sequence[int], layer: str | None = None, tokens: bool = True
                  ) -> Iterator[q.AnnotatedDocument]:
        """The documents ``ids`` with ``layer``'s spans and relations, a batch at a time, every
        document with tokens (:func:`with_tokens`) unless ``tokens`` is false. A span outside
        its document's text (a damaged project file) stops the export with an
        :class:`~corpus.errors.ExportError` naming the document."""
        lang = self.lang
        for ad in q.iter_annotated(self.store, self.layer if layer is None else layer, ids, BATCH):
            check_spans_inside(ad)
            doc = with_tokens(ad.document, lang) if tokens else ad.document
            yield ad if doc is ad.document else replace(ad, document=doc)

    def progress(self, done: int, total: int) -> Progress:
        """A progress report of this export."""
        return Progress(done=done, total=total, message=self.fmt)


def check_spans_inside(ad: q.AnnotatedDocument) -> None:
    """Refuse a document whose stored spans do not lie inside its text (one line naming it)."""
    n = len(ad.document.text)
    for sp in ad.spans:
        if not (0 <= sp.start < sp.end <= n):
            raise ExportError(
                f"document {doc_label(ad.document)!r}: span {sp.start}-{sp.end} {sp.label!r} of layer "
                f"{sp.layer!r} is outside its text (length {n}); the project file holds a damaged span, "
                "delete it before exporting"
            )


def with_tokens(document: Document, lang: str) -> Document:
    """``document``, or when it has text but no stored tokens (a document added through the API)
    a copy tokenised by the project tokenizer, as an import would have: CoNLL, DocBin and
    Prodigy's token indexes need tokens, and a DocBin doc without them would lose its text."""
    if document.tokens or not document.text:
        return document
    tokens, sents = tokenize(document.text, lang)
    return replace(document, tokens=tokens, sents=sents)


def writable_format(fmt: str) -> Format:
    """The registry entry of an export format, or a one-line error listing the choices."""
    entry = get(fmt)
    if entry is None or entry.writer is None:
        raise ExportError(f"unknown export format {fmt!r} (choose {', '.join(export_format_names())})")
    return entry


def check_layer(store: Store, fmt: str, layer: str) -> list[str]:
    """The layers to export (every layer for :data:`ALL_LAYERS`), or a one-line error."""
    layers = store.layers()
    if layer == ALL_LAYERS:
        if fmt not in ALL_LAYER_FORMATS:
            raise ExportError(f"--layer {ALL_LAYERS} applies to --format jsonl only; pick one layer for {fmt}")
        return layers
    if layer not in layers:
        known = ", ".join(layers) if layers else "none yet"
        raise ExportError(f"{store.path}: no layer {layer!r} in this project (layers: {known})")
    return [layer]


def _output_target(out: Path, suffixes: Sequence[str], default_stem: str) -> tuple[Path, str]:
    """(folder, file name) of a single-file export: ``out`` itself when it names a file of the
    format, else a file named after the layer inside the folder ``out``."""
    if out.suffix.lower() in suffixes and not out.is_dir():
        return out.parent if str(out.parent) else Path("."), out.name
    return out, f"{default_stem}{suffixes[0]}"


def _report(ctx: ExportContext, files: Sequence[str]) -> ExportReport:
    t = ctx.tally
    if t.dropped_docs > MAX_DOC_WARNINGS:
        t.warnings.append(f"... and {t.dropped_docs - MAX_DOC_WARNINGS} more documents with spans left out")
    if not t.documents:
        t.warnings.append(f"layer {ctx.layer!r} has no documents to export")
    return ExportReport(
        format=ctx.fmt, layer=ctx.layer, files=tuple(files), documents=t.documents, spans=t.spans,
        relations=t.relations, expanded_spans=t.expanded, expanded_documents=tuple(t.expanded_docs),
        overlap_documents=tuple(t.overlap_docs), dropped_spans=t.dropped, warnings=tuple(t.warnings),
        **t.extra,
    )


def run_export(store: Store, out: str | Path, fmt: str, layer: str, only_done: bool, options: Any
               ) -> Generator[Progress, None, ExportReport]:
    """Export ``layer`` of ``store`` to ``out`` with the registered writer of ``fmt`` and its
    ``options`` (an instance of the writer's ``options_type``); yields progress, returns the
    report. Raises :class:`~corpus.errors.ExportError` (one line); nothing is left half-written."""
    entry = writable_format(fmt)
    writer = entry.writer
    assert writer is not None
    if not isinstance(options, writer.options_type):
        raise ExportError(f"{fmt}: options must be {writer.options_type.__name__}, got {type(options).__name__}")
    layers = check_layer(store, fmt, layer)
    out = Path(out)
    name = ""
    if writer.single_file:
        out, name = _output_target(out, writer.single_file, safe_stem(layer, set(), "export"))
    staging = Staging(out, swap=not writer.single_file)
    ctx = ExportContext(store=store, fmt=fmt, layer=layer, layers=layers, only_done=only_done, out=out,
                        staging=staging, file_name=name)
    try:
        yield from writer.write(ctx, options)
        files = staging.commit()
    except OSError as exc:
        raise ExportError(f"{out}: cannot write the export ({exc.strerror or exc})") from None
    finally:
        staging.abort()
    return _report(ctx, files)
