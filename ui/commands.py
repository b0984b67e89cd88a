"""One ``QUndoCommand`` for any edit (edits are data, see :mod:`annotator.edits`).

The edit is applied *before* the command is pushed (so a refused edit never reaches the undo
stack); the command keeps the inverse. Undo and redo work on the project file *before* the
stack moves: :meth:`AppState.undo` asks the command to :meth:`EditCommand.apply_undo` (nothing
about the command changes until the store said yes), then :meth:`EditCommand.settle` records
the outcome and the stack's own ``undo()`` call becomes a no-op. A store that refuses (another
program holds the write lock) leaves the stack where it was: the step is kept, to try again.

When something drives the ``QUndoStack`` directly (a test, a ``QUndoView``), ``undo``/``redo``
do the work themselves; if the store refuses then, the command puts the stack back by posting
the opposite move, which it then skips.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtGui import QUndoCommand

from annotator.changes import Changes
from annotator.edits import Edit, apply_edit
from corpus.store import Store

__all__ = ["EditCommand", "leaves"]


class EditCommand(QUndoCommand):
    """Wraps one applied edit: holds its inverse, swaps on undo/redo."""

    def __init__(self, store_getter: Callable[[], Store], edit: Edit, inverse: Edit,
                 on_applied: Callable[[Changes, "EditCommand"], None],
                 on_error: Callable[[BaseException], None], doc_id: int | None = None) -> None:
        super().__init__(getattr(edit, "description", "Edit"))
        self._store = store_getter
        self._forward: Edit = edit
        self._inverse: Edit = inverse
        self._skip = True  # already applied by AppState.apply: the push's redo() does nothing
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

    # -- the store first, then the stack ---------------------------------------------------
    def apply_undo(self) -> tuple[Edit, Changes]:
        """Apply the inverse to the store; returns the edit that redoes it and what changed.
        The command itself is unchanged until :meth:`settle`."""
        return apply_edit(self._store(), self._inverse)

    def apply_redo(self) -> tuple[Edit, Changes]:
        """Apply the edit again; returns its new inverse and what changed."""
        return apply_edit(self._store(), self._forward)

    def settle(self, undone: bool, result: Edit) -> None:
        """Record a successful :meth:`apply_undo` (``undone``) or :meth:`apply_redo`; the stack's
        next ``undo()``/``redo()`` call on this command only moves the stack."""
        if undone:
            self._forward = result
        else:
            self._inverse = result
        self._skip = True

    # -- Qt API ----------------------------------------------------------------------------
    def redo(self) -> None:  # noqa: D401 - Qt API
        self._move(undo=False)

    def undo(self) -> None:  # noqa: D401 - Qt API
        self._move(undo=True)

    def _move(self, undo: bool) -> None:
        if self._skip:
            self._skip = False
            return
        try:
            result, changes = self.apply_undo() if undo else self.apply_redo()
        except Exception as exc:  # the store refused: put the stack back, keep the step
            stack = getattr(self, "stack", None)
            self._skip = True
            if stack is not None:
                QTimer.singleShot(0, stack.redo if undo else stack.undo)
            self._on_error(exc)
            return
        self.settle(undo, result)
        self._skip = False
        self._on_applied(changes, self)


def leaves(cmd: QUndoCommand) -> list[EditCommand]:
    """The edit commands inside ``cmd`` (itself, or a macro's children), in the order applied."""
    if isinstance(cmd, EditCommand):
        return [cmd]
    out: list[EditCommand] = []
    for i in range(cmd.childCount()):
        out.extend(leaves(cmd.child(i)))
    return out
