"""The store under an unlucky user: another program's lock, a rival creator, a failed creation.

Every edit a person can make, run while another *process* holds the write lock, must fail with
the one-line, retryable "locked" error and change nothing; an import that created a new project
and then failed must never delete what another program has put into (or still holds open in)
that file.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.edits import AddSpan, Batch, DeleteSpan, Relabel, Reject, SetStatus, Unreject
from corpus.errors import InputError, ProjectLockedError
from corpus.model import Document, DocumentStatus, Span
from corpus.store import Store
from corpus.store.reports import dump_project

TEXT = "Alice Smith met Bob in Paris."

HOLD_LOCK = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("UPDATE settings SET value = value")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("ROLLBACK")
"""


def _project(path: Path) -> tuple[int, int]:
    with Store(path) as s:
        d = s.add_document(Document(text=TEXT, name="a1", tokens=((0, 5), (6, 11), (12, 15), (16, 19))))
        sp = s.add_span(Span(d, "alice", 0, 11, "PERSON"))
        s.add_rejection(d, "alice", 23, 28, "ORG")
    return d, sp.id or 0


def test_edits_while_another_process_holds_the_lock_fail_clearly_and_change_nothing(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    d, sp = _project(path)
    edits = [
        AddSpan(Span(d, "alice", 16, 19, "PERSON")),
        DeleteSpan(sp),
        Relabel(sp, "ORG"),
        SetStatus(d, "alice", DocumentStatus.DONE),
        Reject(d, "alice", 16, 19, "PERSON"),
        Unreject(d, "alice", 23, 28, "ORG"),
        Batch((SetStatus(d, "alice", DocumentStatus.IN_PROGRESS), AddSpan(Span(d, "alice", 23, 28, "GPE")))),
    ]
    store = Store(path, busy_timeout=0.1)
    before = dump_project(store)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        for edit in edits:
            with pytest.raises(ProjectLockedError, match="locked by another program") as info:
                edit.apply(store)
            assert "\n" not in str(info.value)
            assert not store.in_transaction
        assert dump_project(store) == before
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(10)
    undo = [edit.apply(store) for edit in edits[:1]]  # the same edit works once the lock is gone
    assert [s.key for s in store.spans(d, "alice")] == [(0, 11, "PERSON"), (16, 19, "PERSON")]
    undo[0].apply(store)
    store.close()


def _failing_import(project: Path, while_failing) -> int:  # type: ignore[no-untyped-def]
    """Run ``annotator import`` into a new ``project`` whose job calls ``while_failing()`` (another
    program at work in the file) and then fails on a bad line."""
    import annotator.importing as importing

    real = importing.import_job

    def job(store, paths, **kwargs):  # type: ignore[no-untyped-def]
        while_failing()
        raise InputError(paths[0], "not valid JSON", line=3)
        yield  # pragma: no cover - a generator, like the real job

    importing.import_job = job
    try:
        bad = project.parent / "bad.jsonl"
        bad.write_text('{"text": "ok"}\n{"text": "ok too"}\n{not json\n', encoding="utf-8")
        return main(["import", str(project), str(bad), "--quiet"])
    finally:
        importing.import_job = real


def test_a_failed_creating_import_keeps_what_another_program_committed(tmp_path: Path) -> None:
    project = tmp_path / "new.db"

    def other_imports() -> None:
        with Store(project) as other:
            other.add_documents([Document(text=f"Document number {i}.", name=f"d{i}") for i in range(100)])

    assert _failing_import(project, other_imports) != 0
    with Store(project, create=False) as s:
        assert s.count_documents() == 100


def test_a_failed_creating_import_does_not_pull_the_file_from_under_another_writer(tmp_path: Path) -> None:
    project = tmp_path / "new.db"
    others: list[Store] = []

    def other_opens() -> None:
        others.append(Store(project))  # opened, nothing committed yet (a long import under way)

    assert _failing_import(project, other_opens) != 0
    other = others[0]
    other.add_documents([Document(text=f"Document number {i}.", name=f"d{i}") for i in range(50)])
    other.close()
    with Store(project, create=False) as s:
        assert s.count_documents() == 50


def test_a_failed_creating_import_alone_leaves_no_file(tmp_path: Path) -> None:
    project = tmp_path / "new.db"
    assert _failing_import(project, lambda: None) != 0
    assert list(tmp_path.iterdir()) == [tmp_path / "bad.jsonl"]


IMPORT = """
import sys, time
from annotator.cli import main
import annotator.commands.import_cmd, annotator.importing
time.sleep(max(0.0, float(sys.argv[3]) - time.time()))  # both start at the same instant
sys.exit(main(["import", sys.argv[1], sys.argv[2], "--quiet"]))
"""


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.0, 0.3])
def test_two_imports_racing_into_a_new_path_lose_nothing(tmp_path: Path, delay: float) -> None:
    """One import is large, the other fails on a bad line; both start on a missing file."""
    project = tmp_path / "new.db"
    good = tmp_path / "good.jsonl"
    good.write_text(
        "".join(json.dumps({"text": f"Article {i}: Alice met Bob in Paris on day {i}."}) + "\n" for i in range(3000)),
        encoding="utf-8",
    )
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "fine"}\n{broken\n', encoding="utf-8")
    start = time.time() + 4.0  # after both have imported the program
    procs = [
        subprocess.Popen([sys.executable, "-c", IMPORT, str(project), str(good), str(start)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True),
        subprocess.Popen([sys.executable, "-c", IMPORT, str(project), str(bad), str(start + delay)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True),
    ]
    results = [(p.wait(120), *p.communicate()) for p in procs]
    (good_rc, good_out, good_err), (bad_rc, _bad_out, bad_err) = results
    assert bad_rc != 0 and len(bad_err.strip().splitlines()) == 1, bad_err
    if good_rc == 0:  # what it said it added is there
        assert "3000" in good_out
        with Store(project, create=False) as s:
            assert s.count_documents() == 3000
    else:  # it may only fail with one clear line, never after claiming success
        assert len(good_err.strip().splitlines()) == 1 and not good_out.strip(), good_err

