"""``annotator suggest PROJECT.db``: run the suggesters (model NER, patterns, propagation).

A thin command over :func:`annotator.suggest.suggest_job`: a progress bar with documents per
second, one summary line per layer, ``--json`` for scripts. Ctrl-C stops between batches (every
finished batch is kept; the next run resumes) and exits with status 130; SIGTERM does the same
and exits with status 143. Either way the worker processes (``--n-process``) are stopped with
the command, and they die with it when it is killed outright (:mod:`annotator.suggesters.parallel`).
``--scheduler`` runs the model on a Dask cluster (:mod:`annotator.suggesters.cluster`).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path
from collections.abc import Generator, Iterator
from typing import Any

from corpus.store import open_store
from corpus.settings import MODEL, SCHEDULER

from annotator.progress import Progress, run_with_bar
from annotator.suggesters.registry import model_claimed_by
from annotator.suggest import SuggestReport, suggest_job

__all__ = ["register", "func", "summary_lines"]


def register(subparsers: Any) -> None:
    """Add the ``suggest`` command."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "suggest",
        help="pre-annotate documents with a spaCy model, pattern rules and propagation",
        description=(
            "Fill the suggestion layers: model:<package>@<version> (spaCy NER), patterns "
            "(EntityRuler JSONL rules stored in the project) and match:<person> (each person's "
            "spans proposed at the other occurrences of the same text). Resumable: documents "
            "already suggested by the same model are skipped unless --force."
        ),
    )
    p.add_argument("project", metavar="PROJECT.db", help="the project file")
    p.add_argument("--model", metavar="NAME|PATH", help="spaCy pipeline package or folder "
                   "(default: the project setting 'model', else the best installed en_core_web_* package); "
                   "a successful run records it as the project's model")
    p.add_argument("--no-model", action="store_true", help="skip the model; run patterns and propagation only")
    p.add_argument("--patterns", metavar="FILE", help="EntityRuler patterns (JSONL) to store in the project and run")
    p.add_argument("--batch-size", type=int, default=64, metavar="N", help="documents per batch and transaction (64)")
    p.add_argument("--n-process", type=int, default=1, metavar="N", help="worker processes for the model (1)")
    p.add_argument("--scheduler", metavar="ADDRESS|local:N", help="run the model on a Dask cluster: a scheduler "
                   "address (tcp://host:8786) or local:N for N worker processes on this machine (needs the "
                   "cluster extra); recorded as the project setting 'scheduler', which later whole-corpus runs and the "
                   "window's Suggest all use; 'none' runs here and clears it")
    p.add_argument("--force", action="store_true", help="redo documents already suggested (replacing their suggestions)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=func)


def summary_lines(report: SuggestReport) -> list[str]:
    """Human-readable summary of a run: one line per layer, plus the no-model notice."""
    lines: list[str] = []
    if report.no_model_reason:
        lines.append(report.no_model_reason)
    if report.patterns_loaded is not None:
        lines.append(f"patterns: stored {report.patterns_loaded} patterns")
    for lr in report.layers:
        per_label = ", ".join(f"{k} {v}" for k, v in sorted(lr.labels.items(), key=lambda kv: (-kv[1], kv[0])))
        line = f"{lr.layer}: {lr.docs} documents, {lr.spans} spans"
        if per_label:
            line += f" ({per_label})"
        if lr.skipped:
            line += f"; {lr.skipped} already suggested, skipped (--force redoes them)"
        if lr.dropped:
            dropped = ", ".join(f"{k} {v}" for k, v in sorted(lr.dropped.items(), key=lambda kv: (-kv[1], kv[0])))
            line += f"; dropped labels outside the project schema: {dropped}"
        if lr.docs and lr.seconds > 0:
            line += f"; {lr.docs / lr.seconds:.1f} docs/s, {lr.words / lr.seconds:,.0f} words/s"
        lines.append(line)
    if report.scheduler:
        lines.append(f"model batches computed on the Dask cluster {report.scheduler}")
    for person, n in sorted(report.propagated.items()):
        lines.append(f"match:{person}: {n} propagated suggestions")
    return lines


def _run(job: Iterator[Progress]) -> object:
    """Run the job with a progress bar on a terminal (documents per second), silently otherwise."""
    return run_with_bar(job, "suggest")


def _track(job: Generator[Progress, None, object], last: list[Progress]) -> Generator[Progress, None, object]:
    """Pass the job's progress through, remembering the latest in ``last`` (for Ctrl-C)."""
    while True:
        try:
            p = next(job)
        except StopIteration as stop:
            return stop.value
        last[:] = [p]
        yield p


class Terminated(KeyboardInterrupt):
    """SIGTERM during a run: handled like Ctrl-C (finished batches kept), exit status 143."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise Terminated()


def func(args: argparse.Namespace) -> int:
    """Run the command; returns the exit status."""
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _on_sigterm) if main_thread else None
    try:
        return _func(args)
    except Terminated:
        what = getattr(args, "interrupted", None) or "finished batches were kept"
        print(f"annotator {args.command}: terminated; {what}", file=sys.stderr)
        return 143
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


def _func(args: argparse.Namespace) -> int:
    with open_store(args.project) as store:
        job = suggest_job(
            store,
            model=args.model,
            patterns=args.patterns,
            batch_size=args.batch_size,
            n_process=args.n_process,
            force=args.force,
            use_model=not args.no_model,
            scheduler=args.scheduler,
        )
        last: list[Progress] = []

        try:
            report = _run(_track(job, last))
        except KeyboardInterrupt:
            if last and last[0].total:
                args.interrupted = (
                    f"finished batches were kept ({last[0].done} of {last[0].total} documents); "
                    "run the same command again to continue"
                )
            raise
        finally:
            job.close()
        if args.model and not args.no_model and model_claimed_by(args.model) is None:
            # The project now uses this pipeline: later runs, the window's background
            # suggestions and the CoNLL export's POS column take it without being told again.
            given = Path(args.model)
            store.set_setting(MODEL, str(given.resolve()) if given.exists() else args.model)
        if args.scheduler:
            # Like --model: later whole-corpus runs (and the window's "Suggest all") use it;
            # --scheduler none goes back to this machine.
            store.set_setting(SCHEDULER, None if args.scheduler.strip() == "none" else args.scheduler.strip())
    assert isinstance(report, SuggestReport)
    if args.json:
        json.dump(report.as_dict(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for line in summary_lines(report):
            print(line)
    return 0
