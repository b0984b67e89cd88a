"""``annotator stats PROJECT.db [--json]``: documents, tokens and per layer what it holds.

A thin command over :func:`annotator.stats.project_stats`; ``--json`` prints its dict, whose
shape is a contract for scripts (see :mod:`annotator.stats`).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add the ``stats`` command to the ``annotator`` parser."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "stats",
        help="what is in a project: documents, tokens, spans and relations per layer",
        description="Documents, tokens and, per layer, spans, relations, spans per label and documents done.",
    )
    p.add_argument("project", metavar="PROJECT.db", help="the project file")
    p.add_argument("--json", action="store_true", help="print JSON (a stable shape for scripts)")
    p.set_defaults(func=run, interrupted="the project was not changed")


def run(args: argparse.Namespace) -> int:
    """Run the command; returns the exit status."""
    from annotator.stats import format_stats, project_stats
    from corpus.store import open_store

    with open_store(args.project, read_only=True) as store:  # never changes the file
        stats = project_stats(store)
    if args.json:
        print(json.dumps(stats, ensure_ascii=False, indent=2))
    else:
        print(format_stats(stats))
    return 0
