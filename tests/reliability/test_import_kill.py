"""kill -9 of ``annotator import`` at random moments (issue 14): the project file passes
``integrity_check`` and holds exactly what it held before or everything the import adds; a
killed creating import leaves no project or a complete one, and its private file is removed by
the next creating import. Two creating imports racing on a new path both land."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 5


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "annotator", *args]


def _run(*args: str) -> float:
    t0 = time.monotonic()
    subprocess.run(_cmd(*args), env=_env(), check=True, capture_output=True, timeout=300)
    return time.monotonic() - t0


def _kill_at(delay: float, *args: str) -> int | None:
    proc = subprocess.Popen(_cmd(*args), env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        proc.wait(delay)
        return proc.returncode  # finished before the kill
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        return None


def _dump(db: Path) -> str:
    con = sqlite3.connect(db)
    try:
        return "\n".join(con.iterdump())
    finally:
        con.close()


def _content(db: Path) -> tuple:
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        docs = tuple(r[0] for r in con.execute("SELECT hash FROM documents ORDER BY hash"))
        spans = con.execute("SELECT count(*) FROM spans").fetchone()[0]
        labels = tuple(r[0] for r in con.execute("SELECT name FROM labels ORDER BY name"))
        fts = con.execute("SELECT count(*) FROM documents_fts").fetchone()[0]
        return docs, spans, labels, fts
    finally:
        con.close()


def _corpus(path: Path, n: int, seed: int) -> Path:
    rnd = random.Random(seed)
    words = "leaders met in paris on monday and talked about trade rules for a long time".split()
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            text = " ".join(rnd.choice(words) for _ in range(40)).capitalize() + f" Number {i}."
            fh.write(json.dumps({"text": text, "label": [[0, 5, "THING"]], "meta": {"i": i}}) + "\n")
    return path


@pytest.fixture(scope="module")
def setting(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("import_kill")
    base = tmp / "base.db"
    _run("import", str(base), str(_corpus(tmp / "small.jsonl", 20, 1)), "--quiet")
    big = _corpus(tmp / "big.jsonl", 3000, 2)
    full = tmp / "full.db"
    shutil.copy(base, full)
    seconds = _run("import", str(full), str(big), "--quiet")
    new = tmp / "new.db"
    _run("import", str(new), str(big), "--quiet")
    return {"tmp": tmp, "base": base, "big": big, "seconds": seconds,
            "after": _content(full), "new": _content(new)}


def test_import_killed_at_random_moments_is_all_or_nothing(setting: dict) -> None:
    tmp, base, big = setting["tmp"], setting["base"], setting["big"]
    before_dump, before = _dump(base), _content(base)
    rnd = random.Random(14)
    outcomes = []
    for i in range(ROUNDS):
        work = tmp / f"work{i}.db"
        shutil.copy(base, work)
        delay = rnd.uniform(0.2, setting["seconds"] * 1.05)
        rc = _kill_at(delay, "import", str(work), str(big), "--quiet")
        state = _content(work)
        assert state in (before, setting["after"]), f"round {i}: killed at {delay:.2f}s, half an import"
        if state == before:
            assert _dump(work) == before_dump
        outcomes.append((round(delay, 2), rc, "after" if state == setting["after"] else "before"))
    print(outcomes)


def test_a_killed_creating_import_leaves_nothing_or_everything(setting: dict) -> None:
    tmp, big = setting["tmp"], setting["big"]
    rnd = random.Random(41)
    for i in range(ROUNDS):
        folder = tmp / f"create{i}"
        folder.mkdir()
        project = folder / "p.db"
        delay = rnd.uniform(0.2, setting["seconds"] * 1.05)
        _kill_at(delay, "import", str(project), str(big), "--quiet")
        if project.exists():
            assert _content(project) == setting["new"], f"round {i}: killed at {delay:.2f}s"
        small = folder / "one.txt"
        small.write_text("One more text.\n", encoding="utf-8")
        _run("import", str(project), str(small), "--quiet")
        assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) == []


def test_two_creating_imports_racing_on_a_new_path_both_land(setting: dict) -> None:
    tmp = setting["tmp"]
    folder = tmp / "race"
    folder.mkdir()
    a = _corpus(folder / "a.jsonl", 400, 3)
    b = _corpus(folder / "b.jsonl", 400, 4)
    project = folder / "p.db"
    procs = [subprocess.Popen(_cmd("import", str(project), str(src), "--quiet"), env=_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for src in (a, b)]
    results = [p.communicate(timeout=300) + (p.returncode,) for p in procs]
    assert [r[2] for r in results] == [0, 0], results
    docs, spans, _labels, fts = _content(project)
    assert len(docs) == 800 and spans == 800 and fts == 800
    assert sorted(p.name for p in folder.iterdir()) == ["a.jsonl", "b.jsonl", "p.db"]
