"""``annotator import PROJECT.db PATH... [--format ...] [--annotator NAME]``.

A thin command over :func:`annotator.importing.import_job`: creates the project file when it is
missing, shows a progress bar, prints a one-line summary (and the warnings on stderr). On bad
input it prints one line naming the file and line, exits non-zero, and leaves the project file
as it was. A new project is built under a private name beside it (``.NAME.creating-<pid>-...``)
and put in place only when the import is complete, never over a project another program created
meanwhile (this import then goes into that one): a failed import removes only its own private
file, so it can never delete documents another import committed. A private file a killed import
left behind is removed by the next creating import of the same project.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpus.formats.brat import DISCONTINUOUS
from corpus.formats.registry import import_format_names

from annotator.atomic_files import place_new, private_name, remove_stale

if TYPE_CHECKING:
    from annotator.importing import ImportReport

__all__ = ["register", "run"]

#: Warnings printed before "... and N more".
SHOWN_WARNINGS = 20
#: Middle of the private name a creating import builds the project under (``.P.db.creating-<pid>-<hex>``).
CREATING = ".creating-"


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


def _import(project: Path, args: argparse.Namespace) -> ImportReport:
    """Run the import into ``project`` (created when missing) with a progress bar."""
    from annotator.importing import ImportReport, import_job
    from annotator.progress import run_with_bar
    from corpus.store import Store

    store = Store(project, create=True)
    job = import_job(store, args.paths, fmt=args.fmt, annotator=args.annotator, encoding=args.encoding,
                     skip_bad_records=args.skip_bad_records, brat_discontinuous=args.brat_discontinuous)
    try:
        # a bar only on a terminal, never with --quiet
        report = run_with_bar(job, "import", enabled=False if args.quiet else None)
        assert isinstance(report, ImportReport)
    finally:
        job.close()  # an interrupted job rolls back while its connection is still open
        store.close()
    return report


def _checkpointed(path: Path) -> None:
    """Make sure every committed page of ``path`` is in the file itself, not in its WAL
    (closing the last connection does it; opening and closing again repairs a missed one)."""
    from corpus.store import Store

    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size:
        Store(path, create=False).close()


def _creating_import(project: Path, args: argparse.Namespace) -> ImportReport | None:
    """Import into a new project built under a private name beside ``project`` and put in place
    only when complete, never over a file that appeared meanwhile; ``None`` when another
    program created ``project`` first (the caller then imports into it). The private file is
    this command's alone: it is the only file a failed import removes."""
    folder = project.parent if str(project.parent) else Path(".")
    for stale in remove_stale(folder, f".{project.name}{CREATING}", folders=False):
        _remove_project(folder / stale)  # a killed creating import's file, and its WAL
    private = private_name(folder, f".{project.name}{CREATING}")
    try:
        report = _import(private, args)
        _checkpointed(private)
        landed = place_new(private, project)
    finally:
        _remove_project(private)
    return report if landed else None


def run(args: argparse.Namespace) -> int:
    """Run the command; returns the exit status."""
    project = Path(args.project)
    report = None
    if not project.exists():
        report = _creating_import(project, args)
    if report is None:
        report = _import(project, args)
    if not args.quiet:
        for s in report.skipped:  # every one: the user must be able to find each record left out
            print(f"skipped: {s}", file=sys.stderr)
        for w in report.warnings[:SHOWN_WARNINGS]:
            print(f"warning: {w}", file=sys.stderr)
        if len(report.warnings) > SHOWN_WARNINGS:
            print(f"warning: ... and {len(report.warnings) - SHOWN_WARNINGS} more", file=sys.stderr)
    print(report.summary())
    return 0
