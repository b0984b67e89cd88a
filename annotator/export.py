"""Export training data: spaCy DocBin (+ config.cfg), Prodigy JSONL, CoNLL-2003, brat, and any
format registered with a writer.

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
  left half-written: a folder export (spaCy, brat) is staged in a hidden folder beside ``out``
  and lands by exchanging the two folders, so a kill leaves ``out`` either as it was or with the
  whole new export; a single-file export (JSONL, CoNLL) is staged in a hidden folder inside the
  folder it lands in and renamed into place. A failed or cancelled export removes what it
  staged; staging left by a killed export is removed by the next one
  (:mod:`annotator.export_staging`).

Each format is one module registering a :class:`~corpus.formats.registry.Writer` with its typed
options (:mod:`annotator.export_spacy`, :mod:`annotator.export_jsonl`,
:mod:`annotator.export_conll`, :mod:`annotator.export_brat`, imported by
:data:`BUILTIN_EXPORTERS`); all of them run in the one staging skeleton of
:func:`annotator.export_base.run_export`. To add one, write the module (a writer generator, an
options dataclass, ``add_writer(...)`` or ``register(Format(..., writer=...))``) and add it to
:data:`BUILTIN_EXPORTERS`: ``annotator export --format`` and the export dialog offer it.
"""

from __future__ import annotations

import importlib
from collections.abc import Generator
from dataclasses import fields
from pathlib import Path
from typing import Any

from corpus.errors import ExportError
from corpus.formats.registry import export_format_names
from corpus.formats.write_conll import SCHEMES
from corpus.model import GOLD
from corpus.store import Store

from annotator.export_base import ALL_LAYERS, BATCH, MAX_DOC_WARNINGS, ExportReport, run_export, writable_format
from annotator.export_conll import PROJECT_MODEL
from annotator.export_docbin import StreamingDocBin
from annotator.export_spacy import dev_split, relation_user_data, spacy_doc, training_config
from annotator.progress import Progress, drain

__all__ = [
    "FORMATS",
    "ALL_LAYERS",
    "BATCH",
    "BUILTIN_EXPORTERS",
    "MAX_DOC_WARNINGS",
    "PROJECT_MODEL",
    "ExportReport",
    "export_job",
    "export",
    "export_options",
    "dev_split",
    "StreamingDocBin",
    "spacy_doc",
    "relation_user_data",
    "training_config",
]

#: Modules registering the built-in exporters, in the order the command line and the dialog
#: offer them.
BUILTIN_EXPORTERS = (
    "annotator.export_spacy",
    "annotator.export_jsonl",
    "annotator.export_conll",
    "annotator.export_brat",
    "annotator.export_label_studio",
)
for _module in BUILTIN_EXPORTERS:
    importlib.import_module(_module)


def __getattr__(name: str) -> tuple[str, ...]:
    # ``FORMATS``: the export formats, read from the registry when asked (a format registered
    # later is included).
    if name == "FORMATS":
        return export_format_names()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _check_keywords(fmt: str, dev_fraction: float, scheme: str, spans_key: str, columns: int,
                    pos: str | None) -> None:
    """The command line's keyword options are checked whatever the format (one line each)."""
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
    if pos and (fmt != "conll" or columns != 4):
        raise ExportError("--pos applies to --format conll with 4 columns only")


def export_options(fmt: str, **values: Any) -> Any:
    """The typed options of format ``fmt`` built from keyword values: the fields of its options
    dataclass are taken from ``values``, the other keywords are ignored."""
    writer = writable_format(fmt).writer
    assert writer is not None
    names = {f.name for f in fields(writer.options_type)}
    return writer.options_type(**{k: v for k, v in values.items() if k in names})


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
    *,
    options: Any = None,
) -> Generator[Progress, None, ExportReport]:
    """Export one layer (or every layer, JSONL) of ``store`` to ``out`` in format ``fmt``.

    ``out`` is a folder (created when missing); for ``jsonl``/``conll`` it may also name the
    output file (``corpus.jsonl``, ``train.conll``), else the file is ``out/LAYER.jsonl`` /
    ``out/LAYER.conll``. The format's options are ``options`` (an instance of its writer's
    ``options_type``: :class:`~annotator.export_spacy.SpacyOptions`,
    :class:`~annotator.export_conll.ConllOptions`...) or, when that is ``None``, built from the
    keywords: ``dev_fraction``/``seed``/``spans_key`` (spaCy), ``scheme``/``columns``/``pos``
    (CoNLL; ``pos``: :data:`PROJECT_MODEL` for the project's pipeline, a package name / path,
    ``""`` for the ``-X-`` placeholder, ``None`` for the project's pipeline when the project
    names one and the placeholder otherwise). Yields progress per batch of documents and returns
    the report. Raises :class:`~corpus.errors.ExportError` (one line) for bad arguments or an
    unwritable ``out``.
    """
    writable_format(fmt)
    if options is None:
        _check_keywords(fmt, dev_fraction, scheme, spans_key, columns, pos)
        options = export_options(fmt, dev_fraction=dev_fraction, seed=seed, scheme=scheme, spans_key=spans_key,
                                 columns=columns, pos=pos)
    return (yield from run_export(store, out, fmt, layer, only_done, options))


def export(store: Store, out: str | Path, fmt: str, **options: Any) -> ExportReport:
    """Run :func:`export_job` to its end (same arguments) and return its report."""
    report = drain(export_job(store, out, fmt, **options))
    assert isinstance(report, ExportReport)
    return report
