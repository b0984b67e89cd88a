"""kill -9 of ``annotator export`` at random moments (issue 14, item 3): the output folder holds
either the earlier export or the new one, complete, never a mix; the next export removes the
staging a killed one left."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from corpus.model import Document, Span
from corpus.store import Store

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 4


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _export(db: Path, out: Path, fmt: str) -> list[str]:
    return [sys.executable, "-m", "annotator", "export", str(db), str(out), "--format", fmt, "--no-progress"]


def _snapshot(folder: Path) -> dict[str, str]:
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): hashlib.sha1(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _project(path: Path, n: int) -> None:
    with Store(path) as st:
        with st.transaction():
            for i in range(n):
                d = st.add_document(Document(text=f"Person {i} met Bob in Paris on day {i}.", name=f"doc{i:05d}"))
                st.add_span(Span(doc_id=d, layer="gold", start=0, end=6, label="PERSON"))


def _relabel(path: Path) -> None:
    with Store(path, create=False) as st:
        with st.transaction():
            for d in st.document_ids():
                st.add_span(Span(doc_id=d, layer="gold", start=len("Person 0 met "), end=len("Person 0 met Bob"),
                                 label="NAME"))


@pytest.mark.parametrize("fmt, n", [("brat", 1500), ("spacy", 300)])
def test_export_killed_at_random_moments_leaves_the_old_or_the_new_export(tmp_path: Path, fmt: str, n: int) -> None:
    db = tmp_path / "p.db"
    _project(db, n)
    old_out = tmp_path / "old"
    subprocess.run(_export(db, old_out, fmt), env=_env(), check=True, capture_output=True, timeout=300)
    old = _snapshot(old_out)
    (old_out / "README.md").write_text("kept across exports", encoding="utf-8")
    old = _snapshot(old_out)
    _relabel(db)
    new_out = tmp_path / "new"
    shutil.copytree(old_out, new_out)
    t0 = time.monotonic()
    subprocess.run(_export(db, new_out, fmt), env=_env(), check=True, capture_output=True, timeout=300)
    seconds = time.monotonic() - t0
    new = _snapshot(new_out)
    assert new != old and new["README.md"] == old["README.md"]
    rnd = random.Random(3)
    seen = []
    for i in range(ROUNDS):
        out = tmp_path / f"out{i}"
        shutil.copytree(old_out, out)
        delay = seconds * rnd.uniform(0.7, 1.15)  # the landing is at the end
        proc = subprocess.Popen(_export(db, out, fmt), env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            proc.wait(delay)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait(30)
        state = _snapshot(out)
        assert state in (old, new), f"round {i}: killed at {delay:.2f}s of {seconds:.2f}s, a mixed export"
        seen.append("new" if state == new else "old")
        # The next export lands whole and removes what the killed one left beside OUT (its
        # staging, or the old export swapped aside when the kill came after the landing).
        subprocess.run(_export(db, out, fmt), env=_env(), check=True, capture_output=True, timeout=300)
        assert _snapshot(out) == new
        assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".export-")]
        assert not [p.name for p in out.iterdir() if p.name.startswith(".export-")]
        shutil.rmtree(out)
    print(fmt, seconds, seen)
