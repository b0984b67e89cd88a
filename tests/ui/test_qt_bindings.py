"""The installed Qt bindings do not corrupt the interpreter while painting.

PySide6 6.12.0 on Python < 3.12 drops a reference to ``None`` on every call of a void C++
method; after some tens of thousands of paint calls the interpreter aborts
("none_dealloc"). pyproject.toml excludes that release; this test fails if a broken one is
installed again.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QRectF


def test_void_qt_calls_keep_none_references_balanced() -> None:
    rect = QRectF(0, 0, 1, 1)
    before = sys.getrefcount(None)
    for i in range(1000):
        rect.moveTop(float(i))
    lost = before - sys.getrefcount(None)
    assert lost < 50, f"{lost} references to None lost in 1000 void Qt calls"
