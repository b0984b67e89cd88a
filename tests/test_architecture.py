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


# ``importlib.import_module("ui.app")``, ``__import__("ui...")``, ``import_module(f"ui.{x}")``:
# an upward import hidden from import-linter
DYNAMIC_UI_IMPORT = re.compile(r"""(import_module|__import__)\(\s*f?["']ui(\.|["'])""")


def test_lower_layers_never_import_ui_by_name() -> None:
    offenders = [
        p.relative_to(ROOT).as_posix()
        for pkg in ("corpus", "annotator")
        for p in (ROOT / pkg).rglob("*.py")
        if DYNAMIC_UI_IMPORT.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_dynamic_import_check_catches_the_old_pattern() -> None:
    assert DYNAMIC_UI_IMPORT.search('return importlib.import_module("ui.app")')
    assert DYNAMIC_UI_IMPORT.search("__import__('ui')")
    assert not DYNAMIC_UI_IMPORT.search('importlib.import_module(f"annotator.commands.{name}")')


def test_the_gui_commands_run_the_window_as_its_own_program() -> None:
    import subprocess
    import sys

    code = (
        "import sys, annotator.cli as c\n"
        "from annotator.commands import gui_cmd\n"
        "c.build_parser()\n"
        "print(gui_cmd.window_command('p.db'), gui_cmd.window_command(demo=True))\n"
        "print(sorted(m for m in sys.modules if m == 'ui' or m.startswith(('ui.', 'PySide6'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    commands, loaded = out.splitlines()
    assert commands == str([sys.executable, "-m", "ui", "--", "p.db"]) + " " + str([sys.executable, "-m", "ui", "--demo"])
    assert loaded == "[]"  # the command line never loads the window's package, nor Qt


def test_every_package_is_shipped() -> None:
    """A package missing from pyproject's list works in an editable install and is silently
    left out of a real one (``pip install .``): every folder with an ``__init__.py`` is listed."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for pkg in ("corpus", "annotator", "ui")
        for init in (ROOT / pkg).rglob("__init__.py")
    }
    assert found - listed == set()
