"""The label palette: entity labels with colour and hotkey; relation labels in relation mode."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from corpus.model import Label, LabelKind
from ui.style import swatch_icon

__all__ = ["LabelPalette", "hotkey_map"]

#: The keys a label can be bound to (each also with Shift for the labels past ten).
KEYS = "1234567890"


def hotkey_map(labels: list[Label]) -> dict[str, str]:
    """Key -> label name: each label's own hotkey, else the next free digit in palette order."""
    out: dict[str, str] = {}
    for lab in labels:
        if lab.hotkey and lab.hotkey not in out:
            out[lab.hotkey] = lab.name
    # after the ten digits, Shift and a digit: every label is one chord away
    free = [k for k in (*KEYS, *(f"Shift+{d}" for d in KEYS)) if k not in out]
    for lab in labels:
        if lab.name in out.values():
            continue
        if not free:
            break
        out[free.pop(0)] = lab.name
    return out


class LabelPalette(QWidget):
    """A list of labels; clicking one applies it (like its number key)."""

    labelChosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel("Entity labels", self)
        self.title.setObjectName("docInfo")
        self.list = QListWidget(self)
        self.list.setObjectName("palette")
        self.list.setIconSize(QSize(14, 14))
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.itemClicked.connect(self._clicked)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.setSpacing(2)
        lay.addWidget(self.title)
        lay.addWidget(self.list, 1)
        self.kind = LabelKind.ENTITY
        self.keys: dict[str, str] = {}

    def set_labels(self, labels: list[Label], kind: LabelKind, current: str | None = None) -> None:
        self.kind = kind
        self.keys = hotkey_map(labels)
        key_of = {v: k for k, v in self.keys.items()}
        self.title.setText("Relation labels \u2014 press a key to link" if kind is LabelKind.RELATION else "Entity labels")
        self.list.clear()
        for lab in labels:
            k = key_of.get(lab.name, " ")
            it = QListWidgetItem(swatch_icon(lab.color), f"{k}   {lab.name}")
            it.setData(Qt.ItemDataRole.UserRole, lab.name)
            tip = lab.description or lab.name
            it.setToolTip(f"{lab.name} (key {k})\n{tip}" if k.strip() else tip)
            self.list.addItem(it)
            if current == lab.name:
                it.setSelected(True)

    def highlight(self, name: str | None) -> None:
        for i in range(self.list.count()):
            it = self.list.item(i)
            it.setSelected(it.data(Qt.ItemDataRole.UserRole) == name)

    def label_for_key(self, key: str) -> str | None:
        return self.keys.get(key)

    def _clicked(self, item: QListWidgetItem) -> None:
        self.labelChosen.emit(item.data(Qt.ItemDataRole.UserRole))
