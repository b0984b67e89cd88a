"""Export training data: spaCy DocBin (+ config.cfg), Prodigy JSONL, CoNLL-2003 and brat.

:func:`export_job` is a plain generator yielding :class:`~annotator.progress.Progress` and
returning an :class:`ExportReport`; the command line runs it with a progress bar, the window's
File > Export dialog in a worker thread (closing the generator cancels the job cleanly).
:func:`export` runs it to the end.

What every format shares:

* The documents exported are those the layer touched (a span, a relation, or a status other than
  ``todo`` recorded by the layer's owner), in id order; ``only_done`` keeps the ones the owner
  marked done. ``layer="all"`` (JSONL only) writes every layer, plus the documents no layer
  touched (without ``_annotator_id``).
* Tokens are the stored ones; a document stored without tokens (only possible through the API)
  is tokenised by the project tokenizer for spacy, jsonl and conll, as an import would have.
* Documents are read a batch at a time; memory stays flat (the spaCy export keeps only its string
  table, which grows with the vocabulary, not with the corpus).
* Nothing is written outside ``out``, whatever a document's name or meta says, and nothing is
  left half-written: files are written to a hidden staging folder inside the output folder
  (``out``, or the folder of ``out`` when it names a ``.jsonl``/``.conll`` file) and renamed
  into place when complete; a failed or cancelled export removes them.

spaCy (``out/train.spacy``, ``out/dev.spacy``, ``out/config.cfg``):

* Docs are built on the stored tokens and sentence starts
  (:func:`annotator.tokenize.doc_from_offsets`), and written by
  :class:`StreamingDocBin` (DocBin's format, constant memory).
* All spans of the layer go to ``doc.spans[spans_key]``; the same spans become ``doc.ents`` when
  they do not overlap. In a document whose spans overlap, ``doc.ents`` holds the longest
  non-overlapping ones and the tokens of the others are marked *missing* (neither entity nor
  ``O``) so the NER model is not taught that they are outside an entity; the report names these
  documents.
* Spans not on token boundaries are expanded (``alignment_mode="expand"``); the report counts them.
* Relations: ``doc._.rel`` (stored in ``doc.user_data``, kept by ``DocBin(store_user_data=True)``)
  maps ``(head start token, child start token)`` to ``{label: 1.0 if the relation holds else
  0.0}`` for every relation label of the export, over every ordered pair of distinct spans, as
  Explosion's relation-extraction tutorial reads it. A relation that shape cannot hold (one of its
  spans was left out, both start on one token, or another relation has its label on the same start
  tokens) is not counted, and a warning names its documents.
* ``dev.spacy``: a reproducible (``seed``) split by document of ``dev_fraction`` of the
  documents; with no dev fraction it is a copy of ``train.spacy`` (a warning says evaluation
  scores will then be on training data) so the ``spacy train`` command always runs.
* ``config.cfg``: spaCy's own ``init_config`` (lang of the project, ``["ner"]``, efficiency);
  the labels are listed in its header comment and read from ``train.spacy`` by ``spacy train``.
"""

from __future__ import annotations

import array
import os
import random
import shutil
import struct
import tempfile
import zlib
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any

from corpus.errors import CorpusError, ExportError
from corpus.formats.write_brat import annotation_conf, brat_ann, safe_stem
from corpus.formats.write_conll import SCHEMES, conll_document
from corpus.formats.write_jsonl import dumps_record, prodigy_record
from corpus.model import GOLD, Document, Span
from corpus.store import Store
from corpus.store import export_queries as q

from annotator.progress import Progress, drain
from annotator.tokenize import DEFAULT_LANG, doc_from_offsets, tokenize, words_and_spaces

__all__ = [
    "FORMATS",
    "ALL_LAYERS",
    "PROJECT_MODEL",
    "ExportReport",
    "export_job",
    "export",
    "dev_split",
    "StreamingDocBin",
    "spacy_doc",
    "relation_user_data",
    "training_config",
]

FORMATS = ("spacy", "jsonl", "conll", "brat")
#: ``layer`` value exporting every layer (JSONL only).
ALL_LAYERS = "all"
#: ``pos`` value asking for the project's spaCy pipeline (setting ``model``, else the installed one).
PROJECT_MODEL = "project"
#: Per-document warnings kept in a report (the rest are counted in one line): memory stays flat.
MAX_DOC_WARNINGS = 200
#: Documents read from the store per batch (and between two progress reports).
BATCH = 200
_FILE_SUFFIXES = {"jsonl": (".jsonl", ".json", ".ndjson"), "conll": (".conll", ".txt", ".iob", ".bio", ".tsv", ".conllu")}


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
                         + (f" (in {_names(self.expanded_documents)})" if self.expanded_documents else ""))
            parts.append(f"{len(self.overlap_documents)} documents with overlapping spans"
                         + (f" ({_names(self.overlap_documents)})" if self.overlap_documents else ""))
        if self.dropped_spans:
            parts.append(f"{self.dropped_spans} spans left out")
        return f"exported {self.format} ({self.layer}) to {_common_root(self.files)}: " + "; ".join(parts)


def _names(names: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _common_root(files: Sequence[str]) -> str:
    if not files:
        return "-"
    if len(files) == 1:
        return files[0]
    return os.path.commonpath(files)


@dataclass
class _Tally:
    documents: int = 0
    spans: int = 0
    relations: int = 0
    expanded: int = 0
    expanded_docs: list[str] = field(default_factory=list)
    overlap_docs: list[str] = field(default_factory=list)
    dropped: int = 0
    dropped_docs: int = 0
    lost_relations: int = 0
    lost_relation_docs: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _doc_label(doc: Document) -> str:
    return doc.name if doc.name else f"#{doc.id}"


# -- output staging ---------------------------------------------------------------------------


class _Staging:
    """Files written under a hidden folder inside the output folder, renamed into place at
    :meth:`commit`; :meth:`abort` removes everything staged."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        if out_dir.exists() and not out_dir.is_dir():
            raise ExportError(f"{out_dir}: is a file, not a folder")
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ExportError(f"{out_dir}: cannot create the output folder ({exc.strerror or exc})") from None
        if not out_dir.is_dir():
            raise ExportError(f"{out_dir}: not a folder")
        try:
            self.dir = Path(tempfile.mkdtemp(prefix=".export-", dir=out_dir))
        except OSError as exc:
            raise ExportError(f"{out_dir}: cannot write there ({exc.strerror or exc})") from None
        self.names: list[str] = []

    def path(self, name: str) -> Path:
        """Staged path for the final file ``out_dir/name`` (``name`` is a plain file name)."""
        if not name or "/" in name or "\\" in name or name in (".", "..") or os.sep in name:
            raise ExportError(f"{name!r}: not a plain file name")
        if name not in self.names:
            self.names.append(name)
        return self.dir / name

    def commit(self) -> list[str]:
        """Rename the staged files into the output folder; returns their final paths."""
        names = [name for name in self.names if (self.dir / name).exists()]
        # Check every destination before moving any file: a folder in the way of the last file
        # must not leave the first ones replaced (half an export).
        for name in names:
            if (self.out_dir / name).is_dir():
                raise ExportError(f"{self.out_dir / name}: a folder is in the way of the output file")
        final: list[str] = []
        for name in names:
            dest = self.out_dir / name
            os.replace(self.dir / name, dest)
            final.append(str(dest))
        shutil.rmtree(self.dir, ignore_errors=True)
        return final

    def abort(self) -> None:
        """Remove everything staged."""
        shutil.rmtree(self.dir, ignore_errors=True)


def _output_target(out: Path, fmt: str, default_stem: str) -> tuple[Path, str]:
    """(folder, file name) of a single-file export: ``out`` itself when it names a file of the
    format, else a file named after the layer inside the folder ``out``."""
    suffixes = _FILE_SUFFIXES.get(fmt, ())
    if out.suffix.lower() in suffixes and not out.is_dir():
        return out.parent if str(out.parent) else Path("."), out.name
    return out, f"{default_stem}{suffixes[0]}"


# -- streaming DocBin ---------------------------------------------------------------------------


def _bin_header(n: int) -> bytes:
    return b"\xc6" + struct.pack(">I", n)


def _array_header(n: int) -> bytes:
    return b"\xdd" + struct.pack(">I", n)


class StreamingDocBin:
    """Write a ``.spacy`` file one doc at a time, in constant memory.

    The file is the format of :meth:`spacy.tokens.DocBin.to_bytes` (a zlib compressed msgpack
    map; a test checks the decoded content equals DocBin's) and loads with
    ``DocBin().from_disk``. :meth:`add` extracts what ``DocBin.add`` extracts (the token array
    for ``DocBin``'s default attributes, spaces, flags, cats, span groups, user data and
    strings) and appends it to temporary files next to ``path``; :meth:`close` streams them
    through zlib into ``path``. Only the string table (the set of distinct strings) stays in
    memory. One msgpack packer serves every item: ``srsly.msgpack_dumps`` (which ``DocBin.add``
    calls per doc) builds a new packer each time, scanning the installed packages' entry points
    for encoders, which costs about half a millisecond per call.
    """

    def __init__(self, path: str | Path, *, store_user_data: bool = True) -> None:
        from spacy.tokens import DocBin
        from srsly.msgpack import Packer

        self.path = Path(path)
        self.store_user_data = store_user_data
        ref = DocBin(store_user_data=store_user_data)
        self.attrs: list[int] = list(ref.attrs)
        self.version: str = ref.version
        self._packer = Packer(use_bin_type=True)
        self._tmp = Path(tempfile.mkdtemp(prefix=".docbin-", dir=self.path.parent))
        self._files: dict[str, IO[bytes]] = {
            k: open(self._tmp / k, "wb")  # noqa: SIM115 - closed in close()/abort()
            for k in ("tokens", "spaces", "cats", "flags", "span_groups", "user_data")
        }
        self._lengths = array.array("i")
        self._strings: set[str] = set()
        self.count = 0

    def add(self, doc: Any) -> None:
        """Add one spaCy ``Doc`` (what ``DocBin.add`` keeps of it)."""
        import numpy
        from spacy.attrs import SPACY

        f, pack, strings = self._files, self._packer.pack, self._strings
        arr = doc.to_array(self.attrs)
        if len(arr.shape) == 1:
            arr = arr.reshape((arr.shape[0], 1))
        spaces = numpy.asarray(doc.to_array(SPACY).reshape((-1, 1)), dtype=bool)
        self._lengths.append(arr.shape[0])
        f["tokens"].write(arr.tobytes("C"))
        f["spaces"].write(spaces.tobytes("C"))
        f["flags"].write(pack({"has_unknown_spaces": doc.has_unknown_spaces}))
        for token in doc:
            strings.add(token.text)
            strings.add(token.tag_)
            strings.add(token.lemma_)
            strings.add(token.norm_)
            strings.add(str(token.morph))
            strings.add(token.dep_)
            strings.add(token.ent_type_)
            strings.add(token.ent_kb_id_)
            strings.add(token.ent_id_)
        f["cats"].write(pack(doc.cats))
        if self.store_user_data:
            f["user_data"].write(pack(pack(doc.user_data)))
        f["span_groups"].write(pack(doc.spans.to_bytes()))
        vocab_strings = doc.vocab.strings
        for group in doc.spans.values():
            for span in group:
                strings.add(span.label_)
                if span.kb_id in vocab_strings:
                    strings.add(span.kb_id_)
                if span.id in vocab_strings:
                    strings.add(span.id_)
        self.count += 1

    def close(self) -> None:
        """Write the ``.spacy`` file and remove the temporary files."""
        pack = self._packer.pack
        try:
            for fh in self._files.values():
                fh.close()
            n = len(self._lengths)
            comp = zlib.compressobj()
            with open(self.path, "wb") as out:

                def put(data: bytes) -> None:
                    if data:
                        out.write(comp.compress(data))

                def put_file(name: str) -> None:
                    with open(self._tmp / name, "rb") as fh:
                        while chunk := fh.read(1 << 20):
                            put(chunk)

                keys = 10 if self.store_user_data else 9
                put(bytes([0x80 | keys]))
                put(pack("version") + pack(self.version))
                put(pack("attrs") + pack(self.attrs))
                for name in ("tokens", "spaces"):
                    put(pack(name) + _bin_header((self._tmp / name).stat().st_size))
                    put_file(name)
                lengths = self._lengths.tobytes()
                put(pack("lengths") + _bin_header(len(lengths)) + lengths)
                put(pack("strings") + _array_header(len(self._strings)))
                for s in sorted(self._strings):
                    put(pack(s))
                for name in ("cats", "flags", "span_groups") + (("user_data",) if self.store_user_data else ()):
                    put(pack(name) + _array_header(n))
                    put_file(name)
                out.write(comp.flush())
        finally:
            self.abort()

    def abort(self) -> None:
        """Drop everything (temporary files); ``path`` is not touched."""
        for fh in self._files.values():
            if not fh.closed:
                fh.close()
        shutil.rmtree(self._tmp, ignore_errors=True)


# -- spaCy docs ---------------------------------------------------------------------------------


def _ensure_rel_extension() -> None:
    from spacy.tokens import Doc

    if not Doc.has_extension("rel"):
        Doc.set_extension("rel", default={})


def relation_user_data(
    spans: Sequence[Any], span_ids: Sequence[int | None], relations: Sequence[Any], labels: Sequence[str]
) -> dict[tuple[int, int], dict[str, float]]:
    """``doc._.rel`` for token spans ``spans`` (spaCy ``Span``; ``span_ids`` are their store ids):
    every ordered pair of spans with distinct start tokens -> ``{label: 0.0 | 1.0}``."""
    starts = sorted({s.start for s in spans})
    rels: dict[tuple[int, int], dict[str, float]] = {}
    if len(starts) > 1 and labels:
        zero = dict.fromkeys(labels, 0.0)
        rels = {(a, b): zero.copy() for a in starts for b in starts if a != b}
    start_of = {sid: s.start for s, sid in zip(spans, span_ids)}
    for rel in relations:
        h, c = start_of.get(rel.head), start_of.get(rel.child)
        if h is None or c is None or h == c:
            continue
        rels.setdefault((h, c), dict.fromkeys(labels, 0.0))[rel.label] = 1.0
    return rels


@dataclass
class _DocOutcome:
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
) -> tuple[Any, _DocOutcome]:
    """A spaCy ``Doc`` on the stored tokens with ``spans`` as ``doc.spans[spans_key]`` and
    ``doc.ents`` (see the module docstring) and relations in ``doc._.rel``."""
    from spacy.tokens import Span as SpacySpan
    from spacy.util import filter_spans

    _ensure_rel_extension()
    doc = doc_from_offsets(vocab, document)
    outcome = _DocOutcome()
    token_spans: list[Any] = []
    ids: list[int | None] = []
    for sp in spans:
        s = doc.char_span(sp.start, sp.end, label=sp.label, alignment_mode="expand")
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
    if not overlap:
        doc.set_ents(ordered, default="outside")
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
        doc.set_ents(kept, missing=[SpacySpan(doc, a, b) for a, b in missing], default="outside")
    if relation_labels:
        rel = relation_user_data(token_spans, ids, relations, relation_labels)
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


# -- the job ----------------------------------------------------------------------------------


def _check_args(store: Store, fmt: str, layer: str, dev_fraction: float, scheme: str, spans_key: str,
                columns: int) -> list[str]:
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r} (choose {', '.join(FORMATS)})")
    if scheme not in SCHEMES:
        raise ExportError(f"unknown tag scheme {scheme!r} (choose {', '.join(SCHEMES)})")
    if columns not in (2, 4):
        raise ExportError(f"--columns must be 2 or 4, got {columns}")
    if not (0.0 <= dev_fraction < 1.0):
        raise ExportError(f"--dev-fraction must be at least 0 and below 1, got {dev_fraction}")
    if dev_fraction and fmt != "spacy":
        raise ExportError("--dev-fraction applies to --format spacy only")
    if not spans_key or not spans_key.strip():
        raise ExportError("--spans-key must not be empty")
    layers = store.layers()
    if layer == ALL_LAYERS:
        if fmt != "jsonl":
            raise ExportError(f"--layer {ALL_LAYERS} applies to --format jsonl only; pick one layer for {fmt}")
        return layers
    if layer not in layers:
        known = ", ".join(layers) if layers else "none yet"
        raise ExportError(f"{store.path}: no layer {layer!r} in this project (layers: {known})")
    return [layer]


def _lang(store: Store) -> str:
    return str(store.get_setting("lang", DEFAULT_LANG) or DEFAULT_LANG)


def _with_tokens(document: Document, lang: str) -> Document:
    """``document``, or when it has text but no stored tokens (a document added through the API)
    a copy tokenised by the project tokenizer, as an import would have: CoNLL, DocBin and
    Prodigy's token indexes need tokens, and a DocBin doc without them would lose its text."""
    if document.tokens or not document.text:
        return document
    tokens, sents = tokenize(document.text, lang)
    return replace(document, tokens=tokens, sents=sents)


def _annotated(store: Store, layer: str, ids: Sequence[int]) -> Iterator[q.AnnotatedDocument]:
    """:func:`~corpus.store.export_queries.iter_annotated` in batches of :data:`BATCH`, every
    document with tokens (:func:`_with_tokens`)."""
    lang = _lang(store)
    for ad in q.iter_annotated(store, layer, ids, BATCH):
        doc = _with_tokens(ad.document, lang)
        yield ad if doc is ad.document else replace(ad, document=doc)


def _select(store: Store, layer: str, only_done: bool) -> list[int]:
    ids = q.layer_document_ids(store, layer)
    if only_done:
        done = set(q.done_document_ids(store, layer))
        ids = [i for i in ids if i in done]
    return ids


def dev_split(doc_ids: Sequence[int], dev_fraction: float, seed: int) -> set[int]:
    """The ids that go to dev: ``round(fraction * n)`` documents (at least one when the
    fraction is positive and there are two documents or more), chosen by ``seed``."""
    n = len(doc_ids)
    if dev_fraction <= 0 or n < 2:
        return set()
    k = min(n - 1, max(1, round(dev_fraction * n)))
    return set(random.Random(seed).sample(sorted(doc_ids), k))


def export_job(
    store: Store,
    out: str | Path,
    fmt: str,
    layer: str = GOLD,
    only_done: bool = False,
    dev_fraction: float = 0.0,
    seed: int = 0,
    scheme: str = "iob2",
    spans_key: str = "sc",
    columns: int = 4,
    pos: str | None = None,
) -> Generator[Progress, None, ExportReport]:
    """Export one layer (or every layer, JSONL) of ``store`` to ``out`` in format ``fmt``.

    ``out`` is a folder (created when missing); for ``jsonl``/``conll`` it may also name the
    output file (``corpus.jsonl``, ``train.conll``), else the file is ``out/LAYER.jsonl`` /
    ``out/LAYER.conll``. ``pos`` (CoNLL, 4 columns): fill the POS column (and the chunk column,
    from noun chunks, when the pipeline parses) with a spaCy pipeline's tagger:
    :data:`PROJECT_MODEL` for the project's pipeline (setting ``model``, else the installed one),
    or a package name / path; ``""`` writes the ``-X-`` placeholder; ``None`` (the default) uses
    the project's pipeline when the project names one (setting ``model``, which ``annotator
    suggest --model`` records) and the placeholder otherwise. Yields progress per batch
    of documents and returns the report. Raises
    :class:`~corpus.errors.ExportError` (one line) for bad arguments or an unwritable ``out``.
    """
    layers = _check_args(store, fmt, layer, dev_fraction, scheme, spans_key, columns)
    out = Path(out)
    if pos is None:
        pos = PROJECT_MODEL if fmt == "conll" and columns == 4 and store.get_setting("model") else ""
    if pos and (fmt != "conll" or columns != 4):
        raise ExportError("--pos applies to --format conll with 4 columns only")
    if fmt == "spacy":
        return (yield from _export_spacy(store, out, layer, only_done, dev_fraction, seed, spans_key))
    if fmt == "jsonl":
        return (yield from _export_jsonl(store, out, layer, layers, only_done))
    if fmt == "conll":
        return (yield from _export_conll(store, out, layer, only_done, scheme, columns, pos))
    return (yield from _export_brat(store, out, layer, only_done))


def export(store: Store, out: str | Path, fmt: str, **options: Any) -> ExportReport:
    """Run :func:`export_job` to its end (same arguments) and return its report."""
    report = drain(export_job(store, out, fmt, **options))
    assert isinstance(report, ExportReport)
    return report


def _report(fmt: str, layer: str, files: Sequence[str], t: _Tally, **extra: Any) -> ExportReport:
    if t.dropped_docs > MAX_DOC_WARNINGS:
        t.warnings.append(f"... and {t.dropped_docs - MAX_DOC_WARNINGS} more documents with spans left out")
    if not t.documents:
        t.warnings.append(f"layer {layer!r} has no documents to export")
    return ExportReport(
        format=fmt, layer=layer, files=tuple(files), documents=t.documents, spans=t.spans,
        relations=t.relations, expanded_spans=t.expanded, expanded_documents=tuple(t.expanded_docs),
        overlap_documents=tuple(t.overlap_docs), dropped_spans=t.dropped, warnings=tuple(t.warnings),
        **extra,
    )


def _run_staged(staging: _Staging, body: Callable[[], Generator[Progress, None, None]]
                ) -> Generator[Progress, None, list[str]]:
    try:
        yield from body()
        return staging.commit()
    except OSError as exc:
        raise ExportError(f"{staging.out_dir}: cannot write the export ({exc.strerror or exc})") from None
    finally:
        staging.abort()


def _progress(done: int, total: int, what: str) -> Progress:
    return Progress(done=done, total=total, message=what)


def _export_spacy(store: Store, out: Path, layer: str, only_done: bool, dev_fraction: float, seed: int,
                  spans_key: str) -> Generator[Progress, None, ExportReport]:
    import spacy

    ids = _select(store, layer, only_done)
    dev_ids = dev_split(ids, dev_fraction, seed)
    lang = _lang(store)
    ent_labels = q.layer_entity_labels(store, layer, ids)
    rel_labels = q.layer_relation_labels(store, layer, ids)
    config_text, config_warnings = training_config(lang, ent_labels)
    vocab = spacy.blank(lang).vocab
    staging = _Staging(out)
    t = _Tally(warnings=list(config_warnings))
    n_train = n_dev = 0

    def body() -> Generator[Progress, None, None]:
        nonlocal n_train, n_dev
        train = StreamingDocBin(staging.path("train.spacy"))
        dev = StreamingDocBin(staging.path("dev.spacy")) if dev_ids else None
        try:
            yield _progress(0, len(ids), "spacy")
            for k, ad in enumerate(_annotated(store, layer, ids), start=1):
                doc, outcome = spacy_doc(vocab, ad.document, ad.spans, ad.relations, rel_labels, spans_key)
                _tally_doc(t, ad.document, len(ad.spans) - len(outcome.unusable),
                           len(ad.relations) - outcome.lost_relations, outcome.expanded, outcome.overlap,
                           outcome.unusable)
                if outcome.lost_relations:
                    t.lost_relations += outcome.lost_relations
                    t.lost_relation_docs.append(_doc_label(ad.document))
                if dev is not None and ad.document.id in dev_ids:
                    dev.add(doc)
                    n_dev += 1
                else:
                    train.add(doc)
                    n_train += 1
                if k % BATCH == 0:
                    yield _progress(k, len(ids), "spacy")
            train.close()
            if dev is not None:
                dev.close()
            else:
                shutil.copyfile(staging.path("train.spacy"), staging.path("dev.spacy"))
                why = "no --dev-fraction" if dev_fraction <= 0 else f"{len(ids)} document(s), too few to split"
                t.warnings.append(
                    f"{why}: dev.spacy is a copy of train.spacy, so evaluation scores "
                    "are measured on the training data"
                )
            staging.path("config.cfg").write_text(config_text, encoding="utf-8")
            yield _progress(len(ids), len(ids), "spacy")
        finally:
            train.abort()
            if dev is not None:
                dev.abort()

    files = yield from _run_staged(staging, body)
    if t.lost_relations:
        t.warnings.append(
            f"{t.lost_relations} relations left out of doc._.rel, which is keyed by start tokens (a span "
            f"was left out, both spans start on one token, or another relation has the same label on "
            f"the same start tokens) in {_names(t.lost_relation_docs)}"
        )
    return _report("spacy", layer, files, t, train_documents=n_train, dev_documents=n_dev)


def _tally_doc(t: _Tally, doc: Document, n_spans: int, n_rels: int, expanded: int, overlap: bool,
               dropped: Sequence[Span]) -> None:
    t.documents += 1
    t.spans += n_spans
    t.relations += n_rels
    if expanded:
        t.expanded += expanded
        t.expanded_docs.append(_doc_label(doc))
    if overlap:
        t.overlap_docs.append(_doc_label(doc))
    if dropped:
        t.dropped += len(dropped)
        t.dropped_docs += 1
        if t.dropped_docs > MAX_DOC_WARNINGS:
            return
        t.warnings.append(
            f"document {_doc_label(doc)!r}: {len(dropped)} span(s) left out ("
            + ", ".join(f"{s.label} {s.start}-{s.end}" for s in dropped[:5])
            + (", ..." if len(dropped) > 5 else "") + ")"
        )


def _export_jsonl(store: Store, out: Path, layer: str, layers: list[str], only_done: bool
                  ) -> Generator[Progress, None, ExportReport]:
    folder, name = _output_target(out, "jsonl", safe_stem(layer, set(), "export"))
    plan = [(lay, _select(store, lay, only_done)) for lay in layers]
    extra = q.unannotated_document_ids(store) if layer == ALL_LAYERS and not only_done else []
    total = sum(len(ids) for _, ids in plan) + len(extra)
    staging = _Staging(folder)  # last: nothing between it and _run_staged can leave it behind
    t = _Tally()
    docs_seen: set[int] = set()

    def body() -> Generator[Progress, None, None]:
        done = 0
        yield _progress(0, total, "jsonl")
        with open(staging.path(name), "w", encoding="utf-8", newline="\n") as fh:
            for lay, ids in plan:
                for ad in _annotated(store, lay, ids):
                    fh.write(dumps_record(prodigy_record(ad.document, ad.spans, ad.relations, lay)))
                    docs_seen.add(ad.document.id or 0)
                    t.spans += len(ad.spans)
                    t.relations += len(ad.relations)
                    done += 1
                    if done % BATCH == 0:
                        yield _progress(done, total, "jsonl")
            lang = _lang(store)
            for doc in store.iter_documents(ids=extra, batch_size=BATCH):
                fh.write(dumps_record(prodigy_record(_with_tokens(doc, lang), (), (), None)))
                docs_seen.add(doc.id or 0)
                done += 1
                if done % BATCH == 0:
                    yield _progress(done, total, "jsonl")
        yield _progress(total, total, "jsonl")

    files = yield from _run_staged(staging, body)
    t.documents = len(docs_seen)
    return _report("jsonl", layer, files, t)


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


def _export_conll(store: Store, out: Path, layer: str, only_done: bool, scheme: str, columns: int,
                  pos: str | None = None) -> Generator[Progress, None, ExportReport]:
    nlp = _pos_pipeline(store, pos) if pos else None
    folder, name = _output_target(out, "conll", safe_stem(layer, set(), "export"))
    ids = _select(store, layer, only_done)
    staging = _Staging(folder)
    t = _Tally()
    renamed = 0

    def tagged(batch: list[q.AnnotatedDocument]) -> list[tuple[list[str] | None, list[str] | None]]:
        if nlp is None:
            return [(None, None)] * len(batch)
        docs = nlp.pipe(doc_from_offsets(nlp, ad.document) for ad in batch)
        return [_pos_and_chunks(d, ad.document) for d, ad in zip(docs, batch)]

    def body() -> Generator[Progress, None, None]:
        nonlocal renamed
        yield _progress(0, len(ids), "conll")
        done = 0
        with open(staging.path(name), "w", encoding="utf-8", newline="\n") as fh:
            batch: list[q.AnnotatedDocument] = []
            stream = _annotated(store, layer, ids)
            while True:
                ad = next(stream, None)
                if ad is not None:
                    batch.append(ad)
                    if len(batch) < BATCH:
                        continue
                for bd, (tags, chunks) in zip(batch, tagged(batch)):
                    cd = conll_document(bd.document, bd.spans, scheme=scheme, columns=columns, pos=tags,
                                        chunks=chunks)
                    fh.write(cd.text)
                    overlap = any(_overlaps_any(sp, bd.spans) for sp in cd.dropped)
                    _tally_doc(t, bd.document, len(bd.spans) - len(cd.dropped), 0, len(cd.expanded), overlap,
                               cd.dropped)
                    renamed += cd.renamed_tokens
                done += len(batch)
                batch = []
                if ad is None:
                    break
                yield _progress(done, len(ids), "conll")
        yield _progress(len(ids), len(ids), "conll")

    files = yield from _run_staged(staging, body)
    if renamed:
        t.warnings.append(f"{renamed} tokens with whitespace inside had it replaced by '_'")
    return _report("conll", layer, files, t)


def _overlaps_any(sp: Span, spans: Sequence[Span]) -> bool:
    return any(o is not sp and o.overlaps(sp) for o in spans)


def _export_brat(store: Store, out: Path, layer: str, only_done: bool) -> Generator[Progress, None, ExportReport]:
    ids = _select(store, layer, only_done)
    staging = _Staging(out)
    t = _Tally()
    used: set[str] = {"annotation", "visual", "tools", "kb_shortcuts"}  # brat's own config names
    multiline = 0

    def body() -> Generator[Progress, None, None]:
        nonlocal multiline
        yield _progress(0, len(ids), "brat")
        for k, ad in enumerate(q.iter_annotated(store, layer, ids, BATCH), start=1):
            doc = ad.document
            stem = safe_stem(doc.name, used, fallback=f"document-{doc.id}")
            bd = brat_ann(doc.text, ad.spans, ad.relations)
            with open(staging.path(f"{stem}.txt"), "w", encoding="utf-8", newline="") as fh:
                fh.write(doc.text)
            with open(staging.path(f"{stem}.ann"), "w", encoding="utf-8", newline="\n") as fh:
                fh.write(bd.ann)
            multiline += bd.multiline_spans
            _tally_doc(t, doc, bd.entities, bd.relations, 0, False, ())
            if k % BATCH == 0:
                yield _progress(k, len(ids), "brat")
        stale = sorted(f.name for f in out.glob("*.ann") if f.name not in staging.names)
        if stale:
            # brat reads every .ann in the folder: an earlier export's documents would mix in.
            raise ExportError(
                f"{out}: already holds {len(stale)} brat document(s) this export does not write "
                f"({', '.join(stale[:3])}{', ...' if len(stale) > 3 else ''}); choose an empty folder"
            )
        conf = annotation_conf(q.layer_entity_labels(store, layer, ids), q.layer_relation_signatures(store, layer))
        staging.path("annotation.conf").write_text(conf, encoding="utf-8")
        yield _progress(len(ids), len(ids), "brat")

    files = yield from _run_staged(staging, body)
    if multiline:
        t.warnings.append(f"{multiline} spans cross a line break (continuous offsets kept; brat may ask to split them)")
    return _report("brat", layer, files, t)
