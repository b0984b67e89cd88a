"""Set-up of every test session: a home folder of its own.

Qt's test mode keeps settings under ``$HOME/.qttest``; the window tests clear and write them
before and after each test. Two test runs at the same time under one user (two checkouts on one
machine) would otherwise share that file: one run clearing the settings in the middle of the
other's test made a window ask who is annotating, in a modal dialog nobody answers, and that
run hung. Each session gets a temporary home, removed when the session ends. Programs the tests
start inherit it.
"""

from __future__ import annotations

import os
import shutil
import tempfile

_HOME = tempfile.mkdtemp(prefix="corpuslabel-test-home-")
_REAL_HOME = os.environ.get("HOME")
os.environ["HOME"] = _HOME


def pytest_unconfigure(config) -> None:  # noqa: ARG001 - pytest hook signature
    """Give the real home back and remove the session's."""
    if _REAL_HOME is not None:
        os.environ["HOME"] = _REAL_HOME
    shutil.rmtree(_HOME, ignore_errors=True)
