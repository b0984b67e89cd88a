"""Work around a PySide6 6.12 reference-count bug on Python < 3.12.

PySide6 6.12's bindings return ``None`` from void C++ methods (``QPainter.drawLine``,
``QTextLine.setLineWidth``, ``QRectF.moveTop``...) without taking a reference to it: they assume
``None`` is immortal, which it is only from Python 3.12 (PEP 683). On Python 3.11 each such
call drops ``None``'s reference count by one, and after some tens of thousands of calls -- a
few minutes of painting -- the interpreter aborts with "Fatal Python error: none_dealloc".

:func:`keep_none_alive` gives ``None`` a reference count so large that it cannot reach zero,
which is what Python 3.12 does anyway. It is applied when this module is imported; every
module of the window imports it (through :mod:`ui.state`, :mod:`ui.worker`, :mod:`ui.errors`).
"""

from __future__ import annotations

import ctypes
import sys

__all__ = ["keep_none_alive", "none_refcount_leaks"]

_BIG = 1 << 52


def keep_none_alive() -> None:
    """Make ``None`` effectively immortal on Python < 3.12 (a no-op on newer versions)."""
    if sys.version_info >= (3, 12):
        return
    ref = ctypes.c_ssize_t.from_address(id(None))
    if ref.value < _BIG // 2:
        ref.value += _BIG


def none_refcount_leaks(calls: int = 100) -> int:
    """How many references to ``None`` 'calls' void Qt calls lose (0 when PySide is fixed)."""
    from PySide6.QtCore import QRectF

    r = QRectF(0, 0, 1, 1)
    before = sys.getrefcount(None)
    for _ in range(calls):
        r.moveTop(1.0)
    return before - sys.getrefcount(None)


keep_none_alive()
