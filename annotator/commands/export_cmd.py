"""``annotator export PROJECT.db OUT --format spacy|jsonl|conll|brat [...]``.

A thin command over :func:`annotator.export.export_job`: a progress bar on stderr, a one-line
summary (documents, spans, relations, spans expanded to token boundaries, documents with
overlapping spans) and the warnings on stderr; ``--json`` prints the report as JSON instead.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from corpus.errors import ProjectError
from corpus.formats.registry import export_format_names
from corpus.formats.write_conll import SCHEMES
from corpus.model import GOLD
from corpus.store import open_store

from annotator.export import ALL_LAYERS, PROJECT_MODEL, ExportReport, export_job
from annotator.progress import drain, run_with_bar

__all__ = ["register", "run"]

#: Warnings printed on stderr (all of them are in the ``--json`` report).
MAX_WARNINGS = 20


def _fraction(value: str) -> float:
    try:
        f = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not (0.0 <= f < 1.0):
        raise argparse.ArgumentTypeError(f"must be at least 0 and below 1, got {value}")
    return f


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``export`` command."""
    p = subparsers.add_parser(
        "export",
        help="write training data (spaCy DocBin, Prodigy JSONL, CoNLL-2003, brat)",
        description=(
            "Export one annotation layer as training data. OUT is a folder (created when missing); "
            "for jsonl and conll it may also name the output file. Nothing is written outside OUT."
        ),
    )
    p.add_argument("project", metavar="PROJECT.db", help="the project file")
    p.add_argument("out", metavar="OUT", help="output folder (or .jsonl/.conll file)")
    p.add_argument("--format", "-f", dest="fmt", required=True, choices=export_format_names(), help="output format")
    p.add_argument("--layer", default=GOLD,
                   help=f"layer to export: a person, a suggester or {GOLD} (default); "
                        f"{ALL_LAYERS!r} writes every layer (jsonl only)")
    p.add_argument("--only-done", action="store_true",
                   help="only the documents the layer's owner marked done")
    p.add_argument("--dev-fraction", type=_fraction, default=0.0, metavar="F",
                   help="spacy: share of documents for dev.spacy (split by document; default 0: "
                        "dev.spacy is a copy of train.spacy)")
    p.add_argument("--seed", type=int, default=0, help="random seed of the train/dev split (default 0)")
    p.add_argument("--scheme", choices=SCHEMES, default="iob2", help="conll: tag scheme (default iob2)")
    p.add_argument("--spans-key", default="sc", metavar="KEY", help="spacy: doc.spans key (default sc)")
    p.add_argument("--columns", type=int, choices=(2, 4), default=4,
                   help="conll: 4 = 'word POS chunk NE' (default), 2 = 'word NE'")
    p.add_argument("--pos", nargs="?", const=PROJECT_MODEL, default=None, metavar="MODEL",
                   help="conll: POS (and NP chunk) columns from a spaCy pipeline's tagger: the "
                        "project's pipeline, or MODEL (package or path); default: the project's "
                        "pipeline when it names one (annotator suggest --model records it), else "
                        "the placeholder -X-")
    p.add_argument("--no-pos", dest="pos", action="store_const", const="",
                   help="conll: always write the placeholder POS -X- and chunk O")
    p.add_argument("--json", action="store_true", help="print the report as JSON on stdout")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run, interrupted="nothing was exported")


def _report_json(report: ExportReport) -> str:
    return json.dumps(dataclasses.asdict(report), ensure_ascii=False, indent=2)


def run(args: argparse.Namespace) -> int:
    """Run the export; returns the exit status (errors are raised as ``CorpusError``)."""
    if not Path(args.project).is_file():
        raise ProjectError(f"{args.project}: no such project file")
    store = open_store(args.project, read_only=True)  # an export never changes the project
    try:
        job = export_job(
            store, args.out, args.fmt, layer=args.layer, only_done=args.only_done,
            dev_fraction=args.dev_fraction, seed=args.seed, scheme=args.scheme,
            spans_key=args.spans_key, columns=args.columns, pos=args.pos,
        )
        try:
            report = drain(job) if args.no_progress else run_with_bar(job, f"export {args.fmt}")
        finally:
            job.close()  # an interrupted export removes its staged files now, not when collected
    finally:
        store.close()
    assert isinstance(report, ExportReport)
    if args.json:
        print(_report_json(report))
    else:
        print(report.summary())
    for w in report.warnings[:MAX_WARNINGS]:
        print(f"warning: {w}", file=sys.stderr)
    if len(report.warnings) > MAX_WARNINGS:
        print(f"warning: ... and {len(report.warnings) - MAX_WARNINGS} more (see --json)", file=sys.stderr)
    return 0
