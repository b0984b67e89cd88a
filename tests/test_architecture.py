"""The layers point down (ui -> annotator -> corpus) and only corpus/store writes SQL."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_linter_contracts_are_kept() -> None:
    from importlinter.cli import lint_imports

    # lint_imports reads [tool.importlinter] from pyproject.toml in the working directory.
    import os

    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        assert lint_imports(no_cache=True) == 0
    finally:
        os.chdir(cwd)


SQL_CALL = re.compile(r"\.execute\(|sqlite3\.connect|sqlite_utils\.Database\(")


def test_only_the_store_writes_sql() -> None:
    offenders = []
    for pkg in ("corpus", "annotator", "ui"):
        for path in (ROOT / pkg).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if rel.startswith("corpus/store/"):
                continue
            if SQL_CALL.search(path.read_text(encoding="utf-8")):
                offenders.append(rel)
    assert offenders == []


def test_lower_layers_never_import_qt() -> None:
    pattern = re.compile(r"^\s*(from|import)\s+(PySide6|ui)(\.|\s|$)", re.M)
    offenders = [
        p.relative_to(ROOT).as_posix()
        for pkg in ("corpus", "annotator")
        for p in (ROOT / pkg).rglob("*.py")
        if pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []
