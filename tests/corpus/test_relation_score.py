"""A relation's score (a suggester's confidence): the model, the store and the schema 3 -> 4
migration that adds the ``score`` column to ``relations``."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from corpus.model import Document, Relation, Span
from corpus.store import SCHEMA_VERSION, Store

LAYER = "model:project@1"


def _doc(s: Store) -> int:
    return s.add_document(Document(text="Alice met Bob in Paris.", tokens=((0, 5), (6, 9), (10, 13), (14, 16), (17, 22), (22, 23))))


def test_a_relation_without_a_score_is_built_as_before_and_a_score_is_part_of_its_value() -> None:
    plain = Relation(1, "alice", 10, 11, "met")  # positional, as every caller writes it
    assert plain.score is None and plain == Relation(doc_id=1, layer="alice", head=10, child=11, label="met")
    scored = Relation(1, LAYER, 10, 11, "met", source=LAYER, score=0.75)
    assert scored.score == 0.75 and scored != Relation(1, LAYER, 10, 11, "met", source=LAYER)
    assert len({scored, Relation(1, LAYER, 10, 11, "met", source=LAYER, score=0.75)}) == 1


def test_the_store_keeps_a_relations_score(tmp_path: Path) -> None:
    with Store(tmp_path / "p.db") as s:
        d = _doc(s)
        a, b, c = s.add_spans([Span(d, LAYER, 0, 5, "PERSON"), Span(d, LAYER, 10, 13, "PERSON"), Span(d, LAYER, 17, 22, "GPE")])
        met, lives = s.add_relations([Relation(d, LAYER, a.id, b.id, "met", score=0.875),
                                      Relation(d, LAYER, b.id, c.id, "lives_in")])
        assert (met.score, lives.score) == (0.875, None)
        assert s.get_relation(met.id) == met and s.get_relation(met.id).score == 0.875
        assert [r.score for r in s.relations(d, LAYER)] == [0.875, None]
        span, removed = s.delete_span(a.id)  # what undo re-adds keeps its score
        assert [r.score for r in removed] == [0.875]
        s.add_span(span)
        assert s.add_relations(removed)[0].score == 0.875 and s.get_relation(met.id).score == 0.875


def test_a_schema_3_project_opens_migrated_with_every_relation(tmp_path: Path) -> None:
    """A project written before relations had a score (schema 3) is backed up, migrated and
    keeps every relation (without a score); a score written afterwards is kept."""
    path = tmp_path / "old.db"
    with Store(path) as s:
        d = _doc(s)
        a, b, c = s.add_spans([Span(d, "alice", 0, 5, "PERSON"), Span(d, "alice", 10, 13, "PERSON"),
                               Span(d, "alice", 17, 22, "GPE")])
        s.add_relations([Relation(d, "alice", a.id, b.id, "met"), Relation(d, "alice", b.id, c.id, "lives_in")])
    con = sqlite3.connect(path)
    con.execute("ALTER TABLE relations DROP COLUMN score")
    con.execute("PRAGMA user_version = 3")
    con.commit()
    con.close()
    with Store(path) as s:
        assert s.schema_version == SCHEMA_VERSION == 4
        assert s.backup_path is not None and s.backup_path.exists()
        rels = s.relations()
        assert [(r.layer, r.head, r.child, r.label, r.score) for r in rels] == [
            ("alice", a.id, b.id, "met", None), ("alice", b.id, c.id, "lives_in", None)]
        x, y = s.add_spans([Span(d, LAYER, 0, 5, "PERSON"), Span(d, LAYER, 10, 13, "PERSON")])
        assert s.add_relation(Relation(d, LAYER, x.id, y.id, "met", score=0.5)).score == 0.5
        assert s.count_relations() == 3
    old = sqlite3.connect(Path(f"{path}.v3.bak"))
    assert old.execute("SELECT count(*) FROM relations").fetchone()[0] == 2
    old.close()
