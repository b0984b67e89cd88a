"""Exports land all at once (issue 14, item 3): staged beside OUT, swapped in by one exchange,
what OUT held besides the export kept, staging of killed exports removed by the next export;
a damaged span is refused naming its document (item 10)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import annotator.export_staging as staging
from annotator.export import export
from corpus.errors import ExportError
from corpus.model import Document, Span
from corpus.store import Store


def _project(n: int = 3, label: str = "PERSON") -> Store:
    st = Store(":memory:")
    for i in range(n):
        d = st.add_document(Document(text=f"Person number {i} met Bob.", name=f"doc{i}"))
        st.add_span(Span(doc_id=d, layer="gold", start=0, end=6, label=label))
    return st


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.mark.parametrize("fmt", ["brat", "spacy"])
def test_a_new_export_replaces_the_old_one_and_keeps_what_else_out_holds(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / "out"
    export(_project(3), out, fmt)
    (out / "README.md").write_text("my notes", encoding="utf-8")
    (out / "visual.conf").write_text("[labels]\n", encoding="utf-8")
    (out / "sub").mkdir()
    (out / "sub" / "keep.txt").write_text("kept", encoding="utf-8")
    os.symlink("README.md", out / "link")
    os.chmod(out, 0o750)
    report = export(_project(5, "ORG"), out, fmt)
    after = _snapshot(out)
    assert after["README.md"] == b"my notes" and after["sub/keep.txt"] == b"kept"
    assert after["visual.conf"] == b"[labels]\n" and os.readlink(out / "link") == "README.md"
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o750
    assert report.documents == 5
    assert sorted(str(Path(f).relative_to(out)) for f in report.files) == sorted(
        n for n in after if n not in ("README.md", "visual.conf", "sub/keep.txt", "link"))
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".export-")]
    assert not [p for p in out.iterdir() if p.name.startswith(".export-")]


def test_a_failure_at_the_exchange_leaves_the_old_export_whole(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "out"
    export(_project(3), out, "brat")
    before = _snapshot(out)

    def broken(a: Path, b: Path) -> bool:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(staging, "exchange_folders", broken)
    with pytest.raises(ExportError, match="cannot write the export .*No space left"):
        export(_project(5, "ORG"), out, "brat")
    assert _snapshot(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".export-")]


def test_stale_staging_of_killed_exports_is_removed_by_the_next_export(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    dead = _dead_pid()
    old_layout = out / ".export-k2j3h4"  # the earlier version staged inside OUT, without a pid
    beside = tmp_path / f".export-{dead}-abcd1234"
    live = tmp_path / f".export-{os.getppid()}-live0000"  # a running export of another process
    for folder in (old_layout, beside, live):
        folder.mkdir()
        (folder / "train.spacy").write_bytes(b"half")
    export(_project(2), out, "spacy")
    assert not old_layout.exists() and not beside.exists()
    assert live.exists()
    assert sorted(p.name for p in out.iterdir()) == ["config.cfg", "dev.spacy", "train.spacy"]


def test_exporting_into_the_working_folder_lands_in_place(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "here"
    out.mkdir()
    (out / "notes.txt").write_text("x")
    monkeypatch.chdir(out)
    export(_project(2), ".", "spacy")
    assert Path.cwd() == out.resolve() and (out / "train.spacy").exists() and (out / "notes.txt").exists()
    assert not [p for p in out.iterdir() if p.name.startswith(".export-")]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".export-")]


@pytest.mark.parametrize("fmt", ["spacy", "jsonl", "conll", "brat"])
def test_a_span_outside_its_text_is_refused_naming_the_document(tmp_path: Path, fmt: str) -> None:
    st = _project(3)
    st.db.execute('UPDATE spans SET "end" = 500 WHERE doc_id = 2')  # what a damaged file holds
    with pytest.raises(ExportError, match=r"document 'doc1': span 0-500 'PERSON' of layer 'gold' is outside its text"):
        export(st, tmp_path / "out", fmt)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".export-")]


def test_exporting_next_to_the_project_file_keeps_it_working(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    st = Store(db)
    d = st.add_document(Document(text="Person A met Bob.", name="a"))
    st.add_span(Span(doc_id=d, layer="gold", start=0, end=6, label="PERSON"))
    export(st, tmp_path, "brat")  # OUT is the folder holding the open project file
    export(st, tmp_path, "brat")
    d2 = st.add_document(Document(text="Written after the export.", name="b"))  # still the same file
    st.close()
    with Store(db, create=False) as again:
        assert again.get_document(d2).text == "Written after the export."
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.ann", "a.txt", "annotation.conf", "p.db"]
