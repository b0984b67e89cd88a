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
