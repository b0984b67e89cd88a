"""File > Export: training data from one layer, written in the background.

The dialog collects what ``annotator export`` takes (format, layer, only-done, dev fraction and
seed, tag scheme and columns, spans key, output folder), runs
:func:`annotator.export.export_job` through :func:`ui.worker.run_job` (its own Store in a
worker thread, a progress dialog with Cancel) and shows the report when it is done: files,
documents, spans, spans expanded to token boundaries and documents with overlapping spans, by
name. The last choices are remembered in QSettings.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from annotator.export import ALL_LAYERS, ExportReport, export_job
from corpus.errors import CorpusError
from corpus.formats.registry import export_format_names, get
from corpus.model import GOLD, is_person_layer
from corpus.store.annotations import layer_span_counts
from corpus.store.layers import person_layers
from ui.errors import error_text, show_error
from ui.worker import run_job

__all__ = ["ExportDialog", "FORMAT_CHOICES", "SCHEME_CHOICES", "format_choices"]


def format_choices() -> tuple[tuple[str, str, str], ...]:
    """(format id, what the person reads, what gets written) of every export format in the
    registry (:mod:`corpus.formats.registry`), in the command line's order."""
    out = []
    for name in export_format_names():
        entry = get(name)
        assert entry is not None and entry.writer is not None
        w = entry.writer
        out.append((name, w.label or entry.description, w.produces or f"a {entry.description} export"))
    return tuple(out)


#: The export formats when this module was imported (the dialog asks :func:`format_choices`).
FORMAT_CHOICES = format_choices()
SCHEME_CHOICES = (("iob2", "IOB2"), ("iob1", "IOB1"), ("bilou", "BILOU"))

SETTINGS_PREFIX = "export/"


def choose_folder(parent: QWidget, start: str) -> str:
    """Ask for the output folder ('' when cancelled); tests replace this."""
    return QFileDialog.getExistingDirectory(parent, "Export to folder", start)


class ExportDialog(QDialog):
    """Export the project's annotations as training data."""

    def __init__(self, state, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.job = None
        self.report: ExportReport | None = None
        self.setWindowTitle("Export training data")
        self.setObjectName("ExportDialog")
        self.setMinimumWidth(680)

        what = self._build_what()
        options = self._build_options()
        where = self._build_where()
        self._build_result()

        lay = QVBoxLayout(self)
        lay.addLayout(what)
        lay.addLayout(options)
        lay.addLayout(where)
        lay.addWidget(self.message)
        lay.addWidget(self.summary, 1)
        lay.addWidget(self.buttons)

        self.format_combo.currentIndexChanged.connect(self._update_enabled)
        self.layer_combo.currentIndexChanged.connect(self._update_enabled)
        self.out_edit.textChanged.connect(lambda _t: self.message.hide())
        self._fill_layers()
        self.restore_choices()
        self._update_enabled()

    def _build_what(self) -> QFormLayout:
        """Format, layer and only-done."""
        self.format_combo = QComboBox(self)
        self.choices = format_choices()
        for fid, text, what in self.choices:
            self.format_combo.addItem(text, fid)
            self.format_combo.setItemData(self.format_combo.count() - 1, what, Qt.ItemDataRole.ToolTipRole)
        self.format_hint = QLabel(self)
        self.format_hint.setTextFormat(Qt.TextFormat.PlainText)
        self.format_hint.setWordWrap(True)
        self.format_hint.setStyleSheet("color: #555;")
        self.layer_combo = QComboBox(self)
        self.layer_combo.setObjectName("export_layer")
        self.only_done = QCheckBox("Only documents the layer's annotator marked done", self)

        what = QFormLayout()
        what.addRow("&Format:", self.format_combo)
        what.addRow("", self.format_hint)
        what.addRow("&Layer:", self.layer_combo)
        what.addRow("", self.only_done)

        return what

    def _build_options(self) -> QHBoxLayout:
        """The spaCy and CoNLL option groups, side by side."""
        self.spacy_group = QGroupBox("spaCy", self)
        self.dev_percent = QSpinBox(self)
        self.dev_percent.setRange(0, 90)
        self.dev_percent.setSingleStep(5)
        self.dev_percent.setSuffix(" %")
        self.dev_percent.setSpecialValueText("none")
        self.dev_percent.setToolTip("Share of the documents held out in dev.spacy (by document, reproducible with the seed); none: dev.spacy is a copy of train.spacy")
        self.seed = QSpinBox(self)
        self.seed.setRange(0, 2_147_483_647)
        self.spans_key = QLineEdit("sc", self)
        self.spans_key.setMaxLength(64)
        self.spans_key.setToolTip("doc.spans key holding every span (overlapping ones too)")
        sf = QFormLayout(self.spacy_group)
        sf.addRow("&Dev share:", self.dev_percent)
        sf.addRow("&Seed:", self.seed)
        sf.addRow("Spans &key:", self.spans_key)

        # -- CoNLL options -------------------------------------------------------------------
        self.conll_group = QGroupBox("CoNLL", self)
        self.scheme_combo = QComboBox(self)
        for sid, text in SCHEME_CHOICES:
            self.scheme_combo.addItem(text, sid)
        self.columns_combo = QComboBox(self)
        self.columns_combo.addItem("4 (word POS chunk NE)", 4)
        self.columns_combo.addItem("2 (token TAG)", 2)
        cf = QFormLayout(self.conll_group)
        cf.addRow("S&cheme:", self.scheme_combo)
        cf.addRow("C&olumns:", self.columns_combo)

        options = QHBoxLayout()
        options.addWidget(self.spacy_group, 1)
        options.addWidget(self.conll_group, 1)

        return options

    def _build_where(self) -> QHBoxLayout:
        """The output folder and its Browse button."""
        self.out_edit = QLineEdit(self)
        self.out_edit.setPlaceholderText("Folder to write into (created when missing)")
        self.browse_button = QPushButton("&Browse…", self)
        self.browse_button.setAutoDefault(False)
        self.browse_button.clicked.connect(self.browse)
        where = QHBoxLayout()
        where.addWidget(QLabel("O&utput folder:", self, buddy=self.out_edit))
        where.addWidget(self.out_edit, 1)
        where.addWidget(self.browse_button)

        return where

    def _build_result(self) -> None:
        """The message line, the summary and the buttons."""
        self.message = QLabel(self)
        self.message.setObjectName("export_message")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.message.hide()
        self.summary = QPlainTextEdit(self)
        self.summary.setObjectName("export_summary")
        self.summary.setReadOnly(True)
        self.summary.setMinimumHeight(130)
        self.summary.hide()

        self.buttons = QDialogButtonBox(self)
        self.export_button = self.buttons.addButton("&Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setDefault(True)
        self.open_button = self.buttons.addButton("Open &folder", QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.setAutoDefault(False)
        self.open_button.hide()
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.setAutoDefault(False)
        self.export_button.clicked.connect(self.start_export)
        self.open_button.clicked.connect(self.open_folder)
        self.close_button.clicked.connect(self.reject)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        """Reopened later: offer the layers as they are now (keeping the choice)."""
        super().showEvent(event)
        layer = self.current_layer()
        self._fill_layers()
        i = self.layer_combo.findData(layer)
        self.layer_combo.setCurrentIndex(max(0, i))
        self._update_enabled()

    # -- choices ---------------------------------------------------------------------------
    def _fill_layers(self) -> None:
        store = self.state.store
        counts = layer_span_counts(store)
        known = set(store.layers())
        self.layer_combo.clear()

        def add(layer: str, text: str, tip: str = "") -> None:
            self.layer_combo.addItem(text, layer)
            i = self.layer_combo.count() - 1
            if tip:
                self.layer_combo.setItemData(i, tip, Qt.ItemDataRole.ToolTipRole)

        n = counts.get(GOLD, 0)
        add(GOLD, f"gold (reviewed) — {n} span{'s' if n != 1 else ''}",
            "The adjudicated layer the review window writes" if GOLD in known else "Nothing reviewed yet: review documents first")
        for person in person_layers(store):
            n = counts.get(person, 0)
            add(person, f"{person} — {n} span{'s' if n != 1 else ''}")
        for layer in sorted(known):
            if layer != GOLD and not is_person_layer(layer):
                n = counts.get(layer, 0)
                add(layer, f"{layer} (suggestions) — {n} span{'s' if n != 1 else ''}")
        add(ALL_LAYERS, "all layers (JSONL only)", "Every layer, one JSON line per document and layer")

    def current_format(self) -> str:
        return str(self.format_combo.currentData())

    def current_layer(self) -> str:
        return str(self.layer_combo.currentData())

    def options(self) -> dict:
        """The arguments of ``export_job`` (besides store, out and format) as chosen."""
        fmt = self.current_format()
        return {
            "layer": self.current_layer(),
            "only_done": self.only_done.isChecked(),
            "dev_fraction": self.dev_percent.value() / 100.0 if fmt == "spacy" else 0.0,
            "seed": self.seed.value(),
            "scheme": str(self.scheme_combo.currentData()),
            "spans_key": self.spans_key.text().strip() or "sc",
            "columns": int(self.columns_combo.currentData()),
        }

    def _update_enabled(self, *_a) -> None:
        fmt = self.current_format()
        self.spacy_group.setEnabled(fmt == "spacy")
        self.conll_group.setEnabled(fmt == "conll")
        hint = next(w for f, _t, w in self.choices if f == fmt)
        self.format_hint.setText("Writes " + hint + ".")
        model = self.layer_combo.model()
        all_index = self.layer_combo.findData(ALL_LAYERS)
        item = model.item(all_index) if hasattr(model, "item") else None
        if item is not None:
            item.setEnabled(fmt == "jsonl")
        if self.current_layer() == ALL_LAYERS and fmt != "jsonl":
            self.layer_combo.setCurrentIndex(0)

    def browse(self) -> None:
        folder = choose_folder(self, self.out_edit.text() or str(Path.home()))
        if folder:
            self.out_edit.setText(folder)

    # -- QSettings -------------------------------------------------------------------------
    def restore_choices(self) -> None:
        s = QSettings()
        def val(key, default):
            return s.value(SETTINGS_PREFIX + key, default)
        i = self.format_combo.findData(val("format", "spacy"))
        self.format_combo.setCurrentIndex(max(0, i))
        # first time: gold once something is reviewed, else the person's own layer (not an
        # empty gold export a newcomer would not understand)
        layers = self.state.store.layers()
        default = GOLD if (GOLD in layers or self.state.annotator not in layers) else self.state.annotator
        i = self.layer_combo.findData(val("layer", default))
        self.layer_combo.setCurrentIndex(max(0, i))
        self.only_done.setChecked(str(val("only_done", "false")).lower() == "true")
        self.dev_percent.setValue(int(val("dev_percent", 0)))
        self.seed.setValue(int(val("seed", 0)))
        i = self.scheme_combo.findData(val("scheme", "iob2"))
        self.scheme_combo.setCurrentIndex(max(0, i))
        i = self.columns_combo.findData(int(val("columns", 4)))
        self.columns_combo.setCurrentIndex(max(0, i))
        self.spans_key.setText(str(val("spans_key", "sc")))
        self.out_edit.setText(str(val("out", "")))

    def save_choices(self) -> None:
        s = QSettings()
        o = self.options()
        for key, value in (
            ("format", self.current_format()), ("layer", o["layer"]), ("only_done", o["only_done"]),
            ("dev_percent", self.dev_percent.value()), ("seed", o["seed"]), ("scheme", o["scheme"]),
            ("columns", o["columns"]), ("spans_key", o["spans_key"]), ("out", self.out_edit.text().strip()),
        ):
            s.setValue(SETTINGS_PREFIX + key, value)
        s.sync()

    # -- running ---------------------------------------------------------------------------
    def show_message(self, text: str, error: bool = True) -> None:
        self.message.setStyleSheet(
            "QLabel { background: #fde2e1; color: #7a1712; padding: 6px; border-radius: 3px; }" if error
            else "QLabel { background: #e6f2e6; color: #1d4d1d; padding: 6px; border-radius: 3px; }"
        )
        self.message.setText(text)
        self.message.show()

    def start_export(self) -> None:
        out = self.out_edit.text().strip()
        if not out:
            self.show_message("Choose the folder to export into first (Browse…).")
            self.out_edit.setFocus()
            return
        fmt = self.current_format()
        opts = self.options()
        if opts["layer"] == ALL_LAYERS and fmt != "jsonl":
            self.show_message("“All layers” can only be exported as Prodigy JSONL: pick one layer.")
            return
        if opts["layer"] not in self.state.store.layers() and opts["layer"] != ALL_LAYERS:
            self.show_message(
                f"The layer “{opts['layer']}” has nothing yet"
                + (": review documents into gold first (Review window)." if opts["layer"] == GOLD else ".")
            )
            return
        self.save_choices()
        self.message.hide()
        self.summary.hide()
        self.open_button.hide()
        self.export_button.setEnabled(False)
        title = f"Exporting {self.format_combo.currentText()} ({opts['layer']})"

        def factory(store, out=out, fmt=fmt, opts=dict(opts)):
            return export_job(store, out, fmt, **opts)

        self.job = run_job(
            self, title, factory, self.state.path,
            on_done=self._done, on_error=self._failed, on_cancel=self._cancelled,
        )

    def _done(self, report: ExportReport) -> None:
        self.export_button.setEnabled(True)
        self.report = report
        self.summary.setPlainText(summary_text(report))
        self.summary.show()
        self.open_button.setVisible(bool(report.files))
        self.show_message(f"Exported {report.documents} documents.", error=False)

    def _failed(self, exc: BaseException) -> None:
        self.export_button.setEnabled(True)
        self.show_message("Export failed: " + error_text(exc) + " Nothing was written.")
        if not isinstance(exc, CorpusError):
            show_error(self, exc)

    def _cancelled(self) -> None:
        self.export_button.setEnabled(True)
        self.show_message("Export cancelled. Nothing was written.")

    def open_folder(self) -> None:
        if self.report and self.report.files:
            folder = Path(self.report.files[0]).parent
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def done(self, r: int) -> None:  # noqa: D401 - Qt API
        if self.job is not None and self.job.is_running():
            self.job.cancel()
            self.job.wait(10_000)
        super().done(r)


def summary_text(report: ExportReport) -> str:
    """The report as a person reads it (plain text: document names are data)."""
    entry = get(report.format)
    title = (entry.writer.label or entry.description) if entry is not None and entry.writer is not None else report.format
    lines: list[str] = []
    files = list(report.files)
    if files:
        folder = os.path.commonpath(files) if len(files) > 1 else str(Path(files[0]).parent)
        if len(files) > 1 and Path(folder).is_file():
            folder = str(Path(folder).parent)
        lines.append(f"{title} of layer “{report.layer}” written to {folder}")
        shown = [os.path.relpath(f, folder) for f in files[:8]]
        more = f", … and {len(files) - 8} more" if len(files) > 8 else ""
        lines.append(f"Files ({len(files)}): " + ", ".join(shown) + more)
    else:
        lines.append("No files written.")
    s = lambda n, w: f"{n} {w}{'' if n == 1 else 's'}"  # noqa: E731
    line = f"{s(report.documents, 'document')}, {s(report.spans, 'span')}, {s(report.relations, 'relation')}"
    if report.format == "spacy":
        line += f" (train {report.train_documents}, dev {report.dev_documents})"
    lines.append(line + ".")
    if report.format in ("spacy", "conll"):
        if report.expanded_spans:
            lines.append(
                f"{s(report.expanded_spans, 'span')} expanded to token boundaries, in: "
                + ", ".join(report.expanded_documents)
            )
        else:
            lines.append("No span needed expanding to token boundaries.")
        if report.overlap_documents:
            where = "kept in doc.spans, not all in doc.ents" if report.format == "spacy" else "the shorter ones left out"
            lines.append(
                f"Overlapping spans ({where}) in {s(len(report.overlap_documents), 'document')}: "
                + ", ".join(report.overlap_documents)
            )
        else:
            lines.append("No overlapping spans.")
    if report.dropped_spans:
        lines.append(f"{s(report.dropped_spans, 'span')} left out.")
    if report.warnings:
        lines.append("Warnings:")
        lines.extend(f"  • {w}" for w in report.warnings)
    return "\n".join(lines)

