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


def test_missing_migration_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "p.db"
    s = Store(path)
    s.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION - 1}")
    s.close()
    monkeypatch.delitem(MIGRATIONS, SCHEMA_VERSION - 1)
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


# -- creation is one transaction; blank files; a missing index is repaired -------------------
def _drop_fts(path: Path) -> None:
    conn = sqlite3.connect(path)
    for trigger in ("documents_ai", "documents_ad", "documents_au"):
        conn.execute(f"DROP TRIGGER {trigger}")
    conn.execute("DROP TABLE documents_fts")
    conn.commit()
    conn.close()


def test_a_project_left_without_its_search_index_is_repaired_on_open(tmp_path: Path) -> None:
    """A first import killed between the schema and the full-text index (older versions)."""
    path = tmp_path / "p.db"
    with Store(path) as s:
        _doc(s, "Alice met Bob in Paris.")
    _drop_fts(path)
    with Store(path) as s:
        assert s.search_documents("paris") == [1]
        d = _doc(s, "Carol stayed in Rome.", "e")
        assert s.search_documents("rome") == [d]  # the triggers are back too


def test_schema_and_index_are_created_together_or_not_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import corpus.store.schema as schema

    path = tmp_path / "p.db"
    real = schema.create_fts

    def killed(db) -> None:  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt  # the process dies before the index exists

    monkeypatch.setattr(schema, "create_fts", killed)
    with pytest.raises(KeyboardInterrupt):
        Store(path)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0  # no half schema
    conn.close()
    monkeypatch.setattr(schema, "create_fts", real)
    with Store(path) as s:  # the blank file is a new project
        d = _doc(s)
        assert s.search_documents("alice") == [d]


def _blank_sqlite_file(path: Path) -> None:
    """A 4 KB SQLite file without a single table (a creation killed before it committed)."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE t (x)")
    conn.execute("DROP TABLE t")
    conn.close()
    assert path.stat().st_size > 0


def test_a_file_without_tables_is_a_new_project_only_when_creating(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from annotator.cli import main

    path = tmp_path / "p.db"
    _blank_sqlite_file(path)
    with pytest.raises(NotAProjectError, match=r"p\.db: an empty file with no project in it yet"):
        Store(path, create=False)
    assert main(["stats", str(path)]) != 0
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "empty file" in err and "Traceback" not in err
    text = tmp_path / "a.txt"
    text.write_text("Alice met Bob in Paris.\n", encoding="utf-8")
    assert main(["import", str(path), str(text), "--quiet"]) == 0
    with Store(path, create=False) as s:
        assert s.count_documents() == 1 and s.search_documents("paris") == [1]


# -- read-only opening -----------------------------------------------------------------------
def _rollback_journal_project(path: Path) -> bytes:
    with Store(path) as s:
        d = _doc(s)
        s.add_span(Span(d, "alice", 0, 5, "PERSON"))
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    return path.read_bytes()


def test_read_only_opening_never_writes_nor_switches_to_wal(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    before = _rollback_journal_project(path)
    with Store(path, read_only=True) as s:
        assert s.read_only and s.count_documents() == 1
        assert [sp.key for sp in s.spans()] == [(0, 5, "PERSON")]
        with pytest.raises(ProjectError, match="read-only"):
            s.set_status(1, "alice", DocumentStatus.DONE)
        with pytest.raises(ProjectError, match="read-only"):
            s.add_span(Span(1, "alice", 6, 9, "PERSON"))
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.db"]
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()


def test_read_only_refuses_what_it_would_have_to_change(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="no such project file"):
        Store(tmp_path / "missing.db", read_only=True)
    assert not (tmp_path / "missing.db").exists()
    old = tmp_path / "old.db"
    Store(old).close()
    conn = sqlite3.connect(old)
    conn.execute("PRAGMA user_version = 0")
    conn.close()
    with pytest.raises(ProjectError, match="older version"):
        Store(old, read_only=True)
    assert not list(tmp_path.glob("*.bak"))


def _in_a_folder_the_user_cannot_write(folder: Path, job) -> str:  # type: ignore[no-untyped-def]
    """Run ``job()`` (returning a string) as a user who may read ``folder`` but not write it."""
    import os

    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            return job()
        finally:
            folder.chmod(0o755)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child drops to "nobody": root would ignore the folder's permissions
        os.close(read_end)
        try:
            os.setgid(65534)
            os.setuid(65534)
            out = job()
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            out = f"{type(exc).__name__}: {exc}"
        os.write(write_end, out.encode())
        os._exit(0)
    os.close(write_end)
    chunks = []
    while chunk := os.read(read_end, 65536):
        chunks.append(chunk)
    os.waitpid(pid, 0)
    return b"".join(chunks).decode()


def test_a_project_in_a_folder_the_user_cannot_write_can_be_read(tmp_path: Path) -> None:
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="ro-project-"))
    folder.chmod(0o755)
    path = folder / "p.db"
    with Store(path) as s:
        d = _doc(s)
        s.add_span(Span(d, "alice", 0, 5, "PERSON"))
    before = path.read_bytes()

    def job() -> str:
        with Store(path, read_only=True) as s:
            return f"{s.count_documents()} {s.search_documents('paris')} {len(s.spans())}"

    try:
        assert _in_a_folder_the_user_cannot_write(folder, job) == "1 [1] 1"
        assert path.read_bytes() == before
        assert sorted(p.name for p in folder.iterdir()) == ["p.db"]
    finally:
        shutil.rmtree(folder)


# -- every edit runs in the store's transaction: a lock is the clear, retryable error --------
LOCKED_EDITS = {
    "status": lambda s, d, sp, rel: s.set_status(d, "alice", DocumentStatus.DONE),
    "rejection": lambda s, d, sp, rel: s.add_rejection(d, "alice", 10, 13, "PERSON"),
    "unreject": lambda s, d, sp, rel: s.remove_rejection(d, "alice", 0, 3, "ORG"),
    "update span": lambda s, d, sp, rel: s.update_span(sp, label="ORG"),
    "relabel relation": lambda s, d, sp, rel: s.update_relation(rel, "KNOWS"),
    "delete relation": lambda s, d, sp, rel: s.delete_relation(rel),
    "delete span": lambda s, d, sp, rel: s.delete_span(sp),
    "setting": lambda s, d, sp, rel: s.set_setting("language", "de"),
    "labels": lambda s, d, sp, rel: s.set_labels([Label("LOC", LabelKind.ENTITY)]),
    "delete label": lambda s, d, sp, rel: s.delete_label(LabelKind.ENTITY, "UNUSED"),
    "reorder labels": lambda s, d, sp, rel: s.reorder_labels(LabelKind.ENTITY, ["UNUSED", "PERSON"]),
    "rename label": lambda s, d, sp, rel: s.rename_label(LabelKind.ENTITY, "PERSON", "PER"),
    "meta": lambda s, d, sp, rel: s.set_document_meta(d, {"source": "x"}),
    "delete document": lambda s, d, sp, rel: s.delete_document(d),
    "layer": lambda s, d, sp, rel: s.ensure_layer("bob"),
}


@pytest.mark.parametrize("edit", sorted(LOCKED_EDITS))
def test_an_edit_under_another_programs_lock_is_the_clear_locked_error(edit: str, tmp_path: Path) -> None:
    from corpus.errors import ProjectLockedError
    from corpus.store.reports import dump_project

    path = tmp_path / "p.db"
    with Store(path) as s:
        d = _doc(s)
        a = s.add_span(Span(d, "alice", 0, 5, "PERSON"))
        b = s.add_span(Span(d, "alice", 10, 13, "PERSON"))
        rel = s.add_relation(Relation(d, "alice", a.id, b.id, "MET_WITH"))
        s.add_rejection(d, "alice", 0, 3, "ORG")
        s.set_labels([Label("PERSON", LabelKind.ENTITY), Label("UNUSED", LabelKind.ENTITY)])
    store = Store(path, busy_timeout=0.05)
    before = dump_project(store)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(ProjectLockedError, match=r"p\.db: the project file is locked"):
            LOCKED_EDITS[edit](store, d, a.id, rel.id)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert not store.in_transaction
    assert dump_project(store) == before
    LOCKED_EDITS[edit](store, d, a.id, rel.id)  # retrying once the lock is gone works
    store.close()


# -- what a project holds is checked where it is read ----------------------------------------
def test_malformed_json_in_a_project_is_one_line_naming_table_and_document(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    with Store(path) as s:
        d = _doc(s, name="article-7")
        s.set_setting("language", "en")
    conn = sqlite3.connect(path)
    conn.execute("UPDATE documents SET meta = '{\"a\": ' WHERE id = ?", [d])
    conn.execute("UPDATE settings SET value = 'NaN]' WHERE key = 'language'")
    conn.commit()
    conn.close()
    with Store(path) as s:
        with pytest.raises(ProjectError, match=r"p\.db: documents table, document 1 \('article-7'\), meta: malformed JSON"):
            s.get_document(d)
        with pytest.raises(ProjectError, match=r"p\.db: settings table, setting 'language': malformed JSON"):
            s.get_setting("language")


def test_values_json_cannot_hold_are_refused_not_stored(store: Store) -> None:
    with pytest.raises(AnnotationError, match=r"document 'n': meta: cannot be stored as JSON"):
        store.add_document(Document(text="x y", name="n", meta={"score": float("nan")}))
    with pytest.raises(AnnotationError, match="setting 'threshold'"):
        store.set_setting("threshold", float("inf"))
    assert store.count_documents() == 0 and store.get_setting("threshold") is None


# -- discarding a new project file nobody used -----------------------------------------------
def test_discard_removes_only_an_untouched_file_nobody_else_has_open(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    assert Store(path).discard_if_untouched() is True
    assert list(tmp_path.iterdir()) == []

    s = Store(path)
    with Store(path) as other:
        _doc(other)  # someone else committed a document meanwhile
    assert s.discard_if_untouched() is False
    with Store(path) as s:
        assert s.count_documents() == 1

    path2 = tmp_path / "q.db"
    s = Store(path2)
    reader = Store(path2)  # another program has the new file open, nothing written yet
    assert s.discard_if_untouched() is False
    assert path2.exists()
    reader.close()


# -- how the store package is laid out ------------------------------------------------------
STORE_DIR = Path(__file__).resolve().parents[2] / "corpus" / "store"


def test_no_store_module_imports_another_modules_private_names() -> None:
    import ast

    offenders = []
    for path in STORE_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("corpus"):
                offenders += [f"{path.name}: {a.name}" for a in node.names if a.name.startswith("_")]
    assert offenders == []


def test_read_functions_never_write() -> None:
    """Module-level functions of the concept modules only read; writes are Store methods."""
    import ast
    import re

    write = re.compile(r"\b(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER)\b")
    writers = {"base.py", "schema.py"}  # opening a file, creating its schema
    offenders = []
    for path in STORE_DIR.glob("*.py"):
        if path.name in writers:
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef):
                for const in ast.walk(node):
                    if isinstance(const, ast.Constant) and isinstance(const.value, str) and write.search(const.value):
                        offenders.append(f"{path.name}: {node.name}")
    assert offenders == []


def test_every_store_method_that_writes_runs_in_the_transaction_helper() -> None:
    """A write outside :meth:`Store.transaction` would meet a lock as a raw sqlite3 error."""
    import ast
    import re

    write = re.compile(r"\bINSERT\b|\bUPDATE\b|\bDELETE\s+FROM\b|\bREPLACE\b")
    offenders = []
    for path in STORE_DIR.glob("*.py"):
        for cls in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(cls, ast.ClassDef):
                continue
            for fn in cls.body:
                if not isinstance(fn, ast.FunctionDef) or fn.name.startswith("_"):
                    continue
                writes_sql = any(
                    isinstance(c, ast.Constant) and isinstance(c.value, str) and write.search(c.value)
                    for c in ast.walk(fn)
                )
                decorated = any(isinstance(d, ast.Name) and d.id == "writes" for d in fn.decorator_list)
                if writes_sql and not decorated:
                    offenders.append(f"{path.name}: {cls.name}.{fn.name}")
    assert offenders == []


def test_text_with_a_lone_surrogate_is_refused_in_one_line_and_nothing_is_written(store: Store) -> None:
    d = _doc(store)
    bad_name = Document(text="Fine text.", name="bad\ud800name")
    with pytest.raises(AnnotationError, match=r"document 'bad\\ud800name': text with a lone surrogate"):
        store.add_documents([Document(text="Other text.", name="ok"), bad_name])
    with pytest.raises(AnnotationError, match="lone surrogate at character 3"):
        store.add_span(Span(d, "alice", 0, 5, "PER\udc00"))
    with pytest.raises(AnnotationError, match="lone surrogate"):
        store.set_labels([Label("ORG"), Label("X\ud800")])
    assert store.count_documents() == 1 and store.spans() == [] and store.labels() == []
    assert "\n" not in str(pytest.raises(AnnotationError, store.add_annotator, "al\ud800ice").value)


def test_search_works_read_only_in_a_project_without_its_index(tmp_path: Path) -> None:
    """Read-only, the index cannot be rebuilt: the documents are scanned instead."""
    path = tmp_path / "p.db"
    with Store(path) as s:
        _doc(s, "Alice met Bob in Paris.", "first")
        _doc(s, "Carol stayed in Rome.", "second")
    _drop_fts(path)
    with Store(path, read_only=True) as s:
        assert s.search_documents("PARIS alice") == [1]
        assert s.search_documents("second") == [2]
        assert s.search_documents("nowhere") == []


def test_schema_1_project_gains_relation_rejections(tmp_path: Path) -> None:
    """A project written before relation suggestions could be rejected opens, is migrated (a
    backup first) and remembers relation rejections from then on."""
    path = tmp_path / "p.db"
    s = Store(path)
    d = _doc(s)
    s.db.execute("DROP TABLE relation_rejections")
    s.db.execute("PRAGMA user_version = 1")
    s.close()
    s = Store(path)
    assert s.schema_version == SCHEMA_VERSION and Path(f"{path}.v1.bak").exists()
    key = (0, 5, "PERSON", 10, 15, "ORG", "works_for")
    assert s.add_relation_rejection(d, "ann", key) and not s.add_relation_rejection(d, "ann", key)
    assert s.relation_rejections("ann", d) == {key} and s.relation_rejections("other", d) == set()
    s.remove_relation_rejection(d, "ann", key)
    assert s.relation_rejections("ann", d) == set()
    s.close()


def test_the_store_does_not_pull_pandas_into_start_up() -> None:
    """sqlite-utils imports pandas when it is installed (the test extra brings it): opening the
    store must not pay that at every start, and pandas must still import for whoever wants it."""
    import subprocess
    import sys

    code = ("import sys, corpus.store; assert 'pandas' not in sys.modules, 'pandas imported'; "
            "import pandas; print(pandas.DataFrame({'a': [1]}).shape)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-500:]
    assert out.stdout.strip() == "(1, 1)"
