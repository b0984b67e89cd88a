"""The screenshot script renders every state without error (the pictures themselves are looked at by people)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QImage


def test_render_all(tmp_path):
    from ui.screenshots import render_all

    org, app = QCoreApplication.organizationName(), QCoreApplication.applicationName()
    try:
        files = render_all(tmp_path / "shots", workdir=tmp_path / "work")
    finally:
        QCoreApplication.setOrganizationName(org)
        QCoreApplication.setApplicationName(app)
    names = {f.name for f in files}
    for must in ("01-main-suggestions.png", "02-selection-being-labelled.png", "03-relations.png",
                 "04-relation-mode.png", "05-markup-and-overlaps.png", "07-shortcuts.png",
                 "17-relation-suggestions.png"):
        assert must in names
    for f in files:
        img = QImage(str(f))
        assert not img.isNull() and img.width() > 300
