"""The labels dialog: entity and relation labels of the project, edited in place.

Two tabs (entities, relations), each a table of colour swatch, name, hotkey, description and
how many annotations use the label. Every change is written to the project at once through the
undoable edits of :mod:`annotator.label_edits` applied with ``state.apply`` (one undo step each,
announced to every view by the edit's own :class:`~annotator.changes.Changes`):

* add (a free colour and the first free hotkey are proposed),
* rename (double-click the name or F2; every annotation carrying the label is renamed too, after
  a confirmation that says how many),
* recolour (double-click the swatch: QColorDialog),
* re-key (a hotkey 0-9, unique per kind; a clash is refused with a message naming the label
  that holds the key, and clashing rows already in a file are shown in red),
* delete (refused with a clear message while annotations use the label),
* reorder (Move up / Move down, or Ctrl+Up / Ctrl+Down).
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QEvent, QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QColorDialog,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QStyledItemDelegate,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from annotator.changes import Changes
from annotator.label_edits import AddLabel, DeleteLabel, RenameLabel, ReorderLabels, UpdateLabel
from corpus.model import Label, LabelKind
from corpus.resources import label_colours
from ui.palette import KEYS
from corpus.store import Store
from corpus.store.labels import LabelUsage, label_usage, usage_of_label

__all__ = ["LabelsDialog", "RenameLabel", "HOTKEYS", "PALETTE"]

#: Keys a label can be bound to (unique per kind).
HOTKEYS = tuple(KEYS)

#: Colours proposed for new labels (the first one no label of the kind uses yet).
PALETTE = label_colours()

COL_COLOR, COL_NAME, COL_KEY, COL_DESC, COL_USED = range(5)
HEADERS = ("Colour", "Name", "Key", "Description", "Annotations")

ERROR_STYLE = "QLabel { background: #fde2e1; color: #7a1712; border: 1px solid #e8a7a3; padding: 6px; border-radius: 3px; }"
INFO_STYLE = "QLabel { background: #e6f2e6; color: #1d4d1d; border: 1px solid #a9cfa9; padding: 6px; border-radius: 3px; }"


# -- small, replaceable dialogs (tests swap these for stand-ins) ------------------------------
def ask_text(parent: QWidget, title: str, prompt: str, text: str = "") -> str | None:
    """A one-line text prompt; ``None`` when cancelled."""
    value, ok = QInputDialog.getText(parent, title, prompt, text=text)
    return value if ok else None


def confirm(parent: QWidget, title: str, text: str) -> bool:
    """A yes/no question (No is the default)."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    return box.exec() == QMessageBox.StandardButton.Yes


def choose_color(parent: QWidget, initial: str, title: str) -> str | None:
    """A colour picker; ``None`` when cancelled."""
    color = QColorDialog.getColor(QColor(initial), parent, title)
    return color.name() if color.isValid() else None


def swatch_icon(color: str, size: int = 16) -> QIcon:
    """A filled square with a thin dark border."""
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setPen(QColor("#555555"))
    p.setBrush(QColor(color))
    p.drawRect(0, 0, size - 1, size - 1)
    p.end()
    icon = QIcon(pm)
    icon.addPixmap(pm, QIcon.Mode.Selected)  # the true colour in the selected row too (not tinted)
    return icon


# -- the hotkey editor ------------------------------------------------------------------------
class _HotkeyDelegate(QStyledItemDelegate):
    """A combo box of the keys 0-9 saying which label already holds each."""

    def __init__(self, table: LabelTable) -> None:
        super().__init__(table)
        self._table = table

    def createEditor(self, parent: QWidget, option, index: QModelIndex) -> QWidget:  # noqa: N802
        combo = QComboBox(parent)
        owners = self._table.hotkey_owners(exclude_row=index.row())
        combo.addItem("(none)", "")
        for key in HOTKEYS:
            owner = owners.get(key)
            combo.addItem(f"{key}   (used by {owner})" if owner else key, key)
        return combo

    def setEditorData(self, editor: QWidget, index: QModelIndex) -> None:  # noqa: N802
        assert isinstance(editor, QComboBox)
        i = editor.findData(index.data(Qt.ItemDataRole.EditRole) or "")
        editor.setCurrentIndex(max(0, i))

    def setModelData(self, editor: QWidget, model, index: QModelIndex) -> None:  # noqa: N802
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


# -- one tab ----------------------------------------------------------------------------------
class LabelTable(QWidget):
    """The table and buttons for one kind of label."""

    message = Signal(str, bool)  # text, is_error
    edited = Signal()

    def __init__(self, state, kind: LabelKind, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.kind = kind
        self._loading = False
        self._labels: list[Label] = []
        self._usage: dict[str, LabelUsage] = {}

        self.table = QTableWidget(0, len(HEADERS), self)
        self.table.setObjectName(f"labels_{kind.value}")
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.table.setIconSize(QSize(16, 16))
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(COL_COLOR, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(COL_KEY, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(COL_DESC, QHeaderView.ResizeMode.Stretch)
        hh.setSectionResizeMode(COL_USED, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setItemDelegateForColumn(COL_KEY, _HotkeyDelegate(self))
        self.table.itemChanged.connect(self._item_changed)
        self.table.cellDoubleClicked.connect(self._double_clicked)
        self.table.itemSelectionChanged.connect(self._update_buttons)

        self.add_button = QPushButton("&Add…")
        self.rename_button = QPushButton("&Rename…")
        self.color_button = QPushButton("&Colour…")
        self.delete_button = QPushButton("&Delete")
        self.up_button = QPushButton("Move &up")
        self.down_button = QPushButton("Move do&wn")
        self.add_button.clicked.connect(self.add_label)
        self.rename_button.clicked.connect(lambda: self.rename_label())
        self.color_button.clicked.connect(lambda: self.recolor_label())
        self.delete_button.clicked.connect(lambda: self.delete_label())
        self.up_button.clicked.connect(lambda: self.move(-1))
        self.down_button.clicked.connect(lambda: self.move(+1))
        self.up_button.setToolTip("Ctrl+Up")
        self.down_button.setToolTip("Ctrl+Down")
        self.delete_button.setToolTip("Delete the label (only while no annotation uses it)")

        self.table.installEventFilter(self)

        buttons = QVBoxLayout()
        for b in (self.add_button, self.rename_button, self.color_button, self.delete_button, self.up_button, self.down_button):
            b.setAutoDefault(False)  # Return in the table edits, it does not press a button
        for b in (self.add_button, self.rename_button, self.color_button, self.delete_button):
            buttons.addWidget(b)
        buttons.addSpacing(12)
        buttons.addWidget(self.up_button)
        buttons.addWidget(self.down_button)
        buttons.addStretch(1)
        lay = QHBoxLayout(self)
        lay.addWidget(self.table, 1)
        lay.addLayout(buttons)
        self.reload()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        """Keys on the table: Ctrl+Up/Down move, Delete deletes, Ctrl+N adds."""
        if obj is self.table and event.type() == QEvent.Type.KeyPress and self.table.state() != QAbstractItemView.State.EditingState:
            key, mods = event.key(), event.modifiers()
            ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
            if ctrl and key == Qt.Key.Key_Up:
                self.move(-1)
                return True
            if ctrl and key == Qt.Key.Key_Down:
                self.move(+1)
                return True
            if ctrl and key == Qt.Key.Key_N:
                self.add_label()
                return True
            if key == Qt.Key.Key_Delete and not ctrl:
                self.delete_label()
                return True
        return super().eventFilter(obj, event)

    # -- data ------------------------------------------------------------------------------
    @property
    def store(self) -> Store:
        return self.state.store

    def labels(self) -> list[Label]:
        return list(self._labels)

    def reload(self, keep: str | None = None) -> None:
        """Read the labels and their usage from the project and refill the table."""
        if keep is None:
            cur = self.current_label()
            keep = cur.name if cur else None
        self._labels = self.store.labels(self.kind)
        self._usage = label_usage(self.store, self.kind)
        clashes = self._clashing_keys()
        self._loading = True
        try:
            self.table.setRowCount(len(self._labels))
            for row, lab in enumerate(self._labels):
                swatch = QTableWidgetItem(swatch_icon(lab.color), lab.color)
                swatch.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                swatch.setToolTip("Double-click to change the colour")
                name = QTableWidgetItem(lab.name)
                name.setToolTip("Double-click or F2 to rename (annotations are renamed too)")
                key = QTableWidgetItem(lab.hotkey)
                key.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if lab.hotkey and lab.hotkey in clashes:
                    key.setBackground(QBrush(QColor("#f8c9c5")))
                    others = [n.name for n in self._labels if n.hotkey == lab.hotkey and n.name != lab.name]
                    key.setToolTip(f"Key {lab.hotkey} is also bound to {', '.join(others)}: change one of them")
                desc = QTableWidgetItem(lab.description)
                use = self._usage.get(lab.name, LabelUsage())
                used = QTableWidgetItem(_usage_text(use))
                used.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                used.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if use.layers:
                    used.setToolTip("Layers: " + ", ".join(use.layers))
                for col, item in ((COL_COLOR, swatch), (COL_NAME, name), (COL_KEY, key), (COL_DESC, desc), (COL_USED, used)):
                    self.table.setItem(row, col, item)
        finally:
            self._loading = False
        if keep is not None:
            self.select(keep)
        elif self._labels:
            self.table.selectRow(0)
        self._update_buttons()
        if clashes:
            owners = "; ".join(
                f"key {k}: " + ", ".join(l.name for l in self._labels if l.hotkey == k) for k in sorted(clashes)
            )
            self.message.emit(f"Hotkey clash ({owners}). Give one of them another key.", True)

    def _clashing_keys(self) -> set[str]:
        seen: dict[str, int] = {}
        for lab in self._labels:
            if lab.hotkey:
                seen[lab.hotkey] = seen.get(lab.hotkey, 0) + 1
        return {k for k, n in seen.items() if n > 1}

    def hotkey_owners(self, exclude_row: int = -1) -> dict[str, str]:
        return {lab.hotkey: lab.name for i, lab in enumerate(self._labels) if lab.hotkey and i != exclude_row}

    def current_row(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else self.table.currentRow()

    def current_label(self) -> Label | None:
        row = self.current_row()
        return self._labels[row] if 0 <= row < len(self._labels) else None

    def select(self, name: str) -> None:
        for row, lab in enumerate(self._labels):
            if lab.name == name:
                self.table.selectRow(row)
                self.table.setCurrentCell(row, COL_NAME)
                return

    def _update_buttons(self) -> None:
        row = self.current_row()
        has = 0 <= row < len(self._labels)
        for b in (self.rename_button, self.color_button, self.delete_button):
            b.setEnabled(has)
        self.up_button.setEnabled(has and row > 0)
        self.down_button.setEnabled(has and row < len(self._labels) - 1)

    def _saved(self, text: str, keep: str | None = None) -> None:
        self.reload(keep=keep)
        self.edited.emit()
        self.message.emit(text, False)

    def _error(self, text: str) -> None:
        self.message.emit(text, True)

    # -- editing in the table ----------------------------------------------------------------
    def _double_clicked(self, row: int, col: int) -> None:
        if col == COL_COLOR and 0 <= row < len(self._labels):
            self.recolor_label(self._labels[row])

    def _item_changed(self, item: QTableWidgetItem) -> None:
        if self._loading:
            return
        row, col = item.row(), item.column()
        if not 0 <= row < len(self._labels):
            return
        lab = self._labels[row]
        if col == COL_NAME:
            new = item.text()
            self._loading = True
            item.setText(lab.name)  # the table shows the store's truth until the rename lands
            self._loading = False
            self.rename_label(lab, new)
        elif col == COL_KEY:
            self.set_hotkey(lab, item.text().strip())
        elif col == COL_DESC:
            if item.text() != lab.description:
                self._update(replace(lab, description=item.text()), f"Description of {lab.name} saved.")

    def apply(self, edit) -> str | None:
        """Apply a label edit through the state (one undo step); the refusal's text, or ``None``."""
        errors: list[str] = []
        self.state.errorOccurred.connect(errors.append)
        try:
            ok = self.state.apply(edit)
        finally:
            self.state.errorOccurred.disconnect(errors.append)
        return None if ok else (errors[-1] if errors else "The project refused the change.")

    def _update(self, lab: Label, text: str) -> None:
        err = self.apply(UpdateLabel(lab, description=f"Change label {lab.name}"))
        if err is not None:
            self.reload()
            self._error(err)
            return
        self._saved(text, keep=lab.name)

    # -- actions -----------------------------------------------------------------------------
    def validate_name(self, name: str, current: str | None = None) -> str | None:
        """An error message for an unusable label name, or ``None``."""
        if not name:
            return "A label needs a name."
        if name != name.strip():
            return "A label name cannot start or end with spaces."
        if any(ch in name for ch in "\n\r\t"):
            return "A label name must be on one line."
        if len(name) > 64:
            return "A label name can have at most 64 characters."
        if name != current and name in {lab.name for lab in self._labels}:
            return f"There is already {'an entity' if self.kind is LabelKind.ENTITY else 'a relation'} label named “{name}”."
        return None

    def add_label(self) -> None:
        noun = "entity" if self.kind is LabelKind.ENTITY else "relation"
        name = ask_text(self, f"New {noun} label", f"Name of the new {noun} label:")
        if name is None:
            return
        name = name.strip()
        err = self.validate_name(name)
        if err:
            self._error(err)
            return
        used_colors = {lab.color.lower() for lab in self._labels}
        color = next((c for c in PALETTE if c not in used_colors), PALETTE[len(self._labels) % len(PALETTE)])
        used_keys = {lab.hotkey for lab in self._labels}
        key = next((k for k in HOTKEYS if k not in used_keys), "")
        err = self.apply(AddLabel(Label(name=name, kind=self.kind, color=color, hotkey=key),
                                  description=f"Add label {name}"))
        if err is not None:
            self._error(err)
            return
        suffix = f" with key {key}" if key else " (all keys 0-9 are taken: no hotkey)"
        self._saved(f"Added {noun} label {name}{suffix}.", keep=name)

    def rename_label(self, lab: Label | None = None, new: str | None = None) -> bool:
        lab = lab or self.current_label()
        if lab is None:
            return False
        if new is None:
            new = ask_text(self, "Rename label", f"New name for {lab.name}:", lab.name)
            if new is None:
                return False
        new = new.strip()
        if new == lab.name:
            return False
        err = self.validate_name(new, current=lab.name)
        if err:
            self._error(err)
            return False
        use = usage_of_label(self.store, self.kind, lab.name)
        if use.annotations:
            what = "span" if self.kind is LabelKind.ENTITY else "relation"
            text = (
                f"Rename “{lab.name}” to “{new}”?\n\n"
                f"{use.annotations} {what}{'s' if use.annotations != 1 else ''} in "
                f"{use.documents} document{'s' if use.documents != 1 else ''} "
                f"({', '.join(use.layers)}) will be renamed too.\n\nUndo (Ctrl+Z) reverts it."
            )
            if not confirm(self, "Rename label", text):
                return False
        err = self.apply(RenameLabel(self.kind, lab.name, new))
        if err is not None or lab.name in self.store.label_names(self.kind):
            self.reload()
            self._error(err or f"{lab.name} was not renamed.")
            return False
        n = use.annotations
        self._saved(f"Renamed {lab.name} to {new}" + (f" ({n} annotations updated)." if n else "."), keep=new)
        return True

    def recolor_label(self, lab: Label | None = None, color: str | None = None) -> None:
        lab = lab or self.current_label()
        if lab is None:
            return
        if color is None:
            color = choose_color(self, lab.color, f"Colour of {lab.name}")
            if color is None:
                return
        if QColor(color).isValid():
            self._update(replace(lab, color=QColor(color).name()), f"Colour of {lab.name} saved.")

    def set_hotkey(self, lab: Label, key: str) -> bool:
        if key and key not in HOTKEYS:
            self.reload(keep=lab.name)
            self._error(f"“{key}” cannot be a hotkey: use a digit 0-9, or none.")
            return False
        owner = next((o.name for o in self._labels if key and o.hotkey == key and o.name != lab.name), None)
        if owner is not None:
            self.reload(keep=lab.name)
            self._error(
                f"Key {key} is already used by {owner}. Each {self.kind.value} label needs its own key: "
                f"pick a free one, or clear {owner}'s key first."
            )
            return False
        if key == lab.hotkey:
            return True
        self._update(replace(lab, hotkey=key), f"{lab.name} is now on key {key}." if key else f"{lab.name} has no hotkey now.")
        return True

    def delete_label(self, lab: Label | None = None) -> bool:
        lab = lab or self.current_label()
        if lab is None:
            return False
        use = usage_of_label(self.store, self.kind, lab.name)
        if use.annotations:
            what = "span" if self.kind is LabelKind.ENTITY else "relation"
            self._error(
                f"{lab.name} cannot be deleted: {use.annotations} {what}{'s' if use.annotations != 1 else ''} "
                f"in {use.documents} document{'s' if use.documents != 1 else ''} use it "
                f"({', '.join(use.layers)}). Rename it, or remove those annotations first."
            )
            return False
        if not confirm(self, "Delete label", f"Delete the unused {self.kind.value} label “{lab.name}”?"):
            return False
        row = self.current_row()
        err = self.apply(DeleteLabel(self.kind, lab.name, description=f"Delete label {lab.name}"))
        if err is not None:
            self._error(err)
            return False
        self.reload(keep="")
        if self._labels:
            self.table.selectRow(min(row, len(self._labels) - 1))
        self.edited.emit()
        self.message.emit(f"Deleted {lab.name}.", False)
        return True

    def move(self, delta: int) -> None:
        row = self.current_row()
        target = row + delta
        if not (0 <= row < len(self._labels) and 0 <= target < len(self._labels)):
            return
        names = [lab.name for lab in self._labels]
        names[row], names[target] = names[target], names[row]
        moved = self._labels[row].name
        err = self.apply(ReorderLabels(self.kind, tuple(names), description=f"Move label {moved}"))
        if err is not None:
            self._error(err)
            return
        self._saved(f"Moved {moved} {'up' if delta < 0 else 'down'}.", keep=moved)


def _usage_text(use: LabelUsage) -> str:
    if not use.annotations:
        return "unused"
    return f"{use.annotations} in {use.documents} doc{'s' if use.documents != 1 else ''}"


class LabelsDialog(QDialog):
    """Entity and relation labels of the project, in two tabs; every change is saved at once."""

    def __init__(self, state, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setWindowTitle("Labels")
        self.setObjectName("LabelsDialog")
        self.resize(760, 520)

        intro = QLabel(
            "Changes are saved to the project at once. Double-click a cell to edit it; "
            "renaming a label renames its annotations too."
        )
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)

        self.tabs = QTabWidget(self)
        self.entities = LabelTable(state, LabelKind.ENTITY, self)
        self.relations = LabelTable(state, LabelKind.RELATION, self)
        self.tabs.addTab(self.entities, "")
        self.tabs.addTab(self.relations, "")

        self.banner = QLabel(self)
        self.banner.setObjectName("labels_banner")
        self.banner.setWordWrap(True)
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner.hide()

        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        box.rejected.connect(self.reject)
        box.accepted.connect(self.accept)

        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addWidget(self.tabs, 1)
        lay.addWidget(self.banner)
        lay.addWidget(box)

        for t in (self.entities, self.relations):
            t.message.connect(self.show_message)
            t.edited.connect(self._update_tab_titles)
        self.tabs.currentChanged.connect(lambda _i: self.banner.hide())
        self._update_tab_titles()
        state.changed.connect(self._state_changed)

    def table_for(self, kind: LabelKind | str) -> LabelTable:
        return self.entities if LabelKind(kind) is LabelKind.ENTITY else self.relations

    def _update_tab_titles(self) -> None:
        self.tabs.setTabText(0, f"Entity labels ({self.entities.table.rowCount()})")
        self.tabs.setTabText(1, f"Relation labels ({self.relations.table.rowCount()})")

    def show_message(self, text: str, error: bool) -> None:
        self.banner.setStyleSheet(ERROR_STYLE if error else INFO_STYLE)
        self.banner.setText(("⚠ " if error else "✓ ") + text)
        self.banner.setProperty("error", error)
        self.banner.show()

    def message_text(self) -> str:
        return self.banner.text() if self.banner.isVisible() or not self.banner.isHidden() else ""

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        """Reopened later: show the project as it is now."""
        super().showEvent(event)
        self._state_changed(Changes(labels=True))

    def _state_changed(self, changes: Changes) -> None:
        # An undo of a label edit, or annotations changed elsewhere (the usage counts): show
        # the store's truth.
        if (changes.labels or changes.spans or changes.relations) and self.isVisible():
            blocked = [t.blockSignals(True) for t in (self.entities, self.relations)]
            try:
                self.entities.reload()
                self.relations.reload()
            finally:
                for t, b in zip((self.entities, self.relations), blocked):
                    t.blockSignals(b)
            self._update_tab_titles()
