"""The Training panel (a panel registry entry): train now, retraining, threshold, learning curve.

It drives the window's :class:`~ui.learning.LearningLoop` (``window.learning``) and edits two
project settings as undoable edits (:class:`~annotator.label_edits.SetSetting`, through the
window's ``apply``): ``retrain_every`` (retrain in the background after every K newly done
documents; 0: never) and ``suggestion_threshold`` (hide suggestions scoring below it; 0: off).
The learning curve is drawn by :class:`CurveChart`, a small QPainter line chart.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from annotator.changes import Changes
from annotator.label_edits import SetSetting
from annotator.suggest import THRESHOLD_SETTING
from annotator.training import MODELS_SETTING, ModelRecord
from annotator.training.loop import RETRAIN_SETTING
from ui.learning import dev_f1, model_summary
from ui.panels import PanelSpec, register_panel

__all__ = ["TrainingPanel", "CurveChart", "curve_points"]


def curve_points(rows: list[dict[str, Any]]) -> list[tuple[float, float]]:
    """(% of the training data, dev F1) of each learning-curve row (spaCy's dev score when the
    row has no entity F1)."""
    out = []
    for r in rows:
        f = r.get("ents_f")
        out.append((100.0 * float(r["fraction"]), float(f if f is not None else r.get("score", 0.0))))
    return out


class CurveChart(QWidget):
    """Dev F1 (0..1, vertical) against % of the training data (0..100, horizontal)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.points: list[tuple[float, float]] = []
        self.setMinimumHeight(110)
        self.setMaximumHeight(170)
        self.setToolTip("Dev F1 of models trained on 25, 50, 75 and 100 % of the training documents: "
                        "still rising at 100 % means more annotation still helps")

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(240, 150)

    def set_points(self, points: list[tuple[float, float]]) -> None:
        self.points = sorted(points)
        self.update()

    def _plot_rect(self) -> QRectF:
        fm = self.fontMetrics()
        left = fm.horizontalAdvance("1.0") + 10
        right = fm.horizontalAdvance("100%") // 2 + 4  # room for the last x label
        return QRectF(left, 8, max(10, self.width() - left - right), max(10, self.height() - fm.height() - 16))

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt API
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = self._plot_rect()
        text = self.palette().color(self.foregroundRole())
        grid = QColor(text)
        grid.setAlpha(40)
        fm = self.fontMetrics()
        for k in range(0, 5):  # F1 0, .25, .5, .75, 1
            y = r.bottom() - r.height() * k / 4
            p.setPen(QPen(grid, 1))
            p.drawLine(QPointF(r.left(), y), QPointF(r.right(), y))
            if k % 2 == 0:
                p.setPen(text)
                label = f"{k / 4:.1f}"
                p.drawText(QPointF(r.left() - fm.horizontalAdvance(label) - 5, y + fm.ascent() / 2 - 1), label)
        p.setPen(text)
        for pct in (0, 25, 50, 75, 100):
            x = r.left() + r.width() * pct / 100
            label = f"{pct}%"
            p.drawText(QPointF(x - fm.horizontalAdvance(label) / 2, r.bottom() + fm.ascent() + 4), label)
        if not self.points:
            msg = "No learning curve yet"
            box = QRectF(0, 0, fm.horizontalAdvance(msg) + 12, fm.height() + 4)
            box.moveCenter(r.center())
            p.fillRect(box, self.palette().color(self.backgroundRole()))  # the text on no grid line
            p.drawText(box, Qt.AlignmentFlag.AlignCenter, msg)
            return
        pts = [QPointF(r.left() + r.width() * x / 100, r.bottom() - r.height() * max(0.0, min(1.0, y)))
               for x, y in self.points]
        path = QPainterPath(pts[0])
        for q in pts[1:]:
            path.lineTo(q)
        colour = QColor("#1565c0")
        p.setPen(QPen(colour, 2))
        p.drawPath(path)
        p.setBrush(colour)
        for q, (_x, y) in zip(pts, self.points):
            p.drawEllipse(q, 3, 3)
        last, (_x, y) = pts[-1], self.points[-1]
        label = f"{y:.2f}"
        p.drawText(QPointF(min(last.x() - fm.horizontalAdvance(label) - 4, r.right() - fm.horizontalAdvance(label)),
                           max(last.y() - 6, r.top() + fm.ascent())), label)


class TrainingPanel(QWidget):
    """Train now / Stop, progress with the dev score, the model in use, the two settings, the curve."""

    def __init__(self, window: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.window_ = window
        self.loop = window.learning
        self.state: Any = None
        self.train_button = QPushButton("Train now", self)
        self.train_button.setToolTip("Train the project's own model on the documents marked done, in the background")
        self.stop_button = QPushButton("Stop", self)
        self.stop_button.setToolTip("Stop training and keep the best model so far")
        self.curve_button = QPushButton("Learning curve", self)
        self.curve_button.setToolTip("Train on 25, 50, 75 and 100 % of the data to see whether more annotation helps")
        self.progress = QProgressBar(self)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        self.progress_label = QLabel("", self)
        self.progress_label.setWordWrap(True)
        self.model_label = QLabel("", self)
        self.model_label.setWordWrap(True)
        self.model_label.setTextFormat(Qt.TextFormat.PlainText)
        self.retrain = QSpinBox(self)
        self.retrain.setRange(0, 100_000)
        self.retrain.setSpecialValueText("never")
        self.retrain.setSuffix(" done docs")
        self.retrain.setKeyboardTracking(False)
        self.retrain.setToolTip("Retrain in the background after every K newly done documents (0: never)")
        self.threshold = QDoubleSpinBox(self)
        self.threshold.setRange(0.0, 1.0)
        self.threshold.setSingleStep(0.05)
        self.threshold.setDecimals(2)
        self.threshold.setSpecialValueText("off")
        self.threshold.setKeyboardTracking(False)
        self.threshold.setToolTip("Hide suggestions whose model score is below this (0: show all)")
        self.chart = CurveChart(self)
        self._layout()
        self.train_button.clicked.connect(lambda: self.loop.train_now())
        self.stop_button.clicked.connect(self.loop.stop)
        self.curve_button.clicked.connect(lambda: self.loop.run_curve())
        self.retrain.valueChanged.connect(lambda v: self._set(RETRAIN_SETTING, int(v), "Change retraining"))
        self.threshold.valueChanged.connect(
            lambda v: self._set(THRESHOLD_SETTING, round(float(v), 2) or None, "Change suggestion threshold"))
        self.loop.progressed.connect(self._progress)
        self.loop.busyChanged.connect(self._busy)
        self.loop.ended.connect(self._say)
        self.loop.modelChanged.connect(self._show_model)
        self.loop.curveReady.connect(lambda rows: self.chart.set_points(curve_points(rows)))
        self._busy(False)

    def _layout(self) -> None:
        buttons = QHBoxLayout()
        for b in (self.train_button, self.stop_button, self.curve_button):
            buttons.addWidget(b)
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Retrain after", self.retrain)
        form.addRow("Hide below", self.threshold)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.setSpacing(4)
        lay.addLayout(buttons)
        lay.addWidget(self.progress)
        lay.addWidget(self.progress_label)
        lay.addWidget(self.model_label)
        lay.addLayout(form)
        lay.addWidget(self.chart)
        lay.addStretch(1)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API: compact, the document list above keeps its room
        return QSize(270, 300)

    # -- Panel protocol ------------------------------------------------------------------------
    def set_state(self, state: Any) -> None:
        if self.state is not None:
            try:
                self.state.changed.disconnect(self._on_changed)
            except (RuntimeError, TypeError):
                pass
        self.state = state
        if state is not None:
            state.changed.connect(self._on_changed)
        self.setEnabled(state is not None)
        self._say("")
        self.chart.set_points([])
        self._busy(False)
        self._read_settings()
        self._show_model(self.loop.model)

    def _on_changed(self, changes: Changes) -> None:
        if {RETRAIN_SETTING, THRESHOLD_SETTING, MODELS_SETTING} & set(changes.settings):
            self._read_settings()

    def _read_settings(self) -> None:
        st = self.state
        every = st.store.get_setting(RETRAIN_SETTING, 0) if st is not None else 0
        cut = st.store.get_setting(THRESHOLD_SETTING, None) if st is not None else None
        for box, value in ((self.retrain, every if isinstance(every, int) else 0),
                           (self.threshold, cut if isinstance(cut, (int, float)) else 0.0)):
            box.blockSignals(True)
            box.setValue(value or 0)
            box.blockSignals(False)

    def _set(self, key: str, value: Any, description: str) -> None:
        st = self.state
        if st is None or st.store.get_setting(key, None) == value:
            return
        if not self.window_.apply(SetSetting(key, value, description=description)):
            self._read_settings()

    # -- what the loop says --------------------------------------------------------------------
    def _progress(self, done: int, total: int, message: str) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))
            self._say(f"Step {done:,} of at most {total:,} \u00b7 {message}")
        else:
            self.progress.setRange(0, 0)  # busy
            self._say(message[:1].upper() + message[1:])

    def _say(self, text: str) -> None:
        """How the job goes or ended (no empty line when there is nothing to say)."""
        self.progress_label.setText(text)
        self.progress_label.setVisible(bool(text))

    def _busy(self, on: bool) -> None:
        self.train_button.setEnabled(not on)
        self.curve_button.setEnabled(not on)
        self.stop_button.setEnabled(on)
        self.progress.setVisible(on)
        if not on:
            self.progress.setRange(0, 1)
            self.progress.setValue(0)

    def _show_model(self, rec: ModelRecord | None) -> None:
        if self.state is None:
            self.model_label.setText("No project open")
            return
        if rec is None:
            self.model_label.setText("No project model yet: mark documents done, then Train now.")
            return
        f1 = dev_f1(rec)
        per = rec.scores.get("per_label", {}) if rec.scores else {}
        labels = ", ".join(f"{k} {v.get('f', 0):.2f}" for k, v in sorted(per.items())) or ", ".join(rec.labels)
        self.model_label.setText(
            f"{model_summary(rec)}{' (stopped early)' if rec.interrupted else ''}\n"
            f"Trained on {len(rec.documents):,} documents, scored on {len(rec.dev_documents):,}"
            + (f"\nPer label: {labels}" if labels and f1 is not None else ""))


def _training(window: Any) -> QWidget:
    return TrainingPanel(window, window)


SPEC = register_panel(PanelSpec("training", "Training", _training, Qt.DockWidgetArea.LeftDockWidgetArea, size=270))
