"""One ``QUndoCommand`` for any edit (edits are data, see :mod:`annotator.edits`).

The edit is applied *before* the command is pushed (so a refused edit never reaches the undo
stack); the command keeps the inverse. ``undo`` applies the inverse and keeps what it returns
(the edit again, with any ids the store handed out), ``redo`` applies that, and so on.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from annotator.edits import Edit
from corpus.store import Store

__all__ = ["EditCommand"]


class EditCommand(QUndoCommand):
    """Wraps one applied edit: holds its inverse, swaps on undo/redo."""

    def __init__(self, store_getter: Callable[[], Store], edit: Edit, inverse: Edit,
                 on_applied: Callable[[Edit, bool, "EditCommand"], None], on_error: Callable[[BaseException], None],
                 doc_id: int | None = None) -> None:
        super().__init__(getattr(edit, "description", "Edit"))
        self._store = store_getter
        self._forward: Edit = edit
        self._inverse: Edit = inverse
        self._first = True
        self._on_applied = on_applied
        self._on_error = on_error
        #: the document shown when the edit was made (undo brings it back on screen)
        self.doc_id = doc_id

    @property
    def edit(self) -> Edit:
        """The edit as it would be (re)applied."""
        return self._forward

    @property
    def inverse(self) -> Edit:
        """The edit that undoes it."""
        return self._inverse

    def redo(self) -> None:  # noqa: D401 - Qt API
        if self._first:  # already applied by AppState.apply
            self._first = False
            return
        try:
            self._inverse = self._forward.apply(self._store())
        except Exception as exc:  # the store changed under us (another program?)
            self.setObsolete(True)
            self._on_error(exc)
            return
        self._on_applied(self._forward, False, self)

    def undo(self) -> None:  # noqa: D401 - Qt API
        try:
            self._forward = self._inverse.apply(self._store())
        except Exception as exc:
            self.setObsolete(True)
            self._on_error(exc)
            return
        self._on_applied(self._inverse, True, self)
