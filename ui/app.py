"""Entry points of the window: ``annotator-gui [PROJECT.db]`` and ``annotator demo``."""

from __future__ import annotations

import argparse
import gc
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QApplication

from ui.demo import demo_folder, open_demo
from ui.startup import watch_first_paint

__all__ = ["main", "demo_main", "make_app", "launch", "freeze_startup_objects", "demo_folder", "open_demo"]

ORG = "corpuslabel"
APP = "Corpus Label Desk"


def make_app(argv: Sequence[str] | None = None) -> QApplication:
    """The QApplication (created once), styled, with errors shown in dialogs."""
    app = QApplication.instance()
    if app is None:
        QCoreApplication.setOrganizationName(ORG)
        QCoreApplication.setApplicationName(APP)
        app = QApplication(list(argv or [sys.argv[0]]))
        from ui.style import apply_style

        apply_style(app)  # type: ignore[arg-type]
    from ui.errors import install_excepthook

    install_excepthook()
    return app  # type: ignore[return-value]


_startup_frozen = False


def freeze_startup_objects() -> None:
    """Take what startup made out of the garbage collector's full passes (once per process).

    Modules, classes and functions of spaCy, Qt and this program (about 100,000 objects) live
    as long as the process; a full collection walks them all, about 100 ms here, every few
    documents opened and now and then inside a key press. Garbage is collected first, so
    nothing collectable is frozen; objects made later are collected as usual.
    """
    global _startup_frozen
    if not _startup_frozen:
        _startup_frozen = True
        gc.collect()
        gc.freeze()


def launch(project: str | None = None, *, demo: bool = False, exec_loop: bool = True):
    """Open the window (on ``project``, the last project, or the demo). Returns the window."""
    app = make_app()
    from ui.main_window import MainWindow

    win = MainWindow()
    watch_first_paint(win)
    win.show()
    freeze_startup_objects()  # before any project: a project's objects stay collectable
    settings = QSettings()
    if not str(settings.value("annotator") or "").strip():
        from ui.main_window import ask_annotator, default_annotator_name

        name = ask_annotator(win, default_annotator_name())  # first start: who is annotating?
        if not name:
            # asked once is enough: the window opens on its welcome page, and opening a
            # project (or the demo) from there asks again
            win.statusBar().showMessage("Open a project or try the demo when you are ready: "
                                        "you will be asked who is annotating.")
            return app.exec() if exec_loop else win
        settings.setValue("annotator", name)
    if demo:
        open_demo(win)
    else:
        if project is None:
            last = QSettings().value("last_project")
            if last and Path(str(last)).exists():
                project = str(last)
        if project is not None:
            win.open_project(project, create=not Path(project).exists())
    if exec_loop:
        return app.exec()
    return win


def main(argv: Sequence[str] | None = None) -> int:
    """``annotator-gui [PROJECT.db]``."""
    parser = argparse.ArgumentParser(prog="annotator-gui", description="The annotation window")
    parser.add_argument("project", nargs="?", help="project file (default: the last one opened)")
    parser.add_argument("--demo", action="store_true", help="open the demo project")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    return int(launch(args.project, demo=args.demo) or 0)


def demo_main(argv: Sequence[str] | None = None) -> int:
    """``annotator demo``."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return int(launch(None, demo=True) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
