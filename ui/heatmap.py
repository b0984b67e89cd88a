"""An annotator x annotator heatmap of one pairwise agreement measure.

A plain painted widget: names down the left and along the top, one cell per pair coloured from
red (0 or below) through yellow to green (1), the value printed in the cell, the diagonal and
missing values in grey. Hovering a cell shows the pair, the value and the documents compared;
clicking a cell emits :attr:`HeatmapWidget.cellClicked` with the two names.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QLinearGradient, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

__all__ = ["HeatmapWidget", "value_color"]

_STOPS = ((0.0, QColor("#d73027")), (0.5, QColor("#fee08b")), (1.0, QColor("#1a9850")))


def value_color(value: float | None, lo: float = 0.0) -> QColor:
    """Colour of a value on the red-yellow-green scale from ``lo`` to 1 (grey when undefined)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return QColor("#e0e0e0")
    t = (value - lo) / (1.0 - lo) if 1.0 > lo else 1.0
    t = max(0.0, min(1.0, t))
    for (t0, c0), (t1, c1) in zip(_STOPS, _STOPS[1:]):
        if t <= t1:
            f = (t - t0) / (t1 - t0)
            return QColor(
                round(c0.red() + f * (c1.red() - c0.red())),
                round(c0.green() + f * (c1.green() - c0.green())),
                round(c0.blue() + f * (c1.blue() - c0.blue())),
            )
    return QColor(_STOPS[-1][1])


def _text_color(bg: QColor) -> QColor:
    lum = 0.299 * bg.red() + 0.587 * bg.green() + 0.114 * bg.blue()
    return QColor("#000000") if lum > 140 else QColor("#ffffff")


class HeatmapWidget(QWidget):
    """Pairwise values of one measure between named annotators."""

    cellClicked = Signal(str, str)

    CELL = 64
    PAD = 8
    LEGEND_H = 34

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("agreement_heatmap")
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.names: list[str] = []
        self.values: dict[tuple[str, str], float | None] = {}
        self.documents: dict[tuple[str, str], int] = {}
        self.measure = ""
        self.empty_text = "No agreement computed yet"

    # -- data ------------------------------------------------------------------------------
    def set_data(self, names: list[str], values: dict[tuple[str, str], float | None],
                 documents: dict[tuple[str, str], int] | None = None, measure: str = "") -> None:
        """Show ``values[(a, b)]`` (either order) for every pair of ``names``."""
        self.names = list(names)
        self.values = {}
        for (a, b), v in values.items():
            self.values[(a, b)] = v
            self.values[(b, a)] = v
        self.documents = {}
        for (a, b), n in (documents or {}).items():
            self.documents[(a, b)] = n
            self.documents[(b, a)] = n
        self.measure = measure
        self.updateGeometry()
        self.update()

    def value(self, a: str, b: str) -> float | None:
        return self.values.get((a, b))

    def cell_text(self, a: str, b: str) -> str:
        """What the cell shows ("—" on the diagonal, "n/a" when undefined)."""
        if a == b:
            return "—"
        v = self.values.get((a, b))
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return "n/a"
        return f"{v:.2f}"

    # -- geometry --------------------------------------------------------------------------
    def _label_width(self) -> int:
        fm = QFontMetrics(self.font())
        return min(160, max([fm.horizontalAdvance(n) for n in self.names] or [40]) + 2 * self.PAD + 6)

    def _header_height(self) -> int:
        return QFontMetrics(self.font()).height() + 2 * self.PAD

    def _cell(self) -> int:
        n = max(1, len(self.names))
        avail_w = self.width() - self._label_width() - self.PAD
        avail_h = self.height() - self._header_height() - self.LEGEND_H - self.PAD
        return max(36, min(96, avail_w // n, avail_h // n))

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        n = max(2, len(self.names))
        return QSize(self._label_width() + n * self.CELL + self.PAD,
                     self._header_height() + n * self.CELL + self.LEGEND_H + self.PAD)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        n = max(2, len(self.names))
        return QSize(self._label_width() + n * 36 + self.PAD, self._header_height() + n * 36 + self.LEGEND_H)

    def cell_rect(self, i: int, j: int) -> QRect:
        c = self._cell()
        return QRect(self._label_width() + j * c, self._header_height() + i * c, c, c)

    def cell_at(self, pos: QPoint) -> tuple[str, str] | None:
        for i, a in enumerate(self.names):
            for j, b in enumerate(self.names):
                if self.cell_rect(i, j).contains(pos):
                    return a, b
        return None

    # -- painting --------------------------------------------------------------------------
    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt API
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        if len(self.names) < 2:
            p.setPen(pal.color(pal.ColorRole.PlaceholderText))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.empty_text)
            return
        fm = QFontMetrics(self.font())
        lw, hh, c = self._label_width(), self._header_height(), self._cell()
        p.setPen(pal.color(pal.ColorRole.WindowText))
        for i, name in enumerate(self.names):
            text = fm.elidedText(name, Qt.TextElideMode.ElideRight, lw - 2 * self.PAD)
            p.drawText(QRect(0, hh + i * c, lw - self.PAD, c), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, text)
            top = fm.elidedText(name, Qt.TextElideMode.ElideRight, c - 4)
            p.drawText(QRect(lw + i * c, 0, c, hh), Qt.AlignmentFlag.AlignCenter, top)
        bold = self.font()
        bold.setBold(True)
        for i, a in enumerate(self.names):
            for j, b in enumerate(self.names):
                r = self.cell_rect(i, j).adjusted(1, 1, -1, -1)
                if a == b:
                    bg = QColor("#f3f3f3")
                else:
                    bg = value_color(self.values.get((a, b)), lo=self._lo())
                p.fillRect(r, bg)
                p.setPen(QPen(QColor("#ffffff"), 1))
                p.drawRect(r)
                p.setPen(_text_color(bg) if a != b else QColor("#999999"))
                p.setFont(bold if a != b else self.font())
                p.drawText(r, Qt.AlignmentFlag.AlignCenter, self.cell_text(a, b))
        p.setFont(self.font())
        # legend: a colour bar from lo to 1
        n = len(self.names)
        ly = hh + n * c + 10
        lx = lw
        width = max(120, n * c)
        grad = QLinearGradient(lx, 0, lx + width, 0)
        for t, col in _STOPS:
            grad.setColorAt(t, col)
        bar = QRect(lx, ly, width, 8)
        p.fillRect(bar, grad)
        p.setPen(pal.color(pal.ColorRole.WindowText))
        p.drawText(QRect(lx, ly + 9, 60, fm.height()), Qt.AlignmentFlag.AlignLeft, f"{self._lo():g}")
        p.drawText(QRect(lx + width - 60, ly + 9, 60, fm.height()), Qt.AlignmentFlag.AlignRight, "1")
        if self.measure:
            p.drawText(QRect(lx, ly + 9, width, fm.height()), Qt.AlignmentFlag.AlignHCenter, self.measure)

    def _lo(self) -> float:
        vals = [v for v in self.values.values() if v is not None and not (isinstance(v, float) and math.isnan(v))]
        return -1.0 if vals and min(vals) < 0 else 0.0

    # -- interaction -----------------------------------------------------------------------
    def tooltip_for(self, a: str, b: str) -> str:
        if a == b:
            return a
        docs = self.documents.get((a, b))
        text = f"{a} vs {b}: {self.measure} {self.cell_text(a, b)}"
        if docs is not None:
            text += f" over {docs} document{'s' if docs != 1 else ''}"
        return text

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        cell = self.cell_at(event.position().toPoint())
        if cell:
            QToolTip.showText(event.globalPosition().toPoint(), self.tooltip_for(*cell), self)
        else:
            QToolTip.hideText()
        super().mouseMoveEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        cell = self.cell_at(event.position().toPoint())
        if cell and cell[0] != cell[1]:
            self.cellClicked.emit(*cell)
        super().mousePressEvent(event)
