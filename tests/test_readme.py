"""The README's commands are the ones that are run: CI runs its test command as written."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _fenced_commands(text: str) -> list[str]:
    return [block.strip() for block in re.findall(r"```\n(.*?)```", text, re.S)]


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_cmd = next(c for c in _fenced_commands(readme) if "pytest" in c and "\n" not in c)
    assert test_cmd in ci.splitlines()


def test_readme_start_command_installs_and_opens_the_demo() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = next(c for c in _fenced_commands(readme) if c.endswith("annotator demo"))
    assert "pip install -e ." in start
