"""The export dialog offers the export formats of the registry, a newly registered one included."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path

import pytest

from corpus.formats.registry import Format, Writer, register, unregister
from corpus.store import Store
from test_dialogs_project import make_multi_project
from ui.export_dialog import ExportDialog
from ui.state import AppState


@dataclass(frozen=True)
class ToyOptions:
    pass


def write_toy(ctx, opts: ToyOptions) -> Generator:
    yield ctx.progress(0, 0)


@pytest.fixture
def state(tmp_path: Path, qtbot):
    st = AppState(Store(make_multi_project(tmp_path / "multi.db")), "alice")
    yield st
    st.close()


def test_dialog_lists_registered_export_formats(state, qtbot) -> None:
    register(Format(name="toyexp", description="Toy export",
                    writer=Writer(write=write_toy, options_type=ToyOptions, produces="nothing much")))
    try:
        dlg = ExportDialog(state, None)
        qtbot.addWidget(dlg)
        shown = [dlg.format_combo.itemText(i) for i in range(dlg.format_combo.count())]
        assert shown[:4] == ["spaCy DocBin (.spacy)", "Prodigy JSONL", "CoNLL-2003", "brat standoff"]
        assert shown[-1] == "Toy export"
        dlg.format_combo.setCurrentIndex(dlg.format_combo.count() - 1)
        assert dlg.current_format() == "toyexp"
        assert dlg.format_hint.text() == "Writes nothing much."
    finally:
        unregister("toyexp")


def test_window_import_dialog_offers_registered_readers(tmp_path: Path, qtbot, monkeypatch) -> None:
    """File > Import's dialog filter comes from the registry: a new reader is offered, and no
    suffix is offered that detection cannot read."""
    from conftest import open_window
    from PySide6.QtWidgets import QFileDialog

    register(Format(name="toyread", description="Toy corpus", suffixes=(".toy",),
                    reader=lambda path, **kw: iter(())))
    seen: list[str] = []
    monkeypatch.setattr(QFileDialog, "getOpenFileNames",
                        staticmethod(lambda *a, **k: (seen.append(a[3]) or ([], ""))))
    try:
        win = open_window(qtbot, make_multi_project(tmp_path / "multi.db"))
        win.act_import.trigger()
        assert seen and "Toy corpus (*.toy)" in seen[0] and "*.toy" in seen[0].split(";;")[0]
        assert "*.conllu" not in seen[0]
    finally:
        unregister("toyread")
