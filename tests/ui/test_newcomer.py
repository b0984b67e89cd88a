"""The paths a newcomer takes: first start (who is annotating?), File > Open on a file that is
not a project, suggestions hidden and said so."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from ui.main_window import MainWindow


def test_first_start_cancelled_asks_once_and_opens_nothing(qtbot, tmp_path, monkeypatch):
    from ui import app, errors

    QSettings().remove("annotator")
    asked = []

    def get_text(parent, title, label, text=""):
        asked.append(text)
        return "", False

    monkeypatch.setattr("ui.project.QInputDialog.getText", get_text)
    monkeypatch.setattr("ui.demo.demo_folder", lambda: tmp_path / "data")
    hook = __import__("sys").excepthook
    try:
        win = app.launch(None, demo=True, exec_loop=False)
    finally:
        errors.uninstall_excepthook()
        __import__("sys").excepthook = hook
    qtbot.addWidget(win)
    assert len(asked) == 1  # not asked a second time by the demo
    assert win.state is None and not hasattr(win, "demo_job")
    assert "you will be asked" in win.statusBar().currentMessage()
    win.close()


def test_first_start_offers_the_login_name(qtbot, project, monkeypatch):
    QSettings().remove("annotator")
    monkeypatch.setattr("ui.main_window.default_annotator_name", lambda: "maria")
    offered = []
    monkeypatch.setattr("ui.project.QInputDialog.getText",
                        lambda parent, title, label, text="": offered.append(text) or (text, True))
    w = MainWindow()
    qtbot.addWidget(w)
    assert w.open_project(str(project))
    assert offered == ["maria"] and w.state.annotator == "maria"
    w.close()


def test_file_open_refuses_an_empty_file(qtbot, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append((box.windowTitle(), box.text())) or 0)
    notes = tmp_path / "notes.txt"
    notes.write_bytes(b"")
    w = MainWindow()
    qtbot.addWidget(w)
    monkeypatch.setattr("ui.main_window.QFileDialog.getOpenFileName", lambda *a, **k: (str(notes), ""))
    w.act_open.trigger()
    assert w.state is None
    assert notes.read_bytes() == b""  # not turned into a project
    assert shown and shown[0][0] == "Not a project file" and "empty file" in shown[0][1]
    w.close()


def test_hidden_suggestions_are_said_in_the_header(qtbot, project):
    from conftest import add_suggestions

    s = QSettings()
    s.setValue("auto_suggest", False)
    s.setValue("auto_propagate", False)
    add_suggestions(project, 1, [("Blinken", "PERSON")])
    w = MainWindow()
    qtbot.addWidget(w)
    assert w.open_project(str(project))
    w.state.open_document(1)
    assert "1 suggestion \u00b7" in w.doc_info.text()
    w.act_show_sugg.setChecked(False)
    assert "1 suggestion hidden" in w.doc_info.text()
    w.act_show_sugg.setChecked(True)
    assert "hidden" not in w.doc_info.text()
    w.close()
