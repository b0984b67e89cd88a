"""The review window's list of items: conflicts grouped, each version with its votes and gold."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QTreeWidgetItem

from annotator.review import ReviewItem, is_settled
from corpus.model import LabelKind
from ui.style import text_on

__all__ = ["ReviewTree", "ITEM_ROLE", "GROUP_ROLE", "COL_ITEM", "COL_LABEL", "COL_VOTES", "COL_GOLD", "flat"]

ITEM_ROLE = Qt.ItemDataRole.UserRole
GROUP_ROLE = Qt.ItemDataRole.UserRole + 1
COL_ITEM, COL_LABEL, COL_VOTES, COL_GOLD = range(4)


def flat(text: str, limit: int = 60) -> str:
    """``text`` on one line, cut to ``limit`` characters."""
    one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit - 1] + "…"


class ReviewTree:
    """The item tree of :class:`ui.review_window.ReviewWindow` (a mixin: it uses ``self.tree``,
    ``self.review``, ``self.groups``, ``self.state`` and ``self.store``)."""

    # -- the item tree ---------------------------------------------------------------------
    def _votes_text(self, it: ReviewItem) -> str:
        who = [a for a, v in it.votes.items() if v]
        text = it.vote_text
        return f"{text} {', '.join(who)}" if who else f"{text} (gold only)" if it.in_gold else text

    def _item_text(self, it: ReviewItem) -> str:
        r = self.review
        assert r is not None
        if it.kind == "span":
            return f"“{flat(it.text)}”  {it.start}–{it.end}"
        h, c = it.head, it.child
        return f"“{flat(r.text[h[0]:h[1]], 25)}” → “{flat(r.text[c[0]:c[1]], 25)}”"

    def _tree_item(self, it: ReviewItem, parent: QTreeWidgetItem | None) -> QTreeWidgetItem:
        node = QTreeWidgetItem(parent) if parent is not None else QTreeWidgetItem()
        node.setText(COL_ITEM, self._item_text(it))
        node.setText(COL_LABEL, it.label)
        node.setText(COL_VOTES, self._votes_text(it))
        node.setText(COL_GOLD, "✓ gold" if it.in_gold else "")
        kind = LabelKind.ENTITY if it.kind == "span" else LabelKind.RELATION
        color = QColor(self._label_color(it.label, kind))
        node.setBackground(COL_LABEL, QBrush(color.lighter(110)))
        node.setForeground(COL_LABEL, QBrush(text_on(color.lighter(110))))
        if it.in_gold:
            node.setForeground(COL_GOLD, QBrush(QColor("#1d6b1d")))
            bold = node.font(COL_GOLD)
            bold.setBold(True)
            node.setFont(COL_GOLD, bold)
        if it.agreed:
            node.setToolTip(COL_VOTES, "Every compared annotator holds this")
        node.setData(COL_ITEM, ITEM_ROLE, it)
        return node

    def _label_color(self, label: str, kind: LabelKind) -> str:
        fn = getattr(self.state, "label_color", None)
        if callable(fn):
            return fn(label, kind)
        for lab in self.store.labels(kind):
            if lab.name == label:
                return lab.color
        return "#cccccc"

    def _fill_tree(self) -> None:
        r = self.review
        self.tree.clear()
        if r is None:
            return
        in_group = {(it.kind, it.key) for g in self.groups for it in g}
        entries: list[tuple[tuple, Any]] = []
        for gi, g in enumerate(self.groups):
            entries.append(((g[0].position, 0 if g[0].kind == "span" else 1, 0), ("group", gi, g)))
        for it in r.items:
            if (it.kind, it.key) not in in_group:
                entries.append(((it.position, 0 if it.kind == "span" else 1, 1), ("item", it)))
        entries.sort(key=lambda e: e[0])
        n = len(self.groups)
        for _pos, entry in entries:
            if entry[0] == "group":
                _, gi, g = entry
                settled = is_settled(g)
                lo, hi = min(x.position[0] for x in g), max(x.position[1] for x in g)
                what = "relation conflict" if g[0].kind == "relation" else "conflict"
                head = QTreeWidgetItem(self.tree)
                head.setText(COL_ITEM, f"{'✓' if settled else '⚠'} {what.capitalize()} {gi + 1} of {n}: “{flat(r.text[lo:hi], 40)}”")
                head.setText(COL_LABEL, f"{len(g)} versions")
                head.setText(COL_GOLD, "settled" if settled else "to settle")
                head.setFirstColumnSpanned(False)
                bold = head.font(COL_ITEM)
                bold.setBold(True)
                for c in range(4):
                    head.setFont(c, bold)
                    head.setBackground(c, QBrush(QColor("#eaf4ea" if settled else "#fff1d6")))
                    head.setForeground(c, QBrush(QColor("#202020")))  # readable in a dark theme too
                head.setData(COL_ITEM, GROUP_ROLE, gi)
                for it in g:
                    self._tree_item(it, head)
                head.setExpanded(True)
            else:
                self.tree.addTopLevelItem(self._tree_item(entry[1], None))

    # -- selection -------------------------------------------------------------------------
    def current_node(self) -> QTreeWidgetItem | None:
        return self.tree.currentItem()

    def current_item(self) -> ReviewItem | None:
        node = self.current_node()
        return node.data(COL_ITEM, ITEM_ROLE) if node is not None else None

    def current_group_index(self) -> int | None:
        node = self.current_node()
        if node is None:
            return None
        gi = node.data(COL_ITEM, GROUP_ROLE)
        if gi is None and node.parent() is not None:
            gi = node.parent().data(COL_ITEM, GROUP_ROLE)
        return gi

    def current_key(self) -> tuple | None:
        gi = self.current_group_index()
        it = self.current_item()
        if it is not None:
            return ("item", it.kind, it.key)
        if gi is not None and gi < len(self.groups):
            return ("group", self.groups[gi][0].kind, self.groups[gi][0].key)
        return None

    def _nodes(self):
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            yield top
            for j in range(top.childCount()):
                yield top.child(j)

    def select_key(self, key: tuple) -> bool:
        what, kind, k = key
        for node in self._nodes():
            it = node.data(COL_ITEM, ITEM_ROLE)
            gi = node.data(COL_ITEM, GROUP_ROLE)
            if what == "item" and it is not None and it.kind == kind and it.key == k:
                self.tree.setCurrentItem(node)
                return True
            if what == "group" and gi is not None and any(x.key == k for x in self.groups[gi]):
                self.tree.setCurrentItem(node)
                return True
        return False

    def select_group(self, group: list[ReviewItem]) -> None:
        self.select_key(("group", group[0].kind, group[0].key))

    def select_at(self, offset: int, key: tuple | None = None) -> None:
        """Select what covers (or first follows) character ``offset``: its conflict if it has one
        (or the span ``key`` when it is in no conflict)."""
        if self.review is None:
            return
        for gi, g in enumerate(self.groups):
            if g[0].kind == "span" and min(x.start for x in g) <= offset < max(x.end for x in g):
                self.select_group(g)
                return
        if key is not None and self.select_key(("item", "span", tuple(key))):
            return
        spans = sorted(self.review.spans, key=lambda s: s.position)
        for it in spans:
            if it.end > offset:
                self.select_key(("item", "span", it.key))
                return

    def items_at(self, offset: int) -> list[ReviewItem]:
        if self.review is None:
            return []
        return [it for it in self.review.spans if it.start <= offset < it.end]

