"""The project file: schema, constraints, transactions, versions, foreign files."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from corpus.errors import AnnotationError, NewerProjectError, NotAProjectError, ProjectError
from corpus.model import Document, DocumentStatus, Label, LabelKind, Relation, Span
from corpus.store import MIGRATIONS, SCHEMA_VERSION, Store


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "p.db")
    yield s
    s.close()


def _doc(store: Store, text: str = "Alice met Bob in Paris.", name: str = "d") -> int:
    return store.add_document(Document(text=text, name=name, tokens=((0, 5), (6, 9), (10, 13))))


def test_edit_is_on_disk_when_the_call_returns(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    s = Store(path)
    d = _doc(s)
    s.add_span(Span(d, "alice", 0, 5, "PERSON"))
    # A second, independent connection sees it at once: no commit left pending.
    other = Store(path)
    assert [sp.key for sp in other.spans(d, "alice")] == [(0, 5, "PERSON")]
    other.close()
    s.close()


def test_pragmas_foreign_keys_wal_busy_timeout(store: Store) -> None:
    assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000


def test_same_text_is_one_document(store: Store) -> None:
    a = store.add_documents([Document(text="Same text.", name="a")])
    b = store.add_documents([Document(text="Same text.", name="b")])
    assert a[0][1] is True and b[0][1] is False and a[0][0] == b[0][0]
    assert store.count_documents() == 1


def test_deleting_a_span_cascades_to_its_relations(store: Store) -> None:
    d = _doc(store)
    a = store.add_span(Span(d, "alice", 0, 5, "PERSON"))
    b = store.add_span(Span(d, "alice", 10, 13, "PERSON"))
    store.add_relation(Relation(d, "alice", a.id, b.id, "MET_WITH"))
    removed = store.delete_span(b.id)
    assert removed is not None and [r.label for r in removed[1]] == ["MET_WITH"]
    assert store.relations(d) == []


def test_relation_to_missing_span_is_refused(store: Store) -> None:
    d = _doc(store)
    a = store.add_span(Span(d, "alice", 0, 5, "PERSON"))
    with pytest.raises(AnnotationError, match="does not exist"):
        store.add_relation(Relation(d, "alice", a.id, 999, "MET_WITH"))


def test_relations_are_checked_against_their_spans_and_never_duplicated(store: Store) -> None:
    d = _doc(store)
    other = _doc(store, text="Another text.", name="e")
    a = store.add_span(Span(d, "alice", 0, 5, "PERSON"))
    b = store.add_span(Span(d, "alice", 10, 13, "PERSON"))
    bobs = store.add_span(Span(d, "bob", 10, 13, "PERSON"))
    elsewhere = store.add_span(Span(other, "alice", 0, 7, "ORG"))
    with pytest.raises(AnnotationError, match="points to a span of layer 'bob'"):
        store.add_relations([Relation(d, "alice", a.id, b.id, "MET_WITH"), Relation(d, "alice", a.id, bobs.id, "X")])
    with pytest.raises(AnnotationError, match=f"points to span {elsewhere.id}, which does not exist"):
        store.add_relation(Relation(d, "alice", a.id, elsewhere.id, "X"))
    assert store.relations() == []  # all or nothing
    first = store.insert_relations([Relation(d, "alice", a.id, b.id, "MET_WITH")])
    again = store.insert_relations([Relation(d, "alice", a.id, b.id, "MET_WITH", source="x")])
    assert first[0][1] is True and again[0][1] is False and again[0][0] == first[0][0]
    assert store.add_relation(Relation(d, "alice", a.id, b.id, "MET_WITH")) == first[0][0]
    assert store.count_relations() == 1


def test_insert_spans_says_which_spans_were_new(store: Store) -> None:
    d = _doc(store)
    (old, created), = store.insert_spans([Span(d, "alice", 0, 5, "PERSON")])
    assert created
    out = store.insert_spans([Span(d, "alice", 0, 5, "PERSON", source="again"), Span(d, "alice", 10, 13, "PERSON")])
    assert [c for _, c in out] == [False, True] and out[0][0] == old
    assert store.add_spans([Span(d, "alice", 0, 5, "PERSON")]) == [old]


def test_transaction_is_all_or_nothing(store: Store) -> None:
    d = _doc(store)
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.add_span(Span(d, "alice", 0, 5, "PERSON"))
            store.add_documents([Document(text="another")])
            raise RuntimeError("boom")
    assert store.spans(d) == [] and store.count_documents() == 1


def test_text_labels_and_names_are_data(store: Store) -> None:
    evil = "Robert'); DROP TABLE spans;-- <b>x</b>"
    d = store.add_document(Document(text=evil, name=evil, meta={"k": evil}))
    store.set_labels([Label(name=evil, kind=LabelKind.ENTITY)])
    store.add_annotator("o'brien")
    store.add_span(Span(d, "o'brien", 0, 6, evil))
    got = store.get_document(d)
    assert got.text == evil and got.name == evil and got.meta == {"k": evil}
    assert store.spans(d)[0].label == evil
    assert store.label_names("entity") == [evil]


def test_full_text_search_finds_words_and_ignores_fts_syntax(store: Store) -> None:
    a = store.add_document(Document(text="Blinken arrived in Baghdad.", name="one"))
    store.add_document(Document(text="Storm closes schools.", name="two"))
    assert store.search_documents("baghdad") == [a]
    assert store.search_documents('"unbalanced AND (') == []
    assert len(store.search_documents("")) == 2


def test_status_and_done_counts(store: Store) -> None:
    d = _doc(store)
    assert store.status(d, "alice") is DocumentStatus.TODO
    prev = store.set_status(d, "alice", DocumentStatus.DONE)
    assert prev is DocumentStatus.TODO
    assert store.done_documents("alice") == [d] and store.count_done("alice") == 1
    assert store.layer_summary()["alice"]["done"] == 1


def test_rename_label_updates_annotations(store: Store) -> None:
    d = _doc(store)
    store.set_labels([Label("PER"), Label("ORG")])
    store.add_span(Span(d, "alice", 0, 5, "PER"))
    store.rename_label("entity", "PER", "PERSON")
    assert store.spans(d)[0].label == "PERSON"
    assert store.label_names("entity") == ["PERSON", "ORG"]
    with pytest.raises(AnnotationError):
        store.rename_label("entity", "PERSON", "ORG")
    with pytest.raises(AnnotationError, match="used by 1"):
        store.delete_label("entity", "PERSON")


def test_restoring_a_span_keeps_its_id(store: Store) -> None:
    d = _doc(store)
    a = store.add_span(Span(d, "alice", 0, 5, "PERSON"))
    store.delete_span(a.id)
    again = store.add_span(a)
    assert again.id == a.id


def test_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(NotAProjectError, match="other.db"):
        Store(path)


def test_garbage_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("just some notes, not a database at all" * 100)
    with pytest.raises(NotAProjectError, match="notes.db"):
        Store(path)


def test_newer_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    s = Store(path)
    s.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    s.close()
    with pytest.raises(NewerProjectError, match="newer version"):
        Store(path)


def test_older_file_is_migrated_after_a_backup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "p.db"
    s = Store(path)
    _doc(s)
    s.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION - 1}")
    s.close()
    calls = []

    def step(db) -> None:  # a migration adds a column
        calls.append(1)
        db["documents"].add_column("source_url", str)

    monkeypatch.setitem(MIGRATIONS, SCHEMA_VERSION - 1, step)
    s = Store(path)
    assert calls == [1] and s.schema_version == SCHEMA_VERSION
    assert "source_url" in s.db["documents"].columns_dict
    backup = Path(f"{path}.v{SCHEMA_VERSION - 1}.bak")
    assert backup.exists()
    old = sqlite3.connect(backup)
    assert old.execute("SELECT count(*) FROM documents").fetchone()[0] == 1
    old.close()
    s.close()


def test_missing_migration_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    s = Store(path)
    s.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION - 1}")
    s.close()
    with pytest.raises(ProjectError, match="no migration"):
        Store(path)


def test_a_worker_thread_opens_its_own_connection(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    s = Store(path)
    d = _doc(s)
    seen: list[int] = []

    def work() -> None:
        w = Store(path)
        w.add_span(Span(d, "model:x@1", 0, 5, "PERSON"))
        seen.append(w.count_spans())
        w.close()

    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert seen == [1] and s.count_spans("model:x@1") == 1
    s.close()


def test_opening_a_foreign_file_does_not_change_it(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(NotAProjectError):
        Store(path)
    assert path.read_bytes() == before
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()


def test_a_foreign_file_with_our_table_names_is_refused_in_one_line(tmp_path: Path) -> None:
    """Another program's ``settings``/``documents`` tables whose ``app`` value is not JSON."""
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE settings (key TEXT, value TEXT)")
    conn.execute("CREATE TABLE documents (id INTEGER)")
    conn.execute("INSERT INTO settings VALUES ('app', 'their-app')")
    conn.commit()
    conn.close()
    with pytest.raises(NotAProjectError, match="other.db: not a project file"):
        Store(path)


@pytest.mark.parametrize("kind", ["foreign", "newer"])
def test_a_refused_file_leaves_no_connection_open(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "p.db"
    if kind == "foreign":
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE t (x)")
        conn.commit()
        conn.close()
    else:
        s = Store(path)
        s.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        s.close()
    opened: list[sqlite3.Connection] = []
    real_connect = sqlite3.connect

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        conn = real_connect(*args, **kwargs)
        opened.append(conn)
        return conn

    monkeypatch.setattr(sqlite3, "connect", spy)
    with pytest.raises(ProjectError):
        Store(path)
    assert opened
    for conn in opened:
        with pytest.raises(sqlite3.ProgrammingError, match="closed"):
            conn.execute("SELECT 1")


def test_a_transaction_waits_for_another_writer_instead_of_failing(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    s = Store(path)
    d = _doc(s)
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE settings SET value = value")
    released = threading.Event()

    def release() -> None:
        released.wait(5)
        other.execute("COMMIT")

    t = threading.Thread(target=release)
    t.start()
    # Reads first, then writes: with a deferred BEGIN this fails at once with "locked".
    timer = threading.Timer(0.5, released.set)
    timer.start()
    with s.transaction():
        s.labels()
        s.add_span(Span(d, "alice", 0, 5, "PERSON"))
    t.join()
    other.close()
    assert [sp.key for sp in s.spans(d)] == [(0, 5, "PERSON")]
    s.close()


def test_opening_an_existing_empty_file_does_not_turn_it_into_a_project(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"")
    with pytest.raises(NotAProjectError, match="empty file"):
        Store(path, create=False)
    assert path.read_bytes() == b""


def test_first_overlapping_span_is_one_indexed_lookup(store: Store) -> None:
    d = store.add_document(Document(text="x" * 50))
    a = store.add_span(Span(d, "alice", 10, 20, "ORG"))
    store.add_span(Span(d, "gold", 30, 40, "ORG"))
    assert store.first_overlapping_span(d, "alice", 19, 25) == a
    assert store.first_overlapping_span(d, "alice", 0, 10) is None  # end exclusive
    assert store.first_overlapping_span(d, "alice", 20, 30) is None
    assert store.first_overlapping_span(d, "alice", 12, 14, ignore_id=a.id) is None
    assert store.first_overlapping_span(d, "alice", 31, 32) is None  # another layer
    plan = " ".join(
        str(r) for r in store.db.execute(
            'EXPLAIN QUERY PLAN SELECT id FROM spans WHERE doc_id = ? AND layer = ? AND start < ? AND "end" > ?',
            [d, "alice", 25, 19],
        ).fetchall()
    )
    assert "USING INDEX" in plan or "USING COVERING INDEX" in plan
