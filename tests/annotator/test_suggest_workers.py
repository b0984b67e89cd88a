"""``annotator suggest --n-process N`` leaves no worker behind (issue 14, fault 7): SIGTERM stops
the command and its workers, keeping finished batches; kill -9 of the command takes the workers
with it. Run in subprocesses (slow)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from corpus.model import Document, Label
from corpus.store import Store
from annotator.tokenize import tokenize

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to find the workers"),
]

ROOT = Path(__file__).resolve().parents[2]

# A suggester slow enough to be caught mid-run, run through the real command line.
SCRIPT = textwrap.dedent(
    """
    import sys, time
    from dataclasses import dataclass
    from annotator.cli import main
    from annotator.suggesters import registry

    @dataclass(frozen=True)
    class Slow:
        layer: str = "model:slow@1"
        priority: int = 15
        parallel: bool = True

        def fingerprint(self):
            return "slow"

        def suggest(self, documents):
            time.sleep(0.3)
            return [[(0, 5, "PERSON")] for _ in documents]

    registry.register("slow", priority=15, owns=lambda layer: layer == "model:slow@1")(lambda ctx: [Slow()])
    sys.exit(main(["suggest", sys.argv[1], "--no-model", "--n-process", "2", "--batch-size", "1"]))
    """
)


def children(pid: int) -> set[int]:
    """Processes whose parent is ``pid``."""
    out = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            out.add(int(entry.name))
    return out


def alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_until(cond, timeout: float = 30.0) -> bool:  # noqa: ANN001
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.05)
    return False


def start(tmp_path: Path) -> tuple[subprocess.Popen[bytes], Path, set[int]]:
    db = tmp_path / "p.db"
    with Store(db) as store:
        store.set_labels([Label("PERSON")])
        for i in range(200):
            text = f"Alice number {i} was here."
            toks, sents = tokenize(text)
            store.add_document(Document(text=text, name=f"d{i}", tokens=toks, sents=sents))
    script = tmp_path / "run.py"
    script.write_text(SCRIPT, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, str(script), str(db)], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert wait_until(lambda: len(children(proc.pid)) >= 2), "the workers never started"
    # let a few batches finish
    assert wait_until(lambda: _suggested(db) >= 2), "no batch was written"
    return proc, db, children(proc.pid)


def _suggested(db: Path) -> int:
    try:
        with Store(db) as store:
            return len(store.suggested_documents("model:slow@1"))
    except Exception:  # noqa: BLE001 - the writer may hold the file for a moment
        return 0


def test_sigterm_stops_the_command_and_its_workers_keeping_finished_batches(tmp_path: Path) -> None:
    proc, db, workers = start(tmp_path)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 143, err.decode()
    assert "terminated; finished batches were kept" in err.decode()
    assert "Traceback" not in err.decode()
    assert wait_until(lambda: not any(alive(w) for w in workers), 10), "workers outlived the command"
    kept = _suggested(db)
    assert 2 <= kept < 200


def test_kill_9_of_the_command_takes_its_workers_with_it(tmp_path: Path) -> None:
    proc, db, workers = start(tmp_path)
    proc.kill()
    proc.wait(timeout=30)  # not communicate(): a surviving worker would hold the pipes open
    assert wait_until(lambda: not any(alive(w) for w in workers), 10), "workers outlived the command"
    with Store(db) as store:  # what was committed is intact
        assert len(store.suggested_documents("model:slow@1")) >= 2
