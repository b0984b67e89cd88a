"""benchmarks/effort.py plays a keyboard session on the real window and meets its goals."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_effort_session_reaches_the_gold_in_few_keys(tmp_path):
    name = "startup-raises-series-b-in-berlin"
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "effort.py"), "--text", str(ROOT / "seeds" / f"{name}.txt"),
         "--gold", str(ROOT / "tests" / "data" / "effort" / f"{name}.jsonl"), "--db", str(tmp_path / "e.db"), "--json"],
        capture_output=True, text=True, timeout=300, cwd=ROOT)
    fig = json.loads(out.stdout.strip().splitlines()[-1])
    assert fig["matches_gold"] and fig["ghosts_left"] == 0
    assert fig["keys_per_entity"] <= 1.1 and fig["keys_per_relation"] <= 5
    assert fig["keys_per_missed_entity"] is None or fig["keys_per_missed_entity"] <= 6
    from corpus.store import Store
    with Store(tmp_path / "e.db") as st:  # left there, done, in the layer "effort"
        d = st.document_ids()[0]
        assert st.status(d, "effort").value == "done" and st.spans(d, "effort")
