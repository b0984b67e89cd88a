"""``annotator next PROJECT.db``: the documents most useful to annotate next.

A thin command over :func:`annotator.training.useful.uncertainty_job`: a person's undone
documents, the ones the model is least sure about first (what the window's "Most useful next"
order shows). ``--scheduler ADDRESS|local:N`` scores them on a Dask cluster (the ``cluster``
extra); without it, the project setting ``scheduler`` is used if set. ``--json`` prints
``[{"rank", "id", "name", "uncertainty"}, ...]``. Only reads the project.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from corpus.errors import CorpusError

from annotator.progress import run_with_bar

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add the ``next`` command."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "next",
        help="the documents most useful to annotate next (the model's least certain first)",
        description=(
            "List a person's documents not yet done or skipped, the ones the model is least sure "
            "about first: correcting those teaches the next model most."
        ),
    )
    p.add_argument("project", metavar="PROJECT.db", help="the project file")
    p.add_argument("--annotator", metavar="NAME",
                   help="whose undone documents (default: the project's only annotator)")
    p.add_argument("--model", default="project", metavar="NAME|PATH|project",
                   help="'project' (latest trained model, the default), 'project@N', a pipeline folder or a package")
    p.add_argument("--scheduler", metavar="ADDRESS|local:N",
                   help="score on a Dask cluster: a scheduler address, or local:N worker processes here; "
                   "'none' for this machine (default: the project setting 'scheduler', else this machine)")
    p.add_argument("--limit", type=int, default=20, metavar="N", help="print the first N documents (20; 0: all)")
    p.add_argument("--json", action="store_true", help="print the list as JSON")
    p.set_defaults(func=run, interrupted="nothing was changed")


def _annotator(store: Any, name: str | None) -> str:
    people = store.annotators()
    if name is not None:
        if name not in people:
            raise CorpusError(f"{store.path}: no annotator {name!r} (annotators: {', '.join(people) or 'none'})")
        return name
    if len(people) != 1:
        raise CorpusError(f"{store.path}: say whose documents with --annotator NAME "
                          f"(annotators: {', '.join(people) or 'none'})")
    return people[0]


def run(args: argparse.Namespace) -> int:
    """Run the command; returns the exit status."""
    from corpus.store import open_store

    from annotator.training.useful import uncertainty_job

    if args.limit < 0:
        raise CorpusError(f"--limit must be 0 (all) or more, not {args.limit}")
    with open_store(args.project, read_only=True) as store:  # scoring only reads
        who = _annotator(store, args.annotator)
        scored = run_with_bar(uncertainty_job(store, who, args.model, args.scheduler), "next")
        shown = scored[:args.limit] if args.limit else scored
        names = store.document_names([d for d, _ in shown])
    rows = [{"rank": k, "id": d, "name": names.get(d, ""), "uncertainty": round(u, 6)}
            for k, (d, u) in enumerate(shown, 1)]
    if args.json:
        json.dump(rows, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    if not rows:
        print(f"{who} has no documents left to do")
    for r in rows:
        print(f"{r['rank']:>4}  {r['uncertainty']:.4f}  {r['id']:>6}  {r['name']}")
    return 0
