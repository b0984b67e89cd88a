"""Commands that only read never change a project file, and can read one they cannot write.

``stats``, ``export``, ``agreement`` and the files ``merge`` brings in are opened read-only: the
file keeps its bytes and its journal mode (no switch to WAL, no ``-wal``/``-shm`` beside it), and
a project in a folder the user may not write is read all the same.
"""

from __future__ import annotations

import io
import os
import shutil
import sqlite3
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.tokenize import tokenize
from corpus.model import Document, DocumentStatus, Span
from corpus.store import Store

TEXTS = ["Alice Smith met Bob in Paris today.", "Carol flew to Rome with Dana."]


def _project(path: Path) -> bytes:
    """Two annotators' work on two documents, in a rollback-journal (not WAL) file."""
    with Store(path) as s:
        for i, text in enumerate(TEXTS):
            tokens, sents = tokenize(text)
            d = s.add_document(Document(text=text, name=f"doc{i}.txt", tokens=tokens, sents=sents))
            for person in ("alice", "bob"):
                s.add_annotator(person)
                s.add_span(Span(d, person, 0, 5, "PERSON"))
                s.set_status(d, person, DocumentStatus.DONE)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    return path.read_bytes()


def _run(argv: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue() + err.getvalue()


COMMANDS = {
    "stats": lambda p, tmp: ["stats", str(p), "--json"],
    "export": lambda p, tmp: ["export", str(p), str(tmp / "out"), "--format", "jsonl", "--layer", "alice"],
    "agreement": lambda p, tmp: ["agreement", str(p), "--json"],
    "merge source": lambda p, tmp: ["merge", str(tmp / "team.db"), str(p), "--create"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_reading_command_leaves_the_project_file_exactly_as_it_was(command: str, tmp_path: Path) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    path = folder / "p.db"
    before = _project(path)
    code, output = _run(COMMANDS[command](path, tmp_path))
    assert code == 0, output
    assert path.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["p.db"]


def _as_a_user_who_cannot_write(folder: Path, argv: list[str]) -> tuple[int, str]:
    """Run the command as "nobody" (root ignores permissions) or with the folder made read-only."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            return _run(argv)
        finally:
            folder.chmod(0o755)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            os.setgid(65534)
            os.setuid(65534)
            code, output = _run(argv)
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            code, output = 99, f"{type(exc).__name__}: {exc}"
        os.write(write_end, f"{code}\n{output}".encode())
        os._exit(0)
    os.close(write_end)
    data = b""
    while chunk := os.read(read_end, 65536):
        data += chunk
    os.waitpid(pid, 0)
    code_text, _, output = data.decode().partition("\n")
    return int(code_text), output


@pytest.mark.parametrize("command", ["stats", "agreement", "export"])
def test_a_project_in_a_folder_the_user_cannot_write_is_read(command: str) -> None:
    folder = Path(tempfile.mkdtemp(prefix="ro-project-"))
    out = Path(tempfile.mkdtemp(prefix="ro-out-"))
    folder.chmod(0o755)
    out.chmod(0o777)  # the export goes to a folder the user may write
    path = folder / "p.db"
    with Store(path) as s:  # a WAL project, as the program writes it
        d = s.add_document(Document(text=TEXTS[0], name="doc0.txt", tokens=tokenize(TEXTS[0])[0]))
        for person in ("alice", "bob"):
            s.add_annotator(person)
            s.add_span(Span(d, person, 0, 5, "PERSON"))
            s.set_status(d, person, DocumentStatus.DONE)
    before = path.read_bytes()
    try:
        code, output = _as_a_user_who_cannot_write(folder, COMMANDS[command](path, out))
        assert code == 0, output
        assert "readonly" not in output and "read-only" not in output
        assert path.read_bytes() == before
        assert sorted(p.name for p in folder.iterdir()) == ["p.db"]
    finally:
        shutil.rmtree(folder)
        shutil.rmtree(out)
