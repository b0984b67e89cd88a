"""`annotator stats` shows how good each suggester is against each person's finished work."""

from __future__ import annotations

from pathlib import Path

from annotator.cli import main
from corpus.model import Document, Span
from corpus.store import Store


def test_stats_table_shows_suggester_precision_recall_f1(tmp_path: Path, capsys) -> None:
    path = tmp_path / "p.db"
    with Store(path) as s:
        d = s.add_document(Document(text="Alice met Bob in Paris.", name="a"))
        s.add_annotator("alice")
        s.add_spans([Span(d, "model:m@1", 0, 5, "PERSON"), Span(d, "model:m@1", 17, 22, "ORG")])
        s.mark_suggested([d], "model:m@1")
        s.add_spans([Span(d, "alice", 0, 5, "PERSON"), Span(d, "alice", 10, 13, "PERSON")])
        s.set_status(d, "alice", "done")
    assert main(["stats", str(path)]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("model:m@1") and "alice" in line)
    # one of two suggestions right, one of two of alice's spans found
    assert row.split()[-3:] == ["0.500", "0.500", "0.500"]
