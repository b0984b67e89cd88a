"""ARCHITECTURE.md (and the README's code references) cannot drift from the code.

Every backticked file path the page names must exist, every ``tests/...py::test_name`` must be
a test in that file, and every dotted name under ``corpus``, ``annotator`` or ``ui`` must import
and resolve (module, then attributes: ``ui.state.AppState.apply``). A rename that forgets the
page fails here, naming what is gone. The README's command list must show every command and
every ``--option`` the parser has.
"""

from __future__ import annotations

import glob
import importlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("corpus", "annotator", "ui")

_FENCE = re.compile(r"^```.*?^```", re.S | re.M)
_CODE = re.compile(r"`([^`]+)`")  # inline code may wrap lines (Markdown allows it)
_PATH = re.compile(r"(?<![\w.~/-])((?:[\w.*-]+/)+[\w.*-]*)(?:::(\w+))?")
_COMMANDS = ("annotator ", "python ", "pip ", "sqlite3 ")
_FILE = re.compile(r"^[\w-]+\.(?:py|md|toml)$")
_DOTTED = re.compile(r"(?<![\w./:-])((?:%s)(?:\.[A-Za-z_]\w*)+)" % "|".join(PACKAGES))


@dataclass
class References:
    """What a Markdown text names: paths (with an optional test), dotted names."""

    paths: list[tuple[str, str | None]] = field(default_factory=list)
    names: list[str] = field(default_factory=list)


def references(markdown: str, all_paths: bool = True) -> References:
    """The paths and dotted names in the inline code of ``markdown`` (fenced blocks are left
    out). ``all_paths``: every ``a/b`` path is a repository path; otherwise only those under a
    folder the repository has (a README also names files a user makes)."""
    refs = References()
    for raw in _CODE.findall(_FENCE.sub("", markdown)):
        code = " ".join(re.sub(r"\.\s+(?=\w)", ".", raw).split())  # a name wrapped after a dot
        rest = code
        if code.startswith(_COMMANDS):
            continue  # a command line to type (its arguments are the user's files)
        if _FILE.match(code):
            refs.paths.append((code, None))
            continue
        for m in _PATH.finditer(code):
            path, test = m.group(1), m.group(2)
            top = path.split("/", 1)[0]
            if all_paths or (top and (ROOT / top).is_dir()):
                refs.paths.append((path, test))
            rest = rest.replace(m.group(0), " ")
        refs.names.extend(_DOTTED.findall(rest))
    return refs


def path_problem(path: str, test: str | None) -> str | None:
    """Why ``path`` (and ``test`` in it) is not in the repository, or ``None``."""
    hits = glob.glob(str(ROOT / path.rstrip("/")))
    if not hits:
        return f"{path}: no such file or folder"
    if path.endswith("/") and not Path(hits[0]).is_dir():
        return f"{path}: not a folder"
    if test is not None:
        source = Path(hits[0]).read_text(encoding="utf-8")
        if not re.search(rf"^def {re.escape(test)}\(", source, re.M):
            return f"{path}::{test}: no such test"
    return None


def _declared(cls: object, name: str) -> bool:
    """``name`` is an annotated attribute of the class ``cls`` (or of a base)."""
    return isinstance(cls, type) and any(name in vars(c).get("__annotations__", {}) for c in cls.__mro__)


def name_problem(dotted: str) -> str | None:
    """Why ``dotted`` does not resolve (longest importable module, then attributes), or ``None``."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        module_name = ".".join(parts[:cut])
        try:
            obj = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name is not None and (module_name + ".").startswith(exc.name + "."):
                continue  # this prefix is not a module: try a shorter one
            raise
        for i in range(cut, len(parts)):
            if hasattr(obj, parts[i]):
                obj = getattr(obj, parts[i])
            elif i == len(parts) - 1 and _declared(obj, parts[i]):
                return None  # a dataclass field or protocol attribute: declared, no class value
            else:
                return f"{dotted}: {type(obj).__name__} {'.'.join(parts[:i])} has no {parts[i]!r}"
        return None
    return f"{dotted}: no such module"


def problems(markdown: str, all_paths: bool = True) -> list[str]:
    refs = references(markdown, all_paths)
    out = [p for path, test in dict.fromkeys(refs.paths) if (p := path_problem(path, test))]
    out += [p for name in dict.fromkeys(refs.names) if (p := name_problem(name))]
    return out


def _read(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8")


def test_every_path_test_and_name_in_architecture_md_exists() -> None:
    assert problems(_read("ARCHITECTURE.md")) == []


def test_architecture_md_names_enough_to_be_checked() -> None:
    # the parser must actually see the page's references (a page with none checks nothing)
    refs = references(_read("ARCHITECTURE.md"))
    assert len(set(refs.names)) >= 60
    assert len(set(refs.paths)) >= 30
    tests = {path for path, test in refs.paths if test}
    # each extension point names the test that shows it
    for shown in ("test_import_registry.py", "test_suggest_registry.py", "test_agreement_measure_plugin.py",
                  "test_panels.py"):
        assert any(p.endswith(shown) for p in tests), shown


def test_the_readme_code_references_exist() -> None:
    assert problems(_read("README.md"), all_paths=False) == []


@pytest.mark.parametrize("text, expected", [
    ("`annotator.edits.no_such_edit`", "annotator.edits.no_such_edit: module annotator.edits has no 'no_such_edit'"),
    ("`ui.state.AppState.nothing`", "ui.state.AppState.nothing: "),
    ("`annotator.importing.ImportReport.nothing`", "annotator.importing.ImportReport.nothing: "),
    ("`annotator.nowhere.thing`", "annotator.nowhere.thing: module annotator has no 'nowhere'"),
    ("`corpus/store/gone.py`", "corpus/store/gone.py: no such file or folder"),
    ("`tests/test_readme.py::test_not_there`", "tests/test_readme.py::test_not_there: no such test"),
    ("a wrapped `annotator.edits.\ncheck_overlapp` name", "annotator.edits.check_overlapp: "),
])
def test_the_checker_finds_what_is_gone(text: str, expected: str) -> None:
    [problem] = problems(text)
    assert problem.startswith(expected)


def test_the_checker_accepts_what_exists() -> None:
    text = ("`annotator.edits.check_overlap` `ui.state.AppState.changed(Changes)` `corpus/store/` "
            "`annotator.importing.ImportReport.warnings` `annotator.suggesters.base.Suggester.layer` "
            "`tests/test_readme.py::test_ci_runs_the_readme_test_command` `annotator/export_*.py` "
            "`pyproject.toml` `model:<name>@<version>` `python -m ui` `annotator import p.db notes/`\n```\nannotator.not.checked\n```")
    assert problems(text) == []
    refs = references(text)
    assert refs.names == ["annotator.edits.check_overlap", "ui.state.AppState.changed",
                          "annotator.importing.ImportReport.warnings", "annotator.suggesters.base.Suggester.layer"]


def _readme_command_options() -> dict[str, set[str]]:
    """Each command of the README's command list and the ``--options`` its lines show."""
    readme = _read("README.md")
    start = readme.index("## The command line")
    block = readme[readme.index("```\n", start) + 4:readme.index("```", readme.index("```\n", start) + 4)]
    out: dict[str, set[str]] = {}
    command = None
    for line in block.splitlines():
        m = re.match(r"annotator (\w+)", line)
        if m:
            command = m.group(1)
        if command is not None:
            out.setdefault(command, set()).update(re.findall(r"--[a-z][a-z-]*", line))
    return out


def test_the_readme_command_list_shows_every_command_and_option() -> None:
    from annotator.cli import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(getattr(a, "choices", None), dict)).choices
    documented = _readme_command_options()
    assert sorted(documented) == sorted(commands)
    for name, sub in commands.items():
        real = {o for a in sub._actions for o in a.option_strings if o.startswith("--") and o != "--help"}
        assert documented[name] == real, name
