"""A creating import never deletes a project file it did not write alone (issue 14, item 1)."""

from __future__ import annotations

from pathlib import Path

import pytest

import annotator.importing as importing
from annotator.cli import main
from corpus.store import Store


def _docs(project: Path) -> list[str]:
    with Store(project, create=False) as s:
        return sorted(d.text.strip() for d in s.iter_documents())


def test_a_failing_creating_import_keeps_what_another_import_committed(tmp_path: Path, monkeypatch, capsys) -> None:
    project = tmp_path / "new.db"
    other = tmp_path / "other.txt"
    other.write_text("Another program imported this.\n", encoding="utf-8")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "one"}\n{"text": "two"\n', encoding="utf-8")
    real = importing.expand_paths
    ran: list[int] = []

    def expand_after_another_import(paths, fmt="auto", warnings=None, *rest):
        # While this creating import gets going, another import commits into the same path.
        if not ran:
            ran.append(-1)
            ran[0] = main(["import", str(project), str(other), "--quiet"])
        return real(paths, fmt, warnings, *rest)

    monkeypatch.setattr(importing, "expand_paths", expand_after_another_import)
    assert main(["import", str(project), str(bad)]) == 2
    assert ran == [0]
    assert "bad.jsonl, line 2: broken JSON" in capsys.readouterr().err
    assert _docs(project) == ["Another program imported this."]
    assert not [p for p in tmp_path.iterdir() if ".creating-" in p.name]


def test_a_creating_import_that_loses_the_race_imports_into_the_winner(tmp_path: Path, monkeypatch, capsys) -> None:
    project = tmp_path / "new.db"
    first = tmp_path / "first.txt"
    first.write_text("The first import.\n", encoding="utf-8")
    second = tmp_path / "second.txt"
    second.write_text("The second import.\n", encoding="utf-8")
    real = importing.expand_paths
    ran: list[int] = []

    def expand_after_another_import(paths, fmt="auto", warnings=None, *rest):
        if not ran:
            ran.append(-1)
            ran[0] = main(["import", str(project), str(first), "--quiet"])
        return real(paths, fmt, warnings, *rest)

    monkeypatch.setattr(importing, "expand_paths", expand_after_another_import)
    assert main(["import", str(project), str(second), "--quiet"]) == 0
    assert ran == [0]
    assert _docs(project) == ["The first import.", "The second import."]
    assert not [p for p in tmp_path.iterdir() if ".creating-" in p.name]


def test_a_killed_creating_imports_private_file_is_removed_by_the_next_one(tmp_path: Path) -> None:
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    left = [tmp_path / f".new.db.creating-{proc.pid}-0badc0de{s}" for s in ("", "-wal", "-shm")]
    for f in left:
        f.write_bytes(b"half a project")
    src = tmp_path / "a.txt"
    src.write_text("Text.\n", encoding="utf-8")
    assert main(["import", str(tmp_path / "new.db"), str(src), "--quiet"]) == 0
    assert not any(f.exists() for f in left)
    assert _docs(tmp_path / "new.db") == ["Text."]


@pytest.mark.parametrize("interrupt", [KeyboardInterrupt, RuntimeError])
def test_an_interrupted_creating_import_leaves_no_file(tmp_path: Path, monkeypatch, interrupt) -> None:
    import annotator.commands.import_cmd as import_cmd

    def boom(*_a, **_k):
        raise interrupt("stop")

    monkeypatch.setattr(import_cmd, "place_new", boom)
    src = tmp_path / "a.txt"
    src.write_text("Text.\n", encoding="utf-8")
    if interrupt is KeyboardInterrupt:
        assert main(["import", str(tmp_path / "new.db"), str(src)]) == 130
    else:
        with pytest.raises(RuntimeError):
            main(["import", str(tmp_path / "new.db"), str(src)])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]
