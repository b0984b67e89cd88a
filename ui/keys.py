"""Moving in the document in a few keys: line and page keys, letter hints, "next of the kind".

:class:`Jumper` gives the window's navigation keys their meaning on a :class:`DocumentView`:

* Home / End: the first / last word of the caret's line; Ctrl+Home / Ctrl+End: of the text;
  Page Down / Page Up: a screenful of lines down / up (the caret stays on a word);
* hint jumping: J shows short letter hints on the visible words (Shift+J: on the visible spans);
  typing a hint's letters selects that word (or span). While hints are shown the letters go to
  them, not to the letter shortcuts (A, X, S...); Esc hides them;
* the next span of the same label as the selected one, the next undecided suggestion.

It only moves the selection: what a key then does to the selection is the controller's.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent

from ui.document_view import DocumentView, ItemKey
from ui.view.caret import word_tokens
from ui.view.hints import HINT_KEYS

__all__ = ["Jumper", "remember_zoom", "SETTINGS_ZOOM"]

#: QSettings key of the document's zoom factor
SETTINGS_ZOOM = "view/zoom"


def remember_zoom(view: DocumentView, settings) -> None:
    """Show ``view`` at the zoom last used, and remember each change (QSettings ``view/zoom``)."""
    try:
        z = float(settings.value(SETTINGS_ZOOM) or 1.0)
    except (TypeError, ValueError):
        z = 1.0
    view.set_zoom(z)
    view.zoomChanged.connect(lambda f: settings.setValue(SETTINGS_ZOOM, float(f)))


class Jumper(QObject):
    """Navigation keys of one view; ``landed(target)`` hears where a hint jump landed (an item
    key for spans, a ``(start, end)`` word for words), before the selection moves."""

    def __init__(self, view: DocumentView, message: Callable[[str], None],
                 landed: Callable[[object], bool] | None = None, parent: QObject | None = None,
                 escape_passes: Callable[[], bool] = lambda: False) -> None:
        super().__init__(parent)
        self.view = view
        self._message = message
        self._landed = landed
        self._escape_passes = escape_passes  # Esc also goes on to its shortcut (leaving relation mode)
        self._typed = ""
        view.installEventFilter(self)

    # -- line and page keys ------------------------------------------------------------------
    def _words(self) -> list[tuple[int, int]]:
        lay = self.view.doc_layout()
        return word_tokens(lay.text, lay.tokens)

    def _caret(self) -> int | None:
        sel = self.view.text_selection()
        if sel is not None:
            return sel[0]
        item = self.view.selected_item()
        return item.start if item is not None else None

    def _select_word(self, i: int, words: list[tuple[int, int]]) -> None:
        if words:
            a, b = words[max(0, min(i, len(words) - 1))]
            self.view.set_text_selection(a, b, snap=False)

    def line_edge(self, end: bool) -> None:
        """Home (``end`` false) or End: the first or last word of the caret's line."""
        words, lay = self._words(), self.view.doc_layout()
        pos = self._caret()
        if not words or not lay.lines:
            return
        if pos is None:
            self.view.move_token(1)
            pos = self._caret()
            if pos is None:
                return
        line = lay.lines[lay.line_of(pos)]
        starts = [a for a, _ in words]
        if end:
            self._select_word(bisect.bisect_left(starts, line.end) - 1, words)
        else:
            self._select_word(bisect.bisect_left(starts, line.start), words)

    def text_edge(self, end: bool) -> None:
        """Ctrl+Home (``end`` false) or Ctrl+End: the first or last word of the text."""
        words = self._words()
        self._select_word(len(words) - 1 if end else 0, words)

    def page(self, step: int) -> None:
        """Page Down (``step`` 1) or Page Up (-1): a screenful of lines."""
        lay, view = self.view.doc_layout(), self.view
        if not lay.lines:
            return
        dy = view.verticalScrollBar().value()
        rows = max(1, lay.row_at_y(dy + view.viewport().height()) - lay.row_at_y(dy) - 1)
        if self._caret() is None:
            view.move_token(1)
        view.move_line(step * rows)

    # -- next of the kind --------------------------------------------------------------------
    def _next(self, keep: Callable, forward: bool, what: str) -> None:
        items = [it for it in self.view.items if keep(it)]
        if not items:
            self._message(f"No {what}")
            return
        cur = self.view.selected_item()
        if cur is not None and cur in items:
            i = items.index(cur) + (1 if forward else -1)
            target = items[i % len(items)]
        else:
            pos = self._caret()
            pos = (-1 if forward else len(self.view.text) + 1) if pos is None else pos
            after = [it for it in items if it.start > pos] if forward else [it for it in items if it.start < pos]
            target = (after[0] if forward else after[-1]) if after else (items[0] if forward else items[-1])
        self.view.select_item(target.key)

    def next_same_label(self, forward: bool = True) -> None:
        """The next (previous) span or suggestion with the selected one's label."""
        cur = self.view.selected_item()
        if cur is None:
            self._message("Select a span first: this key goes to the next one with its label")
            return
        self._next(lambda it: it.label == cur.label and it.suggestion == cur.suggestion, forward,
                   f"other {cur.label}")

    def next_suggestion(self, forward: bool = True) -> None:
        """The next (previous) suggestion still to decide."""
        if not self.view.show_suggestions():
            self.view.set_show_suggestions(True)
        self._next(lambda it: it.suggestion, forward, "suggestion left to decide")

    # -- hints -------------------------------------------------------------------------------
    def show_hints(self, kind: str = "words") -> None:
        """Show letter hints on the visible ``"words"`` or ``"spans"``; typing one jumps there."""
        self._typed = ""
        if not self.view.show_hints(kind):
            self._message("Nothing to jump to on screen" if kind == "words" else "No span on screen")
            return
        self._message("Type the letters of a hint to jump there (Esc hides them)")

    def hinting(self) -> bool:
        """Hints are shown (letters go to them)."""
        return bool(self.view.hints())

    def _land(self, target: object) -> None:
        if self._landed is not None and self._landed(target):
            return
        if isinstance(target, tuple) and len(target) == 2 and all(isinstance(x, int) for x in target):
            self.view.set_text_selection(target[0], target[1], snap=False)
        else:
            self.view.select_item(target)  # an item key

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if obj is not self.view or event.type() not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            return False
        if not self.view.hints():
            return False
        assert isinstance(event, QKeyEvent)
        mods = event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier & ~Qt.KeyboardModifier.KeypadModifier
        text = event.text().lower()
        is_escape = event.key() == Qt.Key.Key_Escape
        if mods or not (is_escape or (len(text) == 1 and text in HINT_KEYS)):
            return False
        if is_escape and self._escape_passes():
            return False
        event.accept()
        if event.type() == QEvent.Type.ShortcutOverride:
            return True  # the key comes to the view as a key press, not to a shortcut
        if is_escape:
            self.view.hide_hints()
            self._typed = ""
            return True
        self._typed += text
        target = self.view.pick_hint(self._typed)
        if target is not None:
            self._typed = ""
            self._land(target)
        elif not self.view.hints():
            self._typed = ""
            self._message("No such hint")
        return True


def item_key(target: object) -> ItemKey | None:
    """``target`` when it is an item key (a span hint), else ``None``."""
    if isinstance(target, tuple) and target and isinstance(target[0], str):
        return target
    return None
