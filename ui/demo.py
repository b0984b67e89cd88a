"""The demo project in the window: where it lives, and building it with a progress dialog."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths

from annotator.changes import Changes
from annotator.demo import demo_job, demo_path, needs_building
from corpus.store import Store
from ui.worker import run_job

__all__ = ["demo_folder", "open_demo"]


def demo_folder() -> Path:
    """The user's data folder for this program (QStandardPaths.AppDataLocation)."""
    loc = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(loc or Path.home() / ".corpuslabel")


def open_demo(win) -> None:
    """Create (or reopen) the demo project in ``win`` and build it with a progress dialog."""
    path = demo_path(demo_folder())
    with Store(path) as store:  # creates the file when missing
        build = needs_building(store)
    if not win.open_project(str(path)):
        return
    if not build:
        return
    st = win.state

    def done(_result) -> None:
        if win.state is st and st is not None:
            st.announce(Changes(documents=True, all_suggestions=True))
            if st.current_doc_id is None:
                ids = win.doc_list.model.ids()
                if ids:
                    st.open_document(ids[0])
            else:
                st.open_document(st.current_doc_id)
        win.statusBar().showMessage(f"Demo project ready: {path}", 10_000)

    win.demo_job = run_job(win, "Building the demo project", demo_job, str(path), on_done=done)
