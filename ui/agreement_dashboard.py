"""The agreement dashboard: how much the annotators agree, and where they do not.

Computed in the background (:func:`annotator.agreement_report.agreement_job` through
:func:`ui.worker.run_job`): an annotator x annotator heatmap of one pairwise measure, the overall
figures, a per-label table, the notes on measures that could not be computed, and the list of
disagreements (document, text, the label each annotator gave). The measures are the registered
ones (:data:`annotator.agreement.measures`), read when the dashboard is built: the heatmap offers
every measure with values per pair, the overall row every measure with an overall value, the
per-label table every measure with values per label. Double-click a disagreement to open it in the review window;
click a heatmap cell to list only that pair's disagreements.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.changes import Changes
from annotator.agreement import Measure, measures
from annotator.agreement_report import agreement_job
from corpus.model import GOLD, is_person_layer
from corpus.store.annotations import layer_span_counts
from corpus.store.layers import done_counts, person_layers
from ui.errors import error_text
from ui.heatmap import HeatmapWidget, value_color
from ui.worker import run_job

__all__ = ["AgreementDashboard", "heatmap_measures", "overall_measures", "label_measures"]


def heatmap_measures() -> tuple[Measure, ...]:
    """The measures the heatmap can show: those with a value per pair of annotators."""
    return measures.with_scope("pair")


def overall_measures() -> tuple[Measure, ...]:
    """The measures of the overall row: those with one value for the whole comparison."""
    return measures.with_scope("overall")


def label_measures() -> tuple[Measure, ...]:
    """The columns of the per-label table: the measures with a value per label."""
    return measures.with_scope("label")


_NOTE_STYLE = "QLabel { background: #fff4d6; color: #5c4400; border: 1px solid #e8d08a; padding: 6px; border-radius: 3px; }"
_PROBLEM_STYLE = "QLabel { background: #fde2e1; color: #7a1712; border: 1px solid #e8a7a3; padding: 6px; border-radius: 3px; }"


def _tip(m: Measure) -> str:
    return f"{m.title}: {m.description} (from {m.takes})" if m.description else f"{m.title} (from {m.takes})"


def _one_line(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class DisagreementModel(QAbstractTableModel):
    """The report's disagreements: document, text, then one column per annotator."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[dict[str, Any]] = []
        self.annotators: list[str] = []

    def set_rows(self, rows: list[dict[str, Any]], annotators: list[str]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.annotators = list(annotators)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else 2 + len(self.annotators)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802 - Qt API
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return ("Document", "Text", *self.annotators)[section]
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if col == 0:
                return row.get("doc_name") or f"#{row.get('doc_id')}"
            if col == 1:
                return _one_line(row.get("text", "")) if role == Qt.ItemDataRole.DisplayRole else row.get("text", "")
            name = self.annotators[col - 2]
            if role == Qt.ItemDataRole.ToolTipRole:
                spans = row.get("spans", {}).get(name) or []
                return "\n".join(f"{lab} {s}-{e}" for s, e, lab in spans) or f"{name}: no span here"
            label = row.get("labels", {}).get(name)
            if label is None:
                return "—"
            spans = row.get("spans", {}).get(name) or []
            if spans and (len(spans) > 1 or (spans[0][0], spans[0][1]) != (row["start"], row["end"])):
                pieces = [f"{lab} “{_one_line(self._text_of(row, s, e), 24)}”" for s, e, lab in spans]
                return ", ".join(pieces)
            return label
        if role == Qt.ItemDataRole.ForegroundRole and col >= 2:
            if row.get("labels", {}).get(self.annotators[col - 2]) is None:
                return QColor("#999999")
        if role == Qt.ItemDataRole.UserRole:
            return row
        if role == Qt.ItemDataRole.UserRole + 1 and col == 0:  # sort key: reading order
            return (row.get("doc_id", 0), row.get("start", 0))
        return None

    @staticmethod
    def _text_of(row: dict[str, Any], s: int, e: int) -> str:
        base = row.get("start", 0)
        text = row.get("text", "")
        return text[s - base : e - base] if 0 <= s - base <= len(text) else ""


class PairFilter(QSortFilterProxyModel):
    """Only the disagreements where two chosen annotators differ (or all)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.pair: tuple[str, str] | None = None

    def set_pair(self, pair: tuple[str, str] | None) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt >= 6.9
            self.beginFilterChange()
            self.pair = pair
            self.endFilterChange()
        else:  # pragma: no cover - older Qt
            self.pair = pair
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex) -> bool:  # noqa: N802 - Qt API
        if self.pair is None:
            return True
        row = self.sourceModel().rows[source_row]
        spans = row.get("spans", {})
        a, b = self.pair
        if a not in spans or b not in spans:
            return False
        return sorted(map(tuple, spans[a])) != sorted(map(tuple, spans[b]))


class AgreementDashboard(QWidget):
    """Inter-annotator agreement of the project, computed in the background."""

    #: A disagreement was double-clicked: (doc_id, start offset).
    reviewRequested = Signal(int, int)

    def __init__(self, state, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if parent is not None:  # its own window, owned by the main window (a dock reparents it)
            self.setWindowFlag(Qt.WindowType.Window, True)
        self.state = state
        self.report: dict[str, Any] | None = None
        self.job = None
        self.review_window = None
        self._computed_once = False
        self.setObjectName("AgreementDashboard")
        self.setWindowTitle("Agreement")
        self.resize(1100, 760)
        self.heatmap_measures = heatmap_measures()
        self.overall_measures = overall_measures()
        self.label_measures = label_measures()
        controls = self._build_controls()
        self._build_overall()
        top_split = self._build_tables()
        dis_box = self._build_disagreements()

        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(top_split)
        split.addWidget(dis_box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)

        lay = QVBoxLayout(self)
        lay.addLayout(controls)
        lay.addWidget(self.overall_box)
        lay.addWidget(self.notes)
        lay.addWidget(split, 1)

        self.fill_annotators()
        self.annotator_list.itemChanged.connect(self._choices_changed)
        self.docs_combo.currentIndexChanged.connect(self._choices_changed)
        state.changed.connect(self._state_changed)

    # -- building ----------------------------------------------------------------------------
    def _build_controls(self) -> QGridLayout:
        """Who to compare, which documents, which measure the heatmap shows, Recompute."""
        self.annotator_list = QListWidget(self)
        self.annotator_list.setObjectName("agreement_annotators")
        self.annotator_list.setFlow(QListWidget.Flow.LeftToRight)
        self.annotator_list.setWrapping(True)
        self.annotator_list.setSpacing(2)
        self.annotator_list.setFixedHeight(self.annotator_list.fontMetrics().height() * 2 + 10)
        self.annotator_list.setToolTip("Annotators (and suggesters) to compare")
        self.docs_combo = QComboBox(self)
        self.docs_combo.addItem("Documents done by at least two", False)
        self.docs_combo.addItem("All documents", True)
        self.measure_combo = QComboBox(self)
        for m in self.heatmap_measures:
            self.measure_combo.addItem(m.title, m.name)
            self.measure_combo.setItemData(self.measure_combo.count() - 1, _tip(m), Qt.ItemDataRole.ToolTipRole)
        self.recompute_button = QPushButton("&Recompute", self)
        self.recompute_button.setShortcut("F5")
        self.recompute_button.setToolTip("Compute again with these choices (F5)")
        self.recompute_button.clicked.connect(self.compute)
        self.measure_combo.currentIndexChanged.connect(self._show_heatmap)
        self.status = QLabel("Not computed yet", self)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setStyleSheet("color: #555;")

        controls = QGridLayout()
        controls.addWidget(QLabel("Compare:", self), 0, 0, Qt.AlignmentFlag.AlignTop)
        controls.addWidget(self.annotator_list, 0, 1, 1, 5)
        controls.addWidget(QLabel("Documents:", self), 1, 0)
        controls.addWidget(self.docs_combo, 1, 1)
        controls.addWidget(QLabel("Heatmap:", self), 1, 2)
        controls.addWidget(self.measure_combo, 1, 3)
        controls.addWidget(self.recompute_button, 1, 4)
        controls.addWidget(self.status, 1, 5)
        controls.setColumnStretch(5, 1)
        return controls

    def _build_overall(self) -> None:
        """One card per overall measure (and the number of documents): ``overall_values[name]``."""
        self.overall_box = QFrame(self)
        self.overall_box.setObjectName("agreement_overall")
        self.overall_box.setFrameShape(QFrame.Shape.StyledPanel)
        ob = QHBoxLayout(self.overall_box)
        self.overall_values: dict[str, QLabel] = {}
        cards = [("documents", "Documents", "Documents compared")]
        cards += [(m.name, m.title, _tip(m)) for m in self.overall_measures]
        for key, label, tip in cards:
            card = QVBoxLayout()
            name = QLabel(label, self.overall_box)
            name.setStyleSheet("color: #555;")
            name.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            name.setWordWrap(True)
            value = QLabel("–", self.overall_box)
            value.setObjectName(f"overall_{key}")
            value.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            f = value.font()
            f.setPointSizeF(f.pointSizeF() * 1.5)
            f.setBold(True)
            value.setFont(f)
            value.setToolTip(tip)
            name.setToolTip(tip)
            card.addWidget(name)
            card.addWidget(value)
            ob.addLayout(card)
            self.overall_values[key] = value

    def _build_tables(self) -> QSplitter:
        """The heatmap beside the per-label table (one column per label measure), and the notes."""
        self.heatmap = HeatmapWidget(self)
        self.heatmap.cellClicked.connect(self.filter_pair)
        heat_box = QGroupBox("Pairwise agreement", self)
        hb = QVBoxLayout(heat_box)
        hb.addWidget(self.heatmap, 1)
        columns = ["Label", *(m.title for m in self.label_measures), "Spans by annotator"]
        self.label_table = QTableWidget(0, len(columns), self)
        self.label_table.setObjectName("agreement_labels")
        self.label_table.setHorizontalHeaderLabels(columns)
        for c, m in enumerate(self.label_measures, start=1):
            self.label_table.horizontalHeaderItem(c).setToolTip(_tip(m))
        self.label_table.verticalHeader().setVisible(False)
        self.label_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.label_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.label_table.setAlternatingRowColors(True)
        self.label_table.horizontalHeader().setStretchLastSection(True)
        label_box = QGroupBox("Per label", self)
        lb = QVBoxLayout(label_box)
        lb.addWidget(self.label_table)
        top_split = QSplitter(Qt.Orientation.Horizontal, self)
        top_split.addWidget(heat_box)
        top_split.addWidget(label_box)
        top_split.setStretchFactor(0, 1)
        top_split.setStretchFactor(1, 1)

        self.notes = QLabel(self)
        self.notes.setObjectName("agreement_notes")
        self.notes.setTextFormat(Qt.TextFormat.PlainText)
        self.notes.setWordWrap(True)
        self.notes.setStyleSheet(_NOTE_STYLE)
        self.notes.hide()
        return top_split

    def _build_disagreements(self) -> QWidget:
        """The list of disagreements, its title and the Show all button."""
        self.dis_model = DisagreementModel(self)
        self.dis_proxy = PairFilter(self)
        self.dis_proxy.setSourceModel(self.dis_model)
        self.dis_view = QTableView(self)
        self.dis_view.setObjectName("agreement_disagreements")
        self.dis_view.setModel(self.dis_proxy)
        self.dis_view.setSortingEnabled(True)
        self.dis_view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.dis_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.dis_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.dis_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.dis_view.verticalHeader().setVisible(False)
        self.dis_view.setAlternatingRowColors(True)
        self.dis_view.setWordWrap(False)
        self.dis_view.horizontalHeader().setStretchLastSection(True)
        self.dis_view.doubleClicked.connect(self._open_disagreement)
        self.dis_view.activated.connect(self._open_disagreement)  # Return opens it too
        self.dis_title = QLabel("Disagreements", self)
        self.dis_title.setTextFormat(Qt.TextFormat.PlainText)
        f = self.dis_title.font()
        f.setBold(True)
        self.dis_title.setFont(f)
        self.show_all_button = QPushButton("Show all", self)
        self.show_all_button.hide()
        self.show_all_button.clicked.connect(lambda: self.filter_pair(None, None))
        dis_head = QHBoxLayout()
        dis_head.addWidget(self.dis_title, 1)
        dis_head.addWidget(QLabel("Double-click one to review that document", self))
        dis_head.addWidget(self.show_all_button)
        dis_box = QWidget(self)
        db = QVBoxLayout(dis_box)
        db.setContentsMargins(0, 0, 0, 0)
        db.addLayout(dis_head)
        db.addWidget(self.dis_view)
        return dis_box

    # -- choices ---------------------------------------------------------------------------
    def fill_annotators(self) -> None:
        """People who annotated (checked), people with nothing yet and suggester layers (unchecked)."""
        checked = set(self.chosen_annotators()) if self.annotator_list.count() else None
        store = self.state.store
        people = person_layers(store)
        others = [l for l in store.layers() if l != GOLD and not is_person_layer(l)]
        spans = layer_span_counts(store)
        done = done_counts(store)
        self.annotator_list.clear()
        for name in [*people, *others]:
            n_done, n_spans = done.get(name, 0), spans.get(name, 0)
            item = QListWidgetItem(f"{name} ({n_done} done)" if is_person_layer(name) else name)
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            worked = bool(n_done or n_spans)
            on = (name in checked) if checked is not None else (is_person_layer(name) and worked)
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
            if not is_person_layer(name):
                item.setToolTip(f"A suggester layer ({n_spans} spans): compare it like a person to see how good its suggestions are")
            else:
                item.setToolTip(f"{name}: {n_done} documents done, {n_spans} spans")
            self.annotator_list.addItem(item)

    def chosen_annotators(self) -> list[str]:
        out = []
        for i in range(self.annotator_list.count()):
            item = self.annotator_list.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(item.data(Qt.ItemDataRole.UserRole))
        return out

    def set_annotators(self, names: list[str]) -> None:
        for i in range(self.annotator_list.count()):
            item = self.annotator_list.item(i)
            on = item.data(Qt.ItemDataRole.UserRole) in names
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def _choices_changed(self, *_a) -> None:
        if self.report is None:
            return
        same = (self.chosen_annotators() == list(self.report.get("annotators", []))
                and bool(self.docs_combo.currentData()) == bool(self.report.get("all_docs")))
        if not same:
            self._stale("Choices changed: press Recompute (F5) to update")

    def _stale(self, text: str) -> None:
        self.status.setStyleSheet("color: #8a5a00; font-weight: bold;")
        self.status.setText(text)

    def _state_changed(self, changes: Changes) -> None:
        if changes.annotator or changes.documents:
            self.fill_annotators()
        if (changes.spans or changes.relations or changes.rejections or changes.status
                or changes.documents) and self.report is not None:
            self._stale("Annotations changed: press Recompute (F5) to update")

    # -- computing -------------------------------------------------------------------------
    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if not self._computed_once:
            self._computed_once = True
            self.compute()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        """Closing while computing: the job is cancelled and left to end on its own (it has its
        own connection), without touching this window, which may be deleted by then."""
        if self.job is not None and self.job.is_running():
            self.job.cancel()
            self.job.detach()
        super().closeEvent(event)

    def compute(self) -> None:
        """Run the agreement report in the background with the chosen annotators and documents."""
        if self.job is not None and self.job.is_running():
            return
        self._computed_once = True
        names = self.chosen_annotators()
        if len(names) < 2:
            self._show_problem("Choose at least two annotators to compare (tick a model: layer to see how "
                               "good its suggestions are against a person).")
            return
        all_docs = bool(self.docs_combo.currentData())
        self.status.setText("Computing…")
        self.recompute_button.setEnabled(False)

        def factory(store, names=tuple(names), all_docs=all_docs):
            return agreement_job(store, list(names), None, all_docs)

        self.job = run_job(self, "Computing agreement", factory, self.state.path,
                           on_done=self.show_report, on_error=self._failed, on_cancel=self._cancelled)

    def _failed(self, exc: BaseException) -> None:
        self.recompute_button.setEnabled(True)
        self._show_problem("Agreement could not be computed: " + error_text(exc))

    def _cancelled(self) -> None:
        self.recompute_button.setEnabled(True)
        self.status.setText("Cancelled" + (" (showing the previous result)" if self.report else ""))

    def _show_problem(self, text: str) -> None:
        self.notes.setStyleSheet(_PROBLEM_STYLE)
        self.notes.setText(text)
        self.notes.show()
        self.status.setText("")

    # -- showing ---------------------------------------------------------------------------
    def show_report(self, report: dict[str, Any]) -> None:
        self.recompute_button.setEnabled(True)
        self.status.setStyleSheet("color: #555;")
        self.report = report
        names = list(report.get("annotators", []))
        n_docs = int(report.get("documents", 0))
        which = "all documents" if report.get("all_docs") else "documents done by at least two"
        self.status.setText(f"{len(names)} annotators, {n_docs} document{'s' if n_docs != 1 else ''} compared ({which})")
        overall = report.get("overall", {})
        self.overall_values["documents"].setText(str(n_docs))
        for m in self.overall_measures:
            v = overall.get(m.name)
            lab = self.overall_values[m.name]
            lab.setText(m.text(v, missing="n/a"))
            lab.setStyleSheet("" if v is not None else "color: #999;")
        # notes: shown, not hidden
        notes = [str(n) for n in report.get("notes", [])]
        self.notes.setStyleSheet(_NOTE_STYLE)
        if notes:
            self.notes.setText("Not computed (n/a): " + " ".join(f"• {n}" for n in notes) if len(notes) == 1
                               else "Notes:\n" + "\n".join(f"• {n}" for n in notes))
            self.notes.show()
        elif n_docs == 0:
            self.notes.setText("No document was finished by two of these annotators: nothing to compare. "
                               "Choose “All documents” to compare what there is.")
            self.notes.show()
        else:
            self.notes.hide()
        self._show_heatmap()
        self._show_labels(report, names)
        self.dis_model.set_rows(list(report.get("disagreements", [])), names)
        self.filter_pair(None, None)
        self.dis_view.resizeColumnsToContents()
        for c in range(self.dis_model.columnCount()):
            self.dis_view.setColumnWidth(c, min(self.dis_view.columnWidth(c), 320))

    def _show_heatmap(self, *_a) -> None:
        if self.report is None:
            return
        key = self.measure_combo.currentData()
        values, docs = {}, {}
        for pair in self.report.get("pairs", []):
            values[(pair["a"], pair["b"])] = pair.get(key)
            docs[(pair["a"], pair["b"])] = pair.get("documents", 0)
        self.heatmap.set_data(list(self.report.get("annotators", [])), values, docs, self.measure_combo.currentText())

    def _show_labels(self, report: dict[str, Any], names: list[str]) -> None:
        per_label = report.get("per_label", {})
        t = self.label_table
        t.setRowCount(len(per_label))
        last = len(self.label_measures) + 1
        for row, (label, values) in enumerate(sorted(per_label.items())):
            spans = values.get("spans", {}) or {}
            t.setItem(row, 0, QTableWidgetItem(label))
            for col, m in enumerate(self.label_measures, start=1):
                v = values.get(m.name)
                item = QTableWidgetItem(m.text(v, missing="n/a"))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if v is not None and not (isinstance(v, float) and math.isnan(v)):
                    bg = value_color(v, lo=-1.0 if v < 0 else 0.0)
                    bg.setAlpha(110)
                    item.setBackground(bg)
                else:
                    item.setForeground(QColor("#999999"))
                t.setItem(row, col, item)
            t.setItem(row, last, QTableWidgetItem(", ".join(f"{a} {spans.get(a, 0)}" for a in names if a in spans)))
        t.resizeColumnsToContents()

    def filter_pair(self, a: str | None, b: str | None) -> None:
        """List only the disagreements between ``a`` and ``b`` (``None``: all)."""
        self.dis_proxy.set_pair((a, b) if a and b else None)
        shown, total = self.dis_proxy.rowCount(), self.dis_model.rowCount()
        if a and b:
            self.dis_title.setText(f"Disagreements between {a} and {b} ({shown} of {total})")
            self.show_all_button.show()
        else:
            self.dis_title.setText(f"Disagreements ({total})")
            self.show_all_button.hide()

    # -- review ----------------------------------------------------------------------------
    def disagreement_at(self, row: int) -> dict[str, Any]:
        return self.dis_proxy.index(row, 0).data(Qt.ItemDataRole.UserRole)

    def _open_disagreement(self, index: QModelIndex) -> None:
        row = index.data(Qt.ItemDataRole.UserRole)
        if not row:
            return
        self.open_review(int(row["doc_id"]), int(row.get("start", 0)))

    def open_review(self, doc_id: int, start: int = 0) -> None:
        """Open (or reuse) the review window on a document, at the disagreement's position."""
        from ui.review_window import ReviewWindow

        self.reviewRequested.emit(doc_id, start)
        if self.review_window is None:
            self.review_window = ReviewWindow(self.state, self, doc_id=doc_id)
        else:
            self.review_window.load_document(doc_id)
        self.review_window.select_at(start)
        self.review_window.show()
        self.review_window.raise_()
        self.review_window.activateWindow()
