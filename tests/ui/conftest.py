"""pytest-qt setup for the window tests: offscreen, test-mode settings, a temp project."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QCoreApplication, QSettings, QStandardPaths  # noqa: E402

QStandardPaths.setTestModeEnabled(True)
QCoreApplication.setOrganizationName("corpuslabel-test")
QCoreApplication.setApplicationName("corpuslabel-desk-test")

from annotator.tokenize import tokenize  # noqa: E402
from corpus.model import Document, Span  # noqa: E402
from corpus.resources import default_labels, seeds_dir  # noqa: E402
from corpus.store import Store  # noqa: E402

SEED = Path("/work/shared/seeds/000_ff306bfd47c852bb.txt")

SHORT_TEXTS = [
    ("markup.txt", "The <b>bold</b> claim and <img src=x> by Alice Smith in Paris."),
    ("short.txt", "Barack Obama met Angela Merkel in Berlin on Monday.\n\nThey talked about trade."),
]


def seed_text() -> str:
    if SEED.exists():
        return SEED.read_text(encoding="utf-8")
    return sorted(seeds_dir().glob("*.txt"))[0].read_text(encoding="utf-8")


def make_project(path: Path, *, overlap: bool = False) -> Path:
    """A project with the seed article and two short texts, default labels, no annotations."""
    with Store(path) as store:
        store.set_labels(default_labels())
        if overlap:
            store.set_setting("allow_overlap", True)
        docs = []
        for name, text in [("seed-article.txt", seed_text()), *SHORT_TEXTS]:
            toks, sents = tokenize(text)
            docs.append(Document(text=text, name=name, tokens=toks, sents=sents))
        store.add_documents(docs)
    return path


def add_suggestions(path: Path, doc_id: int, items: list[tuple[str, str]], layer: str = "model:test@1") -> list[Span]:
    """Suggestion spans (by surface text, first occurrence) in a suggester layer."""
    with Store(path) as store:
        text = store.get_document(doc_id).text
        spans = []
        for surface, label in items:
            i = text.index(surface)
            spans.append(Span(doc_id=doc_id, layer=layer, start=i, end=i + len(surface), label=label,
                              source=layer, score=0.9))
        out = store.add_spans(spans)
        store.mark_suggested([doc_id], layer)
    return out


@pytest.fixture(autouse=True)
def _clean_settings():
    s = QSettings()
    s.clear()
    s.setValue("annotator", "tester")
    s.sync()
    yield
    QSettings().clear()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "test.db")


def open_window(qtbot, path, *, size: tuple[int, int] | None = None, auto_suggest: bool = False,
                exposed: bool = False):
    """A real MainWindow on the project at ``path``, background suggestion and propagation off
    unless asked (tests insert suggestions themselves)."""
    from ui.main_window import MainWindow

    s = QSettings()
    s.setValue("auto_suggest", auto_suggest)
    s.setValue("auto_propagate", False)
    w = MainWindow()
    qtbot.addWidget(w)
    if size is not None:
        w.resize(*size)
    w.show()
    if exposed:
        qtbot.waitExposed(w)
    assert w.open_project(str(path))
    return w
