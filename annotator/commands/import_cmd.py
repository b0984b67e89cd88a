"""``annotator import PROJECT.db PATH... [--format ...] [--annotator NAME]``.

A thin command over :func:`annotator.importing.import_job`: creates the project file when it is
missing, shows a progress bar, prints a one-line summary (and the warnings on stderr). On bad
input it prints one line naming the file and line, exits non-zero, and leaves the project file
as it was; a project file this command created is removed again.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path
from typing import Any

from corpus.formats.brat import DISCONTINUOUS
from corpus.formats.registry import import_format_names

__all__ = ["register", "run"]

#: Warnings printed before "... and N more".
SHOWN_WARNINGS = 20


def register(subparsers: Any) -> None:
    """Add the ``import`` command to the ``annotator`` parser."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "import",
        help="import articles and existing annotations (" + ", ".join(import_format_names()) + ")",
        description=(
            "Import files and folders into a project (created when missing). The same text imported "
            "again, or from another annotator's file, is one document with one more layer. The "
            "import is all or nothing."
        ),
    )
    p.add_argument("project", metavar="PROJECT.db", help="the project file (created when missing)")
    p.add_argument("paths", metavar="PATH", nargs="+", help="files or folders to import")
    p.add_argument("--format", dest="fmt", choices=("auto", *import_format_names()), default="auto",
                   help="input format (default: detected from each file)")
    p.add_argument("--annotator", metavar="NAME",
                   help="layer the files' annotations go to (default: the file's annotator, else the format name)")
    p.add_argument("--encoding", default="utf-8", metavar="CODEC",
                   help="encoding of the text files (default utf-8; e.g. latin-1, cp1252)")
    p.add_argument("--skip-bad-records", action="store_true",
                   help="skip records that cannot be imported (each named with file and line) and import the rest")
    p.add_argument("--brat-discontinuous", choices=DISCONTINUOUS, default="refuse",
                   help="what a discontinuous brat span becomes: an error (default), left out, its covering "
                        "span, or one span per fragment linked by 'fragment' relations")
    p.add_argument("--quiet", action="store_true", help="no progress bar and no warnings")
    p.set_defaults(func=run, interrupted="nothing was imported; the project is as it was")


def _remove_project(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(OSError):
            Path(f"{path}{suffix}").unlink()


def run(args: argparse.Namespace) -> int:
    """Run the command; returns the exit status."""
    from annotator.importing import ImportReport, import_job
    from annotator.progress import run_with_bar
    from corpus.store import Store

    project = Path(args.project)
    created = not project.exists()
    store = Store(project, create=True)
    ok = False
    job = import_job(store, args.paths, fmt=args.fmt, annotator=args.annotator, encoding=args.encoding,
                     skip_bad_records=args.skip_bad_records, brat_discontinuous=args.brat_discontinuous)
    try:
        # a bar only on a terminal, never with --quiet
        report = run_with_bar(job, "import", enabled=False if args.quiet else None)
        assert isinstance(report, ImportReport)
        ok = True
    finally:
        job.close()  # an interrupted job rolls back while its connection is still open
        store.close()
        if not ok and created:
            _remove_project(project)
    if not args.quiet:
        for s in report.skipped:  # every one: the user must be able to find each record left out
            print(f"skipped: {s}", file=sys.stderr)
        for w in report.warnings[:SHOWN_WARNINGS]:
            print(f"warning: {w}", file=sys.stderr)
        if len(report.warnings) > SHOWN_WARNINGS:
            print(f"warning: ... and {len(report.warnings) - SHOWN_WARNINGS} more", file=sys.stderr)
    print(report.summary())
    return 0
