"""Look and feel: the style sheet, status icons drawn in code, label colour swatches."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import QApplication

from corpus.model import DocumentStatus
from corpus.resources import resource_path

__all__ = ["status_icon", "swatch_icon", "text_on", "apply_style", "STATUS_TEXT"]

STATUS_TEXT = {
    DocumentStatus.TODO: "to do",
    DocumentStatus.IN_PROGRESS: "in progress",
    DocumentStatus.DONE: "done",
    DocumentStatus.SKIPPED: "skipped",
}


@lru_cache(maxsize=16)
def status_icon(status: DocumentStatus, size: int = 14) -> QIcon:
    """A small round icon per status: open circle (to do), half (in progress), check (done)."""
    pm = QPixmap(size * 2, size * 2)
    pm.setDevicePixelRatio(2.0)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    r = QRectF(1.5, 1.5, size - 3, size - 3)
    if status is DocumentStatus.TODO:
        p.setPen(QPen(QColor("#9a9a9a"), 1.4))
        p.drawEllipse(r)
    elif status is DocumentStatus.IN_PROGRESS:
        p.setPen(QPen(QColor("#e08a00"), 1.4))
        p.drawEllipse(r)
        path = QPainterPath()
        path.moveTo(r.center())
        path.arcTo(r, 90, 180)
        path.closeSubpath()
        p.fillPath(path, QColor("#e08a00"))
    elif status is DocumentStatus.DONE:
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#2e9e44"))
        p.drawEllipse(r)
        p.setPen(QPen(QColor("white"), 1.8, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        s = size
        p.drawPolyline([QPointF(s * 0.3, s * 0.52), QPointF(s * 0.45, s * 0.67), QPointF(s * 0.72, s * 0.36)])
    else:
        p.setPen(QPen(QColor("#9a9a9a"), 1.4))
        p.drawEllipse(r)
        p.drawLine(QPointF(size * 0.3, size * 0.5), QPointF(size * 0.7, size * 0.5))
    p.end()
    icon = QIcon(pm)
    icon.addPixmap(pm, QIcon.Mode.Selected)  # the current document's row keeps its status colour
    return icon


@lru_cache(maxsize=256)
def swatch_icon(color: str, size: int = 14, dashed: bool = False) -> QIcon:
    """A rounded colour square for a label."""
    pm = QPixmap(size * 2, size * 2)
    pm.setDevicePixelRatio(2.0)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    c = QColor(color)
    p.setBrush(c)
    p.setPen(QPen(c.darker(150), 1, Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine))
    p.drawRoundedRect(QRectF(1, 1, size - 2, size - 2), 3, 3)
    p.end()
    icon = QIcon(pm)
    # the same colours in a selected row (Qt would tint the swatch with the highlight colour,
    # and PERSON's red would read as purple)
    icon.addPixmap(pm, QIcon.Mode.Selected)
    return icon


def _luminance(c: QColor) -> float:
    def lin(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * lin(c.redF()) + 0.7152 * lin(c.greenF()) + 0.0722 * lin(c.blueF())


def text_on(color: str | QColor) -> QColor:
    """Near-black or white, whichever reads better on ``color`` (WCAG contrast)."""
    lum = _luminance(QColor(color))
    return QColor("#ffffff") if (1.05 / (lum + 0.05)) > ((lum + 0.05) / 0.05) else QColor("#202020")


def apply_style(app: QApplication) -> None:
    """Fusion style plus the project's style sheet (resources/style.qss when shipped)."""
    app.setStyle("Fusion")
    try:
        qss = resource_path("style.qss").read_text(encoding="utf-8")
    except OSError:
        qss = ""
    if qss:
        app.setStyleSheet(qss)
