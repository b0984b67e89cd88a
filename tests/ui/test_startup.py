"""The window is there at once: it paints before spaCy is imported (spaCy and the models load
in the background, in the suggesters' jobs)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from ui.startup import ENV_FIRST_PAINT

ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import sys
from PySide6.QtCore import QSettings
from ui.app import launch, make_app
make_app()
QSettings().setValue("annotator", "tester")
sys.exit(launch(sys.argv[1]))
"""


def test_window_paints_before_spacy_loads(project, tmp_path):
    env = {**os.environ, ENV_FIRST_PAINT: "quit", "QT_QPA_PLATFORM": "offscreen",
           "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    out = subprocess.run([sys.executable, "-c", CHILD, str(project)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    assert out.returncode == 0 and lines, out.stderr[-2000:]
    first = json.loads(lines[0])
    # the project opened on a document with no suggestions, so a background suggestion job
    # starts: still, nothing of spaCy was imported before the window painted
    assert first["spacy_loaded"] is False
