"""``annotator merge`` killed with SIGKILL at random moments: all or nothing, never damaged.

Each round copies the same project, starts a merge of two annotators' files in a subprocess,
kills it at a random moment while it works, and then checks that SQLite finds the file intact
(``PRAGMA integrity_check``) and that the project is exactly as before the merge or exactly as
after an uninterrupted one (timestamps aside), and that the sources were never changed.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from corpus.model import Document, DocumentStatus, Span
from corpus.store import Store
from corpus.store.reports import dump_project

N_DOCS = 400
ROUNDS = 6

MERGE = """
import sys
from annotator.cli import main
import annotator.commands.merge_cmd, annotator.merge
print("ready", flush=True)
sys.exit(main(["merge", *sys.argv[1:]]))
"""

_STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")


def _text(i: int) -> str:
    return f"Article {i}: Alice Smith met Bob Jones in Paris on day {i} of the trial."


def _annotator_file(path: Path, name: str, offset: int) -> None:
    with Store(path) as s:
        s.add_annotator(name)
        ids = [d for d, _ in s.add_documents(Document(text=_text(i), name=f"a{i}.txt") for i in range(N_DOCS))]
        s.add_spans(
            Span(d, name, start, end, label)
            for d in ids
            for start, end, label in ((offset, offset + 7, "MISC"), (17, 28, "PERSON"), (33, 42, "PERSON"))
        )
        for d in ids[::2]:
            s.set_status(d, name, DocumentStatus.DONE)


def _normalised(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """The project's every row, timestamps replaced (an uninterrupted run has other clocks)."""
    with Store(path, read_only=True) as s:
        dump = dump_project(s)
    return {
        table: sorted((tuple("T" if isinstance(v, str) and _STAMP.match(v) else v for v in row) for row in rows),
                      key=repr)
        for table, rows in dump.items()
    }


def _integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


@pytest.mark.slow
def test_merge_killed_at_random_moments_leaves_before_or_after(tmp_path: Path) -> None:
    base = tmp_path / "team.db"
    with Store(base) as s:
        s.add_documents(Document(text=_text(i), name=f"team{i}.txt") for i in range(0, N_DOCS, 3))
    alice, bob = tmp_path / "alice.db", tmp_path / "bob.db"
    _annotator_file(alice, "alice", 0)
    _annotator_file(bob, "bob", 8)
    sources = {p: p.read_bytes() for p in (alice, bob)}

    reference = tmp_path / "reference.db"
    shutil.copy(base, reference)
    done = subprocess.Popen([sys.executable, "-c", MERGE, str(reference), str(alice), str(bob)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert done.stdout is not None and done.stdout.readline().strip() == "ready"
    started = time.monotonic()
    _out, err = done.communicate(timeout=120)
    duration = time.monotonic() - started  # the merge itself, from "ready" to its exit
    assert done.returncode == 0, err
    before, after = _normalised(base), _normalised(reference)
    assert before != after

    rng = random.Random(14)
    seen = set()
    for round_ in range(ROUNDS):
        project = tmp_path / f"round{round_}.db"
        shutil.copy(base, project)
        proc = subprocess.Popen([sys.executable, "-c", MERGE, str(project), str(alice), str(bob)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, duration))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
        proc.stdout.close()
        assert proc.stderr is not None
        proc.stderr.close()
        assert _integrity(project) == "ok"
        state = _normalised(project)
        assert state in (before, after), f"round {round_}: a state between before and after"
        seen.add("after" if state == after else "before")
        for path, content in sources.items():
            assert path.read_bytes() == content, f"{path.name} was changed by the merge"
    assert "before" in seen  # at least one kill landed while the merge was at work
