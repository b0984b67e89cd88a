"""The document view widget: an article as plain text with spans, suggestions and relations.

A ``QAbstractScrollArea`` over :class:`~ui.view.layout.DocumentLayout` (the pure layout) and
:func:`~ui.view.painter.paint_document` (the painter). The widget keeps the selection, the token
caret, the relation being made, the hints and the zoom; mouse and tooltips are in
:mod:`ui.view.mouse`.

The view knows nothing about the store: the window hands it :class:`ViewSpan` and
:class:`ViewRelation` lists and listens to its signals. Its hit-testing API
(:meth:`char_at`, :meth:`char_rect`, :meth:`point_for_char`, :meth:`span_rects`,
:meth:`item_at`) is what tests and the window use.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetricsF, QPainter, QPaintEvent
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

from corpus.model import token_index_at
from ui.view import caret
from ui.view.colors import pattern_levels
from ui.view.hints import hint_labels
from ui.view.layout import DocumentLayout
from ui.view.model import ItemKey, Metrics, Rect, ViewRelation, ViewSpan
from ui.view.mouse import MouseMixin
from ui.view.painter import PaintState, Theme, paint_document, qrect

__all__ = ["DocumentView"]

ZOOM_MIN, ZOOM_MAX, ZOOM_STEP = 0.5, 3.0, 1.15


class DocumentView(MouseMixin, QAbstractScrollArea):
    """Plain text with annotation boxes, tags and relation arcs; mouse and keyboard selection."""

    #: the selection changed (a span/suggestion, or a text range, or nothing)
    selectionChanged = Signal()
    #: Enter/Return on the view (accept, or pick in relation mode)
    activated = Signal()
    #: a span or suggestion was clicked (its key)
    itemClicked = Signal(object)
    #: a span's edge was dragged: (span id, new start, new end), snapped to tokens unless Alt
    resizeRequested = Signal(int, int, int)
    #: the zoom factor changed (1.0 is the default size)
    zoomChanged = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.viewport().setMouseTracking(True)
        self.viewport().setCursor(Qt.CursorShape.IBeamCursor)
        self.setObjectName("documentView")
        # always there, so that a row growing past the bottom never narrows (and re-wraps) the text
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self._base_pt = max(11.0, QFont(self.font()).pointSizeF())
        self._zoom = 1.0
        self._lay = DocumentLayout(len, len)
        self._set_fonts()
        self._selected: ItemKey | None = None
        self._sel: tuple[int, int] | None = None  # text selection (snapped)
        self._anchor: int | None = None  # token caret anchor (keyboard)
        self._relation_head: int | None = None  # span id while picking a child
        self._selected_rel: int | None = None  # a relation picked by its label
        self._placeholder = "No document open"
        self._hints: dict[str, object] = {}
        self._hint_pos: dict[str, tuple[float, float]] = {}
        self._patterns: dict[str, int] = {}
        self._text_cache: dict = {}
        self._text_cache_key: tuple = ()
        self._init_mouse()

    # -- fonts and zoom ------------------------------------------------------------------------
    def _set_fonts(self) -> None:
        font = QFont(self.font())
        font.setPointSizeF(self._base_pt * self._zoom)
        tag_font = QFont(font)
        tag_font.setPointSizeF(font.pointSizeF() * 0.68)
        tag_font.setBold(True)
        self._font, self._tag_font = font, tag_font
        self._fm, self._tag_fm = QFontMetricsF(font), QFontMetricsF(tag_font)
        self._lay.set_measures(self._fm.horizontalAdvance, self._tag_fm.horizontalAdvance,
                               Metrics().scaled(self._zoom, self._fm.height()))

    def zoom(self) -> float:
        """The zoom factor (1.0: the default text size)."""
        return self._zoom

    def set_zoom(self, factor: float) -> None:
        """Show the text ``factor`` times its default size (0.5 to 3); keeps the top line in view."""
        factor = max(ZOOM_MIN, min(ZOOM_MAX, float(factor)))
        if abs(factor - self._zoom) < 1e-6:
            return
        top = self.char_at(QPoint(0, 0)) if self._lay.lines else None
        self._zoom = factor
        self._set_fonts()
        self._hide_hints_quietly()
        self._relayout()
        if top is not None:
            li = self._lay.line_of(top)
            self.verticalScrollBar().setValue(int(self._lay.lines[li].top))
        self.viewport().update()
        self.zoomChanged.emit(factor)

    def zoom_in(self) -> None:
        self.set_zoom(self._zoom * ZOOM_STEP)

    def zoom_out(self) -> None:
        self.set_zoom(self._zoom / ZOOM_STEP)

    def doc_layout(self) -> DocumentLayout:
        """The layout the view draws (Qt-free; read it, do not change it)."""
        return self._lay

    # -- content -------------------------------------------------------------------------------
    def set_placeholder(self, text: str) -> None:
        self._placeholder = text
        self.viewport().update()

    def set_document(self, text: str, tokens: Sequence[tuple[int, int]] = ()) -> None:
        """Show another text (clears annotations and selection; scrolls to the top)."""
        self._lay.set_text(text, tokens)
        self._selected = self._sel = self._anchor = None
        self._relation_head = self._selected_rel = None
        self._hide_hints_quietly()
        self._relayout()
        self.verticalScrollBar().setValue(0)
        self.viewport().update()

    def set_annotations(self, items: Sequence[ViewSpan], relations: Sequence[ViewRelation]) -> None:
        """Replace the spans/suggestions and relations shown (keeps the selection when it exists)."""
        self._lay.set_annotations(items, relations)
        dropped = self._drop_stale_selection()
        self._relayout()
        self.viewport().update()
        if dropped:
            self.selectionChanged.emit()

    @property
    def text(self) -> str:
        return self._lay.text

    @property
    def _text(self) -> str:
        return self._lay.text

    @property
    def _tokens(self) -> tuple:
        return self._lay.tokens

    @property
    def items(self) -> list[ViewSpan]:
        """Every span and suggestion shown (suggestions only when visible), by position.

        The list is cached until the annotations or the suggestion toggle change; do not modify it.
        """
        return self._lay.shown

    @property
    def relations(self) -> list[ViewRelation]:
        return list(self._lay.relations)

    def item(self, key: ItemKey) -> ViewSpan | None:
        return self._lay.by_key.get(key)

    # -- options -------------------------------------------------------------------------------
    def set_label_colours(self, colours: Mapping[str, str]) -> None:
        """The project's entity labels and colours, in palette order: labels whose colour is too
        close to an earlier one's get a hatch pattern as a second cue."""
        self._patterns = {k: v for k, v in pattern_levels(colours).items() if v}
        self.viewport().update()

    def label_pattern(self, label: str) -> int:
        """The hatch pattern drawn over ``label``'s boxes (0: none)."""
        return self._patterns.get(label, 0)

    def set_show_suggestions(self, on: bool) -> None:
        self._lay.set_show_suggestions(on)
        if not on and self._selected is not None and self._selected[0] == "sugg":
            self._selected = None
            self.selectionChanged.emit()
        self._relayout()
        self.viewport().update()

    def show_suggestions(self) -> bool:
        return self._lay.show_suggestions

    def set_relation_filter(self, mode: str) -> None:
        """``"all"`` relations, only the ``"selected"`` span's, or ``"none"``."""
        self._lay.relation_filter = mode
        self._relayout_relations()

    def relation_filter(self) -> str:
        return self._lay.relation_filter

    def set_relation_head(self, span_id: int | None) -> None:
        """Mark the head span while the window waits for the child of a new relation."""
        self._relation_head = span_id
        if span_id is None and self._lay.preview is not None:
            self._lay.preview = None
            self._relayout_relations()
        else:
            self._focus_changed()

    def set_preview_relation(self, head: int | ItemKey | None, child: int | ItemKey | None = None) -> None:
        """Show the relation being made: ``head`` marked, and a dashed arc to ``child`` when given.

        Ends are span ids or item keys; ``head=None`` removes the preview.
        """
        self._relation_head = head if isinstance(head, int) else None
        preview = None
        if head is not None and child is not None:
            preview = ViewRelation(id=-1, head=head if isinstance(head, int) else -1,
                                   child=child if isinstance(child, int) else -1, label="?", preview=True,
                                   head_key=None if isinstance(head, int) else head,
                                   child_key=None if isinstance(child, int) else child)
        self._lay.preview = preview
        self._relayout_relations()

    def preview_relation(self) -> ViewRelation | None:
        """The relation being made, as drawn (``None`` when there is none)."""
        p = self._lay.preview
        return p if p is not None and self._lay.has_ends(p) else None

    # -- hints ---------------------------------------------------------------------------------
    def show_hints(self, kind: str = "words") -> dict[str, object]:
        """Show short letter hints over the visible ``"words"`` or ``"spans"``.

        Returns hint -> target: a ``(start, end)`` token for words, an item key for spans.
        """
        lay = self._lay
        self._hints, self._hint_pos = {}, {}
        if not lay.lines:
            return {}
        dy, vh = self._dy(), self.viewport().height()
        first, last = lay.row_at_y(dy), lay.row_at_y(dy + vh)
        lo, hi = lay.lines[first].start, lay.lines[last].end
        targets: list[tuple[object, int, float]] = []  # (target, line, x)
        if kind == "spans":
            for sp in lay.items_between(lo, hi):
                if sp.frags and first <= sp.frags[0][0] <= last:
                    targets.append((sp.key, sp.frags[0][0], sp.frags[0][1]))
        else:
            text = lay.text
            for a, b in self._tokens_between(lo, hi):
                if not any(ch.isalnum() for ch in text[a:b]):  # words and numbers, not punctuation
                    continue
                li = lay.line_of(a)
                if first <= li <= last:
                    targets.append(((a, b), li, lay.x_of(a, li)))
        top, bottom = dy, dy + vh
        targets = [t for t in targets if lay.lines[t[1]].text_y >= top and lay.lines[t[1]].text_y + self._fm.height() <= bottom]
        for hint, (target, li, x) in zip(hint_labels(len(targets)), targets):
            self._hints[hint] = target
            self._hint_pos[hint] = (x, lay.lines[li].text_y + 1)  # on the word's top edge
        self.viewport().update()
        return dict(self._hints)

    def hide_hints(self) -> None:
        """Remove the hints."""
        self._hide_hints_quietly()
        self.viewport().update()

    def pick_hint(self, typed: str) -> object | None:
        """Narrow the hints to those starting with ``typed``; when ``typed`` is a whole hint,
        hide the hints and return its target (else ``None``; no hint left also hides them)."""
        typed = typed.lower()
        target = self._hints.get(typed)
        if target is not None:
            self.hide_hints()
            return target
        self._hints = {h: t for h, t in self._hints.items() if h.startswith(typed)}
        self._hint_pos = {h: p for h, p in self._hint_pos.items() if h in self._hints}
        self.viewport().update()
        return None

    def hints(self) -> dict[str, object]:
        """The hints shown (hint -> target), empty when none."""
        return dict(self._hints)

    def _hide_hints_quietly(self) -> None:
        self._hints, self._hint_pos = {}, {}

    def _tokens_between(self, lo: int, hi: int) -> tuple:
        toks = self._tokens
        i = token_index_at(toks, lo) if toks else 0
        j = i
        while j < len(toks) and toks[j][0] < hi:
            j += 1
        return toks[i:j]

    # -- selection -----------------------------------------------------------------------------
    def selected_key(self) -> ItemKey | None:
        return self._selected

    def selected_item(self) -> ViewSpan | None:
        return self._lay.by_key.get(self._selected) if self._selected is not None else None

    def text_selection(self) -> tuple[int, int] | None:
        """The selected text range (token-snapped unless made with Alt), or ``None``."""
        return self._sel

    def selected_relation(self) -> ViewRelation | None:
        """The relation picked by clicking its label (or in the relations table)."""
        if self._selected_rel is None:
            return None
        return next((r for r in self._lay.relations if r.id == self._selected_rel), None)

    def select_relation(self, rel_id: int | None) -> None:
        rel = next((r for r in self._lay.relations if r.id == rel_id), None)
        self._selected_rel = rel.id if rel is not None else None
        self._selected = self._sel = None
        if rel is not None:
            head = self._lay.end_items(rel)[0]
            if head is not None:
                self.ensure_visible(head.start, head.end)
        self._focus_changed()
        self.selectionChanged.emit()

    def select_item(self, key: ItemKey | None, ensure_visible: bool = True) -> None:
        if key is not None and key not in self._lay.by_key:
            key = None
        self._selected_rel = None
        self._selected = key
        self._sel = None
        item = self._lay.by_key.get(key) if key is not None else None
        if item is not None:
            self._anchor = item.start
            if ensure_visible:
                self.ensure_visible(item.start, item.end)
        self._focus_changed()
        self.selectionChanged.emit()

    def select_span_id(self, span_id: int) -> None:
        self.select_item(("span", span_id))

    def set_text_selection(self, start: int, end: int, snap: bool = True) -> None:
        """Select text (snapped to tokens unless ``snap`` is false)."""
        start, end = max(0, min(start, end)), min(len(self.text), max(start, end))
        if end <= start:
            self.clear_selection()
            return
        if snap:
            start, end = self._snap(start, end)
        self._sel = (start, end)
        self._selected = self._selected_rel = None
        self._anchor = start
        self.ensure_visible(start, end)
        self._focus_changed()
        self.selectionChanged.emit()

    def clear_selection(self) -> None:
        changed = self._sel is not None or self._selected is not None or self._selected_rel is not None
        self._sel = self._selected = self._selected_rel = None
        self._focus_changed()
        if changed:
            self.selectionChanged.emit()

    def _focus_changed(self) -> None:
        """The selection moved: the "selected" relation filter follows it."""
        if self._lay.relation_filter == "selected":
            self._relayout_relations()
        else:
            self.viewport().update()

    def _sync_focus(self) -> None:
        lay = self._lay
        item = self.selected_item()
        lay.focus_ids = set()
        lay.focus_keys = set()
        if item is not None:
            lay.focus_keys.add(item.key)
            if item.id is not None and not item.suggestion:
                lay.focus_ids.add(item.id)
        if self._relation_head is not None:
            lay.focus_ids.add(self._relation_head)
        lay.focus_rel = self._selected_rel

    def _snap(self, start: int, end: int) -> tuple[int, int]:
        return caret.snap(self.text, self._tokens, start, end)

    def next_item(self, forward: bool = True, spans_only: bool = False) -> None:
        """Select the next (or previous) span or suggestion after the current position.

        ``spans_only`` skips suggestions (picking the child of a relation).
        """
        items = [s for s in self.items if not s.suggestion] if spans_only else self.items
        if not items:
            return
        cur = self.selected_item()
        if cur is not None:
            try:
                i = items.index(cur)
            except ValueError:
                i = -1
            j = (i + (1 if forward else -1)) % len(items)
        else:
            pos = self._sel[0] if self._sel else (self._anchor if self._anchor is not None else -1)
            starts = [s.start for s in items]
            if forward:
                j = (bisect.bisect_right(starts, pos) if pos >= 0 else 0) % len(items)
            else:
                j = bisect.bisect_left(starts, max(pos, 0)) - 1
        self.select_item(items[j].key)

    # token caret (keyboard creation of spans) ------------------------------------------------
    def _token_bounds(self) -> list[tuple[int, int]]:
        return caret.word_tokens(self.text, self._tokens)

    def move_token(self, step: int, extend: bool = False) -> None:
        """Move the token caret (or extend the selection) by ``step`` tokens."""
        toks = self._token_bounds()
        if not toks:
            return
        it = self.selected_item()
        if self._sel is not None:
            s, e = self._sel
        elif it is not None:
            s, e = it.start, it.end
        elif self._anchor is not None:
            s = e = self._anchor
        else:
            self.set_text_selection(*toks[self._first_visible_token(toks)], snap=False)
            return
        self.set_text_selection(*caret.step_selection(toks, s, e, step, extend), snap=False)

    def resized_bounds(self, item: ViewSpan, edge: str, step: int) -> tuple[int, int] | None:
        """``item``'s offsets with its ``edge`` ("start" or "end") moved by ``step`` tokens.

        ``None`` when it cannot move that way (the start of the text, or a span of one token
        that would become empty).
        """
        return caret.resized_bounds(self._token_bounds(), item.start, item.end, edge, step)

    def move_line(self, step: int) -> None:
        """Move the token caret to the line above or below."""
        lay = self._lay
        toks = self._token_bounds()
        if not toks or not lay.lines:
            return
        it = self.selected_item()
        pos = self._sel[0] if self._sel else (it.start if it is not None else None)
        if pos is None:
            self.move_token(1)
            return
        li = lay.line_of(pos)
        x = lay.x_of(pos, li)
        lj = max(0, min(len(lay.lines) - 1, li + step))
        line = lay.lines[lj]
        p = lay.tl.cursor_at_x(lj, x)
        p = max(line.start, min(p, max(line.start, line.end - 1)))
        k = min(token_index_at(self._tokens, p), len(self._tokens) - 1)
        t = self._tokens[k]
        if self.text[t[0]:t[1]].isspace():
            k2 = bisect.bisect_left([a for a, _ in toks], t[1])
            t = toks[min(k2, len(toks) - 1)]
        self.set_text_selection(t[0], t[1], snap=False)

    def _first_visible_token(self, toks: list[tuple[int, int]]) -> int:
        lay = self._lay
        li = lay.row_at_y(self.verticalScrollBar().value())
        if li < len(lay.lines):
            return min(bisect.bisect_left([t[0] for t in toks], lay.lines[li].start), len(toks) - 1)
        return 0

    # -- layout --------------------------------------------------------------------------------
    def _relayout(self) -> None:
        self._sync_focus()
        self._lay.relayout(self.viewport().width())
        self._update_scrollbar()

    def _relayout_relations(self) -> None:
        self._sync_focus()
        self._lay.relayout_relations(self.viewport().width())
        self._update_scrollbar()
        self.viewport().update()

    def update_annotations(self, remove: Iterable[ItemKey] = (), add: Iterable[ViewSpan] = (),
                           remove_relations: Iterable[int] = (), add_relations: Iterable[ViewRelation] = ()) -> None:
        """Change some spans/suggestions and relations (a changed one is removed and added again).

        Only what changed is laid out again (see :mod:`ui.view.incremental`), and only the part
        of the view that changed is repainted.
        """
        dropped: list[bool] = []

        def changed() -> None:
            dropped.append(self._drop_stale_selection())
            self._sync_focus()

        res = self._lay.update(remove, add, remove_relations, add_relations, self.viewport().width(), changed)
        if res is None:
            self._update_scrollbar()
            self.viewport().update()
        else:
            ys, to_end = res
            if to_end:
                self._update_scrollbar()
            self._repaint_rows(ys, to_end)
        if dropped and dropped[0]:
            self.selectionChanged.emit()

    def _repaint_rows(self, ys: list[tuple[float, float]], to_end: bool = False) -> None:
        """Schedule a repaint of the document band covering ``ys`` (document y ranges)."""
        if not ys and not to_end:
            return
        dy = self._dy()
        vh = self.viewport().height()
        top = min((a for a, _ in ys), default=dy) - 10
        bottom = dy + vh if to_end else max(b for _, b in ys) + 10
        y1, y2 = max(0, int(top - dy)), min(vh, int(bottom - dy) + 1)
        if y2 > y1:
            self.viewport().update(QRect(0, y1, self.viewport().width(), y2 - y1))

    def _drop_stale_selection(self) -> bool:
        """Forget a selected span/relation that is gone; True when something was dropped."""
        lay = self._lay
        dropped = False
        if self._selected is not None and self._selected not in lay.by_key:
            self._selected = None
            dropped = True
        if self._relation_head is not None and self._relation_head not in lay.span_by_id:
            self._relation_head = None
        if lay.preview is not None and not lay.has_ends(lay.preview):
            lay.preview = None
        if self._selected_rel is not None and not any(r.id == self._selected_rel for r in lay.relations):
            self._selected_rel = None
            dropped = True
        return dropped

    def _update_scrollbar(self) -> None:
        vs = self.verticalScrollBar()
        vh = self.viewport().height()
        vs.setPageStep(max(1, vh))
        vs.setSingleStep(int(self._fm.height() * 2))
        vs.setRange(0, max(0, int(self._lay.height - vh)))

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        if self._lay.lines and self._lay.width != self.viewport().width():
            self._relayout()
        else:
            self._update_scrollbar()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(720, 520)

    def showEvent(self, e) -> None:  # noqa: N802 - Qt API
        super().showEvent(e)
        it = self.selected_item()
        pos = self._sel if self._sel is not None else (it.start, it.end) if it is not None else None
        if pos is not None:  # what was selected before the view was shown comes into view now
            if self._lay.needs_relayout(self.viewport().width()):
                self._relayout()
            self.ensure_visible(*pos)

    def changeEvent(self, e: QEvent) -> None:  # noqa: N802 - Qt API
        if e.type() == QEvent.Type.PaletteChange:  # a dark desktop theme: repaint in its colours
            self.viewport().update()
        super().changeEvent(e)

    # -- hit testing (viewport coordinates) ----------------------------------------------------
    def _dy(self) -> int:
        return self.verticalScrollBar().value()

    def char_at(self, point: QPoint | QPointF) -> int:
        """The text position (between characters) nearest ``point``."""
        lay = self._lay
        if not lay.lines:
            return 0
        li = lay.row_at_y(point.y() + self._dy())
        ln = lay.lines[li]
        return max(ln.start, min(lay.tl.cursor_at_x(li, point.x()), ln.end))

    def char_rect(self, pos: int) -> QRect:
        """The box of the character at ``pos`` in viewport coordinates."""
        lay = self._lay
        li = lay.line_of(pos)
        ln = lay.lines[li]
        x1 = lay.x_of(pos, li)
        x2 = lay.x_of(min(pos + 1, ln.end), li) if pos + 1 <= ln.end else x1 + 4
        if x2 <= x1:
            x2 = x1 + 4
        return QRectF(x1, ln.text_y - self._dy(), x2 - x1, self._fm.height()).toRect()

    def point_for_char(self, pos: int) -> QPoint:
        """A point (viewport coordinates) whose nearest position is just before character ``pos``."""
        lay = self._lay
        li = lay.line_of(pos)
        x = lay.x_of(pos, li)
        return QPoint(int(round(x)), int(lay.lines[li].text_y - self._dy() + self._fm.height() / 2))

    def _vp(self, r: Rect) -> QRectF:
        return qrect(r).translated(0, -self._dy())

    def span_rects(self, key: ItemKey) -> list[QRectF]:
        """The boxes drawn for a span or suggestion (viewport coordinates)."""
        sp = self._lay.by_key.get(key)
        return [] if sp is None else [self._vp(self._lay.frag_rect(sp, f)) for f in sp.frags]

    def tag_rect(self, key: ItemKey) -> QRectF | None:
        sp = self._lay.by_key.get(key)
        r = sp.tag_rect if sp is not None else None
        return None if r is None else self._vp(r)

    def relation_label_rects(self, rel_id: int) -> list[QRectF]:
        for r in self._lay.visible_relations():
            if r.id == rel_id:
                self._lay.ensure_route(r)
                return [self._vp(x) for x in r.label_rects]
        return []

    def relation_at(self, point: QPoint | QPointF) -> ViewRelation | None:
        """The relation whose label is under ``point`` (viewport coordinates)."""
        lay = self._lay
        px, py = point.x(), point.y() + self._dy()
        for r in lay.visible_relations():
            yr = r.y_range
            if r.preview or yr is None or not (yr[0] - 20 <= py <= yr[1] + 20):
                continue
            lay.ensure_route(r)
            if any(lr.contains(px, py) for lr in r.label_rects):
                return r
            g = self._gutter_label(r)
            if g is not None and g[0].contains(px, py):
                return r
        return None

    def _gutter_label(self, r: ViewRelation) -> tuple[Rect, str] | None:
        dy = self._dy()
        return self._lay.gutter_label(r, dy, dy + self.viewport().height())

    def gutter_label_rect(self, rel_id: int) -> QRectF | None:
        """The gutter label of a relation whose ends are both off screen (viewport coordinates)."""
        for r in self._lay.visible_relations():
            if r.id == rel_id:
                self._lay.ensure_route(r)
                g = self._gutter_label(r)
                return None if g is None else self._vp(g[0])
        return None

    def find_item(self, start: int, end: int, label: str | None = None, suggestion: bool = False) -> ViewSpan | None:
        """The shown span (or suggestion) with exactly these offsets (and label, when given)."""
        for sp in self._lay.items_between(start, start):
            if sp.start == start and sp.end == end and sp.suggestion == suggestion and label in (None, sp.label):
                return sp
        return None

    def ensure_visible(self, start: int, end: int | None = None) -> None:
        lay = self._lay
        if not lay.lines or not self.isVisible():  # not shown yet: its size is not the real one
            return
        ln = lay.lines[lay.line_of(start)]
        vs = self.verticalScrollBar()
        vh = self.viewport().height()
        if ln.top < vs.value():
            vs.setValue(int(ln.top))
        elif ln.bottom > vs.value() + vh:
            vs.setValue(int(ln.bottom - vh + 8))

    # -- painting ------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        p = QPainter(self.viewport())
        dy = self._dy()
        key = (self._lay.lines_version, self._zoom)
        if key != self._text_cache_key:  # new lines or another font: shape the text again
            self._text_cache, self._text_cache_key = {}, key
        state = PaintState(self.selected_item(), self._sel, self._drag_span(), self._edge_preview,
                           self._relation_head, self._selected_rel, self._hint_pos, self._placeholder,
                           self._text_cache, self._patterns)
        paint_document(p, self._lay, state, Theme.from_palette(self.palette()), self._font, self._tag_font,
                       QRectF(event.rect()).translated(0, dy), dy, self.viewport().height())
        p.end()

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802 - Qt API
        self.viewport().update()
