"""The ``annotator`` command line: thin commands over plain functions.

Each subcommand lives in a module of :mod:`annotator.commands` exposing
``register(subparsers) -> None``; the parser it adds sets ``func`` to a callable taking the
parsed arguments and returning an exit status. Errors meant for the user
(:class:`corpus.errors.CorpusError`) are printed as one line on stderr with a non-zero exit,
never as a traceback; Ctrl-C exits with 130 and one line saying what became of the work. A
command whose work is all or nothing sets ``interrupted`` (with ``set_defaults``) to say so;
the default, :data:`INTERRUPTED`, suits commands that keep what they finished.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sqlite3
import sys
from collections.abc import Sequence

from corpus.errors import CorpusError

__all__ = ["main", "build_parser", "COMMAND_MODULES", "INTERRUPTED"]

#: What Ctrl-C leaves behind, unless the command's ``interrupted`` default says otherwise.
INTERRUPTED = "finished work was kept"

#: Modules of :mod:`annotator.commands`, in the order their commands are listed in ``--help``.
COMMAND_MODULES = (
    "import_cmd",
    "suggest_cmd",
    "export_cmd",
    "agreement_cmd",
    "stats_cmd",
    "merge_cmd",
    "train_cmd",
    "evaluate_cmd",
    "next_cmd",
    "gui_cmd",
)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (every command module that is installed)."""
    parser = argparse.ArgumentParser(
        prog="annotator",
        description="Build NER and relation training corpora: import, suggest, annotate, export.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"annotator.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"annotator.commands.{name}":
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``annotator`` script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.func(args) or 0)
    except CorpusError as exc:
        print(f"annotator {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except sqlite3.DatabaseError as exc:
        # A damaged, full or unreadable project file met while working (opening it is checked
        # by the store). Misuse of the database is a bug, not the user's: keep its traceback.
        if isinstance(exc, (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError)):
            raise
        where = getattr(args, "project", None) or "the project file"
        print(f"annotator {args.command}: error: {where}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        what = getattr(args, "interrupted", None) or INTERRUPTED
        print(f"annotator {args.command}: interrupted; {what}", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
