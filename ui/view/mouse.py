"""The document view's mouse, keys and tooltips (a mixin of :class:`ui.view.widget.DocumentView`)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QMouseEvent
from PySide6.QtWidgets import QToolTip

from corpus.model import token_index_at
from ui.view.model import ViewSpan

__all__ = ["MouseMixin", "html_escape"]


def html_escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br>")


class MouseMixin:
    """Dragging selects (snapped to tokens), a click selects a span or a word, an edge drag resizes."""

    def _init_mouse(self) -> None:
        self._drag_from: int | None = None
        self._drag_raw: tuple[int, int] | None = None
        self._edge_drag: tuple[ViewSpan, str] | None = None  # (span, "start" | "end") while dragging an edge
        self._edge_preview: tuple[int, int] | None = None
        self._press_point = QPoint()

    def _drag_span(self) -> tuple[int, int] | None:
        return self._drag_raw

    # -- hit testing ---------------------------------------------------------------------------
    def edge_at(self, point: QPoint | QPointF) -> tuple[ViewSpan, str] | None:
        """A span (not a suggestion) whose start or end edge is under ``point`` (within 4 px)."""
        lay = self._lay
        if not lay.lines:
            return None
        px, py = point.x(), point.y() + self._dy()
        li = lay.row_at_y(py)
        ln = lay.lines[li]
        best = None
        for sp in lay.items_between(ln.start, ln.end):
            if sp.suggestion or not sp.frags:
                continue
            for edge, frag in (("start", sp.frags[0]), ("end", sp.frags[-1])):
                if frag[0] != li:
                    continue
                r = lay.frag_rect(sp, frag)
                d = abs(px - (r.x if edge == "start" else r.right))
                if d <= 4 and r.y <= py <= r.bottom and (best is None or d < best[0]):
                    best = (d, sp, edge)
        return None if best is None else (best[1], best[2])

    def item_at(self, point: QPoint | QPointF) -> ViewSpan | None:
        """The span (or, failing that, the suggestion) under ``point`` (the innermost)."""
        lay = self._lay
        if not lay.lines:
            return None
        px, py = point.x(), point.y() + self._dy()
        li = lay.row_at_y(py)
        best: ViewSpan | None = None
        near = lay.items_between(lay.lines[max(0, li - 1)].start, lay.lines[min(len(lay.lines) - 1, li + 1)].end)
        for sp in near:
            tr = sp.tag_rect
            hit = any(lay.frag_rect(sp, f).contains(px, py) for f in sp.frags) or (tr is not None and tr.contains(px, py))
            if hit and (best is None or (best.suggestion and not sp.suggestion) or (
                    best.suggestion == sp.suggestion and (sp.end - sp.start) < (best.end - best.start))):
                best = sp
        return best

    def _edge_target(self, sp: ViewSpan, edge: str, point: QPoint | QPointF, precise: bool) -> tuple[int, int]:
        """The span's new offsets when its ``edge`` is dropped at ``point`` (token-snapped)."""
        c = self.char_at(point)
        s, e = sp.start, sp.end
        if edge == "end":
            e = max(c, s + 1)
            if not precise:
                _, e = self._snap(s, e)
                e = max(e, s + 1)
        else:
            s = min(c, e - 1)
            if not precise:
                s, _ = self._snap(s, e)
        return (s, e)

    def _token_under(self, point: QPoint) -> tuple[int, int] | None:
        """The (non-space) token whose characters are under ``point``, if any."""
        lay = self._lay
        toks = self._tokens
        if not toks or not lay.lines:
            return None
        li = lay.row_at_y(point.y() + self._dy())
        c = lay.tl.char_at_x(li, point.x())
        if c is None:
            return None
        k = token_index_at(toks, c)
        if k >= len(toks):
            return None
        s, t = toks[k]
        if not (s <= c < t) or self.text[s:t].isspace():
            return None
        # the point must be over the glyphs, not in the margin after the line
        if point.x() > lay.x_of(t, li) + 1 or point.x() < lay.x_of(s, li) - 1:
            return None
        return (s, t)

    # -- mouse ---------------------------------------------------------------------------------
    def mousePressEvent(self, e: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if e.button() != Qt.MouseButton.LeftButton or not self._lay.lines:
            return super().mousePressEvent(e)
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        pos = e.position().toPoint()
        self._press_point = pos
        edge = self.edge_at(pos)
        if edge is not None:  # dragging a span's edge resizes it
            self._edge_drag = edge
            self._edge_preview = (edge[0].start, edge[0].end)
            self._drag_from = None
            return
        self._drag_from = self.char_at(pos)
        self._drag_raw = None

    def mouseMoveEvent(self, e: QMouseEvent) -> None:  # noqa: N802 - Qt API
        pos = e.position().toPoint()
        if self._edge_drag is not None:
            sp, edge = self._edge_drag
            precise = bool(e.modifiers() & Qt.KeyboardModifier.AltModifier)
            self._edge_preview = self._edge_target(sp, edge, pos, precise)
            self.viewport().update()
            return
        if self._drag_from is None:
            over_edge = e.buttons() == Qt.MouseButton.NoButton and self.edge_at(pos) is not None
            self.viewport().setCursor(Qt.CursorShape.SizeHorCursor if over_edge else Qt.CursorShape.IBeamCursor)
            return super().mouseMoveEvent(e)
        if (pos - self._press_point).manhattanLength() < 3:
            return
        self._drag_raw = (self._drag_from, self.char_at(pos))
        self.viewport().update()

    def _release_edge(self, e: QMouseEvent) -> None:
        sp, edge = self._edge_drag
        precise = bool(e.modifiers() & Qt.KeyboardModifier.AltModifier)
        s, t = self._edge_target(sp, edge, e.position().toPoint(), precise)
        self._edge_drag = None
        self._edge_preview = None
        self.viewport().update()
        if (s, t) != (sp.start, sp.end) and sp.id is not None:
            self.resizeRequested.emit(sp.id, s, t)
        elif (e.position().toPoint() - self._press_point).manhattanLength() < 3:
            self.select_item(sp.key, ensure_visible=False)  # a click on the edge selects
            self.itemClicked.emit(sp.key)

    def mouseReleaseEvent(self, e: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if e.button() == Qt.MouseButton.LeftButton and self._edge_drag is not None:
            self._release_edge(e)
            return
        if e.button() != Qt.MouseButton.LeftButton or self._drag_from is None:
            return super().mouseReleaseEvent(e)
        pos = e.position().toPoint()
        start, end = self._drag_from, self.char_at(pos)
        self._drag_from = None
        self._drag_raw = None
        if (pos - self._press_point).manhattanLength() >= 3 and end != start:
            s, t = min(start, end), max(start, end)
            if not bool(e.modifiers() & Qt.KeyboardModifier.AltModifier):
                s, t = self._snap(s, t)
            if t > s:
                self.set_text_selection(s, t, snap=False)
            else:
                self.clear_selection()
            return
        item = self.item_at(pos)
        rel = self.relation_at(pos) if item is None else None
        if rel is not None:
            self.select_relation(rel.id)
        elif item is not None:
            self.select_item(item.key, ensure_visible=False)
            self.itemClicked.emit(item.key)
        else:
            # a click on a word selects that token (click + number key labels one word)
            self._anchor = start
            tok = self._token_under(pos)
            if tok is not None:
                self.set_text_selection(tok[0], tok[1], snap=False)
            else:
                self.clear_selection()
        self.viewport().update()

    def mouseDoubleClickEvent(self, e: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if not self._lay.lines:
            return
        pos = self.char_at(e.position().toPoint())
        toks = self._tokens
        if toks:
            s, t = toks[min(token_index_at(toks, pos), len(toks) - 1)]
            if not self.text[s:t].isspace():
                self.set_text_selection(s, t, snap=False)

    def wheelEvent(self, e) -> None:  # noqa: N802 - Qt API
        if e.modifiers() & Qt.KeyboardModifier.ControlModifier:  # Ctrl+wheel zooms, like a browser
            dy = e.angleDelta().y()
            if dy:
                self.zoom_in() if dy > 0 else self.zoom_out()
            e.accept()
            return
        super().wheelEvent(e)

    # -- tooltips and keys ---------------------------------------------------------------------
    def event(self, e: QEvent) -> bool:  # noqa: D401 - Qt API
        if e.type() == QEvent.Type.ToolTip:
            pos = self.viewport().mapFromGlobal(e.globalPos())
            item = self.item_at(pos)
            rel = self.relation_at(pos) if item is None else None
            if item is not None:
                QToolTip.showText(e.globalPos(), self.tooltip_for(item), self)
            elif rel is not None:
                h, c = self._lay.end_items(rel)
                ht = self.text[h.start:h.end] if h else "?"
                ct = self.text[c.start:c.end] if c else "?"
                tip = f"{rel.label}: \u201c{ht}\u201d \u2192 \u201c{ct}\u201d\nClick to select; a number key relabels it"
                QToolTip.showText(e.globalPos(), "<p style='white-space:pre'>" + html_escape(tip) + "</p>", self)
            else:
                QToolTip.hideText()
            return True
        return super().event(e)

    def tooltip_for(self, item: ViewSpan) -> str:
        """The tooltip of a span or suggestion (label, text, layer, source, score). Plain text."""
        text = self.text[item.start:item.end]
        if len(text) > 60:
            text = text[:57] + "..."
        lines = [f"{item.label}: \u201c{text}\u201d"]
        if item.suggestion:
            lines.append(f"Suggestion from {item.layer}")
            if item.score is not None:
                lines.append(f"score {item.score:.2f}")
            lines.append("Enter/A accept \u00b7 X reject")
        else:
            lines.append(f"Layer: {item.layer}")
            if item.source:
                lines.append(f"Source: {item.source}")
        lines.append(f"characters {item.start}\u2013{item.end}")
        # the article's text is data: escaped, so Qt never interprets it as markup
        return "<p style='white-space:pre'>" + html_escape("\n".join(lines)) + "</p>"

    def keyPressEvent(self, e: QKeyEvent) -> None:  # noqa: N802 - Qt API
        key = e.key()
        # the window's view-only actions (Tab, arrows...) when the shortcut map did not fire,
        # e.g. while the window is not the active one
        seq = QKeySequence(e.keyCombination())
        top = self.window()
        for act in [*self.actions(), *(top.actions() if top is not self else [])]:
            if act.isEnabled() and any(sc.matches(seq) == QKeySequence.SequenceMatch.ExactMatch for sc in act.shortcuts()):
                act.trigger()
                return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.activated.emit()
            return
        if key == Qt.Key.Key_Escape:
            if self._hints:
                self.hide_hints()
                return
            self.clear_selection()
            return
        super().keyPressEvent(e)

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802,A002 - Qt API
        return False  # Tab moves between spans, not out of the view
