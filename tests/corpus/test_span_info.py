"""Knowledge-base ids and attributes on spans: the model, the store and the schema migration."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from corpus.errors import AnnotationError
from corpus.model import Document, Span
from corpus.store import SCHEMA_VERSION, Store


def _doc(s: Store) -> int:
    return s.add_document(Document(text="Alice met Bob in Paris.", tokens=((0, 5), (6, 9), (10, 13), (14, 16), (17, 22), (22, 23))))


def test_a_span_keeps_its_kb_id_and_attributes_hashable_and_keyed_by_offsets() -> None:
    a = Span(1, "alice", 0, 5, "PERSON", kb_id="Q1", attributes={"Negated": True, "Speculation": "low"})
    b = Span(1, "alice", 0, 5, "PERSON")
    assert a.attributes == (("Negated", True), ("Speculation", "low"))
    assert a.attrs == {"Negated": True, "Speculation": "low"}
    assert hash(a) != 0 and {a, b} == {a, b}
    assert a.key == b.key == (0, 5, "PERSON")
    with pytest.raises(ValueError, match="text or true/false"):
        Span(1, "alice", 0, 5, "PERSON", attributes={"n": 3})  # type: ignore[dict-item]


def test_the_store_keeps_kb_ids_and_attributes_and_edits_them(tmp_path: Path) -> None:
    with Store(tmp_path / "p.db") as s:
        d = _doc(s)
        sp = s.add_span(Span(d, "alice", 0, 5, "PERSON", kb_id="Q1", attributes={"Negated": True}))
        assert s.get_span(sp.id).kb_id == "Q1" and s.get_span(sp.id).attrs == {"Negated": True}
        assert s.spans(d, "alice")[0].attributes == (("Negated", True),)
        changed = s.set_span_info(sp.id, "Q2", {"Speculation": "high"})
        assert changed.kb_id == "Q2" and s.get_span(sp.id).attrs == {"Speculation": "high"}
        with pytest.raises(AnnotationError, match="no span"):
            s.set_span_info(9999, "Q3", {})


def test_a_project_from_before_kb_ids_opens_migrated_with_every_span(tmp_path: Path) -> None:
    """A schema-1 project (spans without kb_id/attributes columns) is backed up, migrated and
    keeps every span; the new columns then hold what is written."""
    path = tmp_path / "old.db"
    with Store(path) as s:
        d = _doc(s)
        s.add_spans([Span(d, "alice", 0, 5, "PERSON"), Span(d, "alice", 17, 22, "GPE"), Span(d, "bob", 10, 13, "PERSON")])
    con = sqlite3.connect(path)
    con.execute("ALTER TABLE spans DROP COLUMN kb_id")
    con.execute("ALTER TABLE spans DROP COLUMN attributes")
    con.execute("PRAGMA user_version = 1")
    con.commit()
    con.close()
    with Store(path) as s:
        assert s.schema_version == SCHEMA_VERSION
        assert s.backup_path is not None and s.backup_path.exists()
        spans = s.spans()
        assert [(x.layer, x.start, x.end, x.label, x.kb_id, x.attributes) for x in spans] == [
            ("alice", 0, 5, "PERSON", "", ()), ("bob", 10, 13, "PERSON", "", ()), ("alice", 17, 22, "GPE", "", ())]
        s.set_span_info(spans[0].id, "Q7", {"Negated": True})
        assert s.get_span(spans[0].id).kb_id == "Q7"
    old = sqlite3.connect(Path(f"{path}.v1.bak"))
    assert old.execute("SELECT count(*) FROM spans").fetchone()[0] == 3
    old.close()
