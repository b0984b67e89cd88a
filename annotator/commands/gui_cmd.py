"""``annotator gui [PROJECT.db]`` and ``annotator demo``: open the window.

The window lives in the ``ui`` package, above this layer, and this layer never imports it (not
even by name at run time): the command runs ``python -m ui`` with the same interpreter, as
its own program, and returns its exit status.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

__all__ = ["register", "window_command", "run_gui", "run_demo"]


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("gui", help="open the annotation window",
                              description="Open the annotation window (on PROJECT.db, or the last project).")
    p.add_argument("project", nargs="?", help="project file (default: the last one opened)")
    p.set_defaults(func=run_gui)
    d = subparsers.add_parser("demo", help="open a demo project built from the seed articles",
                              description="Create (once) a demo project from the shipped seed articles in "
                                          "your data folder, suggest entities, and open the window.")
    d.set_defaults(func=run_demo)


def window_command(project: str | None = None, *, demo: bool = False) -> list[str]:
    """The command line that opens the window (``python -m ui [PROJECT.db] [--demo]``)."""
    cmd = [sys.executable, "-m", "ui"]
    if demo:
        cmd.append("--demo")
    elif project is not None:
        cmd.extend(["--", project])
    return cmd


def run_gui(args: argparse.Namespace) -> int:
    """``annotator gui``: the window's own exit status."""
    return subprocess.call(window_command(args.project))


def run_demo(args: argparse.Namespace) -> int:
    """``annotator demo``."""
    return subprocess.call(window_command(demo=True))
