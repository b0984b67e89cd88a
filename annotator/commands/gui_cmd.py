"""``annotator gui [PROJECT.db]`` and ``annotator demo``: open the window.

The window lives in the ``ui`` package, above this layer; it is loaded by name at run time
(``importlib``) so the layers keep pointing down.
"""

from __future__ import annotations

import argparse
import importlib


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("gui", help="open the annotation window",
                              description="Open the annotation window (on PROJECT.db, or the last project).")
    p.add_argument("project", nargs="?", help="project file (default: the last one opened)")
    p.set_defaults(func=run_gui)
    d = subparsers.add_parser("demo", help="open a demo project built from the seed articles",
                              description="Create (once) a demo project from the shipped seed articles in "
                                          "your data folder, suggest entities, and open the window.")
    d.set_defaults(func=run_demo)


def _app():
    return importlib.import_module("ui.app")


def run_gui(args: argparse.Namespace) -> int:
    return int(_app().launch(args.project) or 0)


def run_demo(args: argparse.Namespace) -> int:
    return int(_app().launch(None, demo=True) or 0)
