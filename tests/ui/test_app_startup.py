"""Startup: what lives as long as the process is kept out of the garbage collector's full passes."""

from __future__ import annotations

import gc
import weakref

from ui import app


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def test_startup_objects_are_frozen_once_and_later_garbage_is_still_collected() -> None:
    app.freeze_startup_objects()
    frozen = gc.get_freeze_count()
    assert frozen > 0  # the modules and classes loaded so far
    a, b = _Node(), _Node()
    a.other, b.other = b, a  # a cycle made after startup: only the collector frees it
    alive = weakref.ref(a)
    app.freeze_startup_objects()  # a second window: nothing more is frozen
    assert gc.get_freeze_count() == frozen
    del a, b
    gc.collect()
    assert alive() is None
