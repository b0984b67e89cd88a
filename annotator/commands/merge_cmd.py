"""``annotator merge PROJECT.db OTHER.db... [--prefer ours|theirs]``: thin over :mod:`annotator.merge`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from annotator.merge import MergeReport, merge_job
from annotator.progress import run_with_bar
from corpus.store import open_store

__all__ = ["register", "func"]


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``merge`` command."""
    p = subparsers.add_parser(
        "merge",
        help="bring other project files' documents, layers and statuses into a project",
        description=(
            "Merge other project files into PROJECT: documents matched by content hash, labels, "
            "annotators, their layers and statuses, rejections and suggestion bookkeeping. "
            "All or nothing; merging the same file twice changes nothing. The same annotator "
            "with different annotations of a document in two files is an error unless --prefer "
            "says which side wins."
        ),
    )
    p.add_argument("project", metavar="PROJECT.db", help="the project to merge into")
    p.add_argument("others", metavar="OTHER.db", nargs="+", help="project files to bring in")
    p.add_argument(
        "--prefer", choices=("ours", "theirs"), default=None,
        help="on a conflict keep the project's layer (ours) or take the other file's (theirs)",
    )
    p.add_argument("--create", action="store_true", help="create PROJECT.db when it does not exist")
    p.add_argument("--json", action="store_true", help="print the merge report as JSON")
    p.set_defaults(func=func, interrupted="nothing was merged; the project is as it was")


def func(args: argparse.Namespace) -> int:
    """Run the merge with a progress bar and print a summary line (or JSON).

    A project this command created (``--create``) is removed again when the merge fails, unless
    someone else has put something into it meanwhile.
    """
    created = args.create and not Path(args.project).exists()
    store = open_store(args.project, create=args.create)
    ok = False
    try:
        job = merge_job(store, args.others, prefer=args.prefer)
        try:
            report = run_with_bar(job, "merge")  # a bar only on a terminal
        finally:
            job.close()  # an interrupted job rolls back while its connection is still open
        ok = True
    finally:
        if created and not ok:
            store.discard_if_untouched()
        else:
            store.close()
    assert isinstance(report, MergeReport)
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        print(report.summary())
    return 0
