"""Merging annotators' own project files into one: nothing lost, idempotent, all or nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.merge import merge_job, merge_projects
from annotator.review import review_document
from annotator.tokenize import tokenize
from corpus.errors import MergeConflictError, NotAProjectError, ProjectError
from corpus.model import Document, DocumentStatus, Label, LabelKind, Relation, Span, content_hash
from corpus.store import Store
from corpus.store.reports import dump_project

A1 = "Alice Smith met Bob in Paris today."
A2 = "Bob went to Rome with Carol."
A3 = "The Acme Corporation hired Dana."
SUGGESTER = "model:en_core_web_sm@3.8.0"


def add_article(store: Store, text: str, name: str, **meta: str) -> int:
    tokens, sents = tokenize(text)
    return store.add_document(Document(text=text, name=name, meta=meta, tokens=tokens, sents=sents))


def annotate(store: Store, d: int, layer: str, keys, relations=()) -> None:
    spans = {k: store.add_span(Span(d, layer, *k, source="manual")) for k in keys}
    for head, child, label in relations:
        store.add_relation(Relation(d, layer, spans[head].id, spans[child].id, label))


def layer_state(store: Store, text: str, layer: str) -> tuple[set, set]:
    """(span keys, relation keys) of ``layer`` on the document with this text."""
    d = store.document_id_by_hash(content_hash(text))
    assert d is not None
    spans = {sp.id: sp.key for sp in store.spans(d, layer)}
    rels = set()
    for r in store.relations(d, layer):
        assert r.head in spans and r.child in spans, "relations must link spans of their own layer"
        rels.add((spans[r.head], spans[r.child], r.label))
    return set(spans.values()), rels


def status_of(store: Store, text: str, annotator: str) -> DocumentStatus:
    return store.status(store.document_id_by_hash(content_hash(text)), annotator)


ALICE_A1 = {(0, 11, "PERSON"), (16, 19, "PERSON"), (23, 28, "GPE")}
ALICE_A1_RELS = {((0, 11, "PERSON"), (16, 19, "PERSON"), "MET")}
BOB_A1 = {(0, 11, "PERSON"), (16, 19, "PERSON"), (23, 28, "LOC")}
BOB_A1_RELS = {((16, 19, "PERSON"), (0, 11, "PERSON"), "MET")}


def build_alice(path: Path, a1_spans=ALICE_A1, extra_doc: str | None = None) -> Path:
    """Alice's own file: A1 done (with a relation, a rejection, suggestions), A2 in progress."""
    with Store(path) as s:
        s.set_labels([Label("PERSON"), Label("GPE"), Label("MET", LabelKind.RELATION)])
        s.add_annotator("alice")
        d1 = add_article(s, A1, "one.txt")
        d2 = add_article(s, A2, "two.txt", source="alice")
        rels = [r for r in ALICE_A1_RELS if r[0] in a1_spans and r[1] in a1_spans]
        annotate(s, d1, "alice", a1_spans, rels)
        annotate(s, d2, "alice", [(0, 3, "PERSON")])
        annotate(s, d1, SUGGESTER, [(0, 11, "PERSON"), (23, 28, "GPE"), (29, 34, "DATE")])
        s.mark_suggested([d1, d2], SUGGESTER)
        s.add_rejection(d1, "alice", 29, 34, "DATE")
        s.set_status(d1, "alice", DocumentStatus.DONE)
        s.set_status(d2, "alice", DocumentStatus.IN_PROGRESS)
        if extra_doc is not None:
            d = add_article(s, extra_doc, "extra.txt")
            annotate(s, d, "alice", [(0, 3, "ORG")])
    return path


def build_bob(path: Path) -> Path:
    """Bob's own file: the articles imported in another order (other ids); A1 and A3 done."""
    with Store(path) as s:
        s.set_labels([Label("PERSON"), Label("LOC"), Label("ORG"), Label("MET", LabelKind.RELATION)])
        s.add_annotator("bob")
        d3 = add_article(s, A3, "three.txt", source="bob")
        d1 = add_article(s, A1, "one.txt")
        annotate(s, d1, "bob", BOB_A1, BOB_A1_RELS)
        annotate(s, d3, "bob", [(4, 20, "ORG"), (27, 31, "PERSON")])
        s.set_status(d1, "bob", DocumentStatus.DONE)
        s.set_status(d3, "bob", DocumentStatus.DONE)
        s.set_patterns([{"label": "ORG", "pattern": "Acme"}])
    return path


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    """The team's project (A2 and A1, no annotations yet) and each annotator's own file."""
    team = tmp_path / "team.db"
    with Store(team) as s:
        s.set_labels([Label("PERSON", color="#ff0000")])
        add_article(s, A2, "two-team.txt", source="team")
        add_article(s, A1, "one-team.txt")
    return {
        "team": team,
        "alice": build_alice(tmp_path / "alice.db"),
        "bob": build_bob(tmp_path / "bob.db"),
    }


@pytest.fixture()
def team(files: dict[str, Path]) -> Store:
    s = Store(files["team"], create=False)
    yield s
    s.close()


def test_two_annotators_files_merge_into_one_project(team: Store, files: dict[str, Path]) -> None:
    report = merge_projects(team, [files["alice"], files["bob"]])
    # documents matched by content hash: A1 and A2 were already there, A3 is new
    assert team.count_documents() == 3
    assert (report.documents_added, report.documents_matched) == (1, 3)
    a3 = team.get_document(team.document_id_by_hash(content_hash(A3)))
    assert (a3.name, dict(a3.meta), a3.tokens, a3.sents) == ("three.txt", {"source": "bob"}, *tokenize(A3))
    a2 = team.get_document(team.document_id_by_hash(content_hash(A2)))
    assert a2.name == "two-team.txt" and dict(a2.meta) == {"source": "team"}  # ours kept
    # both layers present, ids remapped, relations between the right spans
    assert layer_state(team, A1, "alice") == (ALICE_A1, ALICE_A1_RELS)
    assert layer_state(team, A1, "bob") == (BOB_A1, BOB_A1_RELS)
    assert layer_state(team, A2, "alice") == ({(0, 3, "PERSON")}, set())
    assert layer_state(team, A3, "bob") == ({(4, 20, "ORG"), (27, 31, "PERSON")}, set())
    assert layer_state(team, A1, SUGGESTER)[0] == {(0, 11, "PERSON"), (23, 28, "GPE"), (29, 34, "DATE")}
    # statuses, rejections, suggestion bookkeeping, annotators, labels, patterns
    assert status_of(team, A1, "alice") is DocumentStatus.DONE
    assert status_of(team, A2, "alice") is DocumentStatus.IN_PROGRESS
    assert status_of(team, A1, "bob") is DocumentStatus.DONE
    assert status_of(team, A3, "bob") is DocumentStatus.DONE
    d1 = team.document_id_by_hash(content_hash(A1))
    assert team.rejections("alice") == {(d1, 29, 34, "DATE")}
    assert len(team.suggested_documents(SUGGESTER)) == 2
    assert team.annotators() == ["alice", "bob"]
    assert {(lab.name, lab.kind.value) for lab in team.labels()} == {
        ("PERSON", "entity"), ("GPE", "entity"), ("LOC", "entity"), ("ORG", "entity"), ("MET", "relation"),
    }
    assert [lab.color for lab in team.labels() if lab.name == "PERSON"] == ["#ff0000"]
    assert team.patterns() == [{"label": "ORG", "pattern": "Acme"}]
    # and the reviewer sees both versions side by side
    review = review_document(team, d1)
    assert review.annotators == ("alice", "bob")
    assert review.span((23, 28, "GPE")).vote_text == "1/2"
    assert review.span((0, 11, "PERSON")).agreed


def test_merging_the_same_files_again_changes_nothing(team: Store, files: dict[str, Path]) -> None:
    merge_projects(team, [files["alice"], files["bob"]])
    before = dump_project(team)
    report = merge_projects(team, [files["alice"], files["bob"], files["alice"]])
    assert dump_project(team) == before
    assert not report.changed
    assert "nothing new" in report.summary()


def test_same_annotations_in_both_files_are_no_conflict(team: Store, files: dict[str, Path], tmp_path: Path) -> None:
    merge_projects(team, [files["alice"]])
    # alice's same work, recorded in another file with other ids and a later status
    copy = tmp_path / "alice-laptop.db"
    with Store(copy) as s:
        d2 = add_article(s, A2, "two.txt")
        d1 = add_article(s, A1, "one.txt")
        annotate(s, d1, "alice", sorted(ALICE_A1, reverse=True), ALICE_A1_RELS)
        annotate(s, d2, "alice", [(0, 3, "PERSON")])
        s.set_status(d2, "alice", DocumentStatus.DONE)
        s.set_status(d1, "alice", DocumentStatus.IN_PROGRESS)
    merge_projects(team, [copy])
    assert layer_state(team, A1, "alice") == (ALICE_A1, ALICE_A1_RELS)
    assert status_of(team, A2, "alice") is DocumentStatus.DONE  # the more advanced status wins
    assert status_of(team, A1, "alice") is DocumentStatus.DONE


def test_different_edits_by_the_same_annotator_are_a_conflict(
    team: Store, files: dict[str, Path], tmp_path: Path
) -> None:
    merge_projects(team, [files["alice"]])
    other = build_alice(tmp_path / "alice2.db", a1_spans={(0, 5, "PERSON"), (23, 28, "LOC")}, extra_doc=A3)
    before = dump_project(team)
    with pytest.raises(MergeConflictError) as err:
        merge_projects(team, [files["bob"], other])
    msg = str(err.value)
    assert "'alice'" in msg and "one-team.txt" in msg
    assert str(files["team"]) in msg and str(other) in msg
    assert "\n" not in msg
    assert [(c.annotator, c.document) for c in err.value.conflicts] == [("alice", "one-team.txt")]
    # all or nothing: neither bob's file nor alice2's new document got in
    assert dump_project(team) == before


def test_a_conflict_between_two_merged_files_names_those_files(files: dict[str, Path], tmp_path: Path) -> None:
    other = build_alice(tmp_path / "alice2.db", a1_spans={(23, 28, "LOC")})
    with Store(tmp_path / "fresh.db") as fresh:
        with pytest.raises(MergeConflictError) as err:
            merge_projects(fresh, [files["alice"], files["bob"], other])
        assert f"in {files['alice']} and {other}" in str(err.value)
        assert fresh.count_documents() == 0


def test_prefer_says_which_side_wins(team: Store, files: dict[str, Path], tmp_path: Path) -> None:
    merge_projects(team, [files["alice"]])
    other = build_alice(tmp_path / "alice2.db", a1_spans={(0, 5, "PERSON"), (23, 28, "LOC")})
    with Store(other) as s:
        s.set_status(s.document_id_by_hash(content_hash(A1)), "alice", DocumentStatus.IN_PROGRESS)

    before = dump_project(team)
    report = merge_projects(team, [other], prefer="ours")
    assert dump_project(team) == before
    assert [(c.annotator, c.document) for c in report.conflicts_resolved] == [("alice", "one-team.txt")]

    report = merge_projects(team, [other], prefer="theirs")
    assert layer_state(team, A1, "alice") == ({(0, 5, "PERSON"), (23, 28, "LOC")}, set())
    assert status_of(team, A1, "alice") is DocumentStatus.IN_PROGRESS  # the winner's status
    assert layer_state(team, A2, "alice") == ({(0, 3, "PERSON")}, set())  # no conflict there
    assert "1 conflict resolved (theirs won)" in report.summary()
    after = dump_project(team)
    merge_projects(team, [other])  # now equal: no conflict, no change
    assert dump_project(team) == after


def test_a_person_who_confirmed_no_entities_conflicts_with_entities(
    team: Store, files: dict[str, Path], tmp_path: Path
) -> None:
    d1 = team.document_id_by_hash(content_hash(A1))
    team.set_status(d1, "bob", DocumentStatus.DONE)  # bob said: nothing in A1
    with pytest.raises(MergeConflictError, match="'bob'"):
        merge_projects(team, [files["bob"]])


def test_closing_the_job_early_writes_nothing(team: Store, files: dict[str, Path]) -> None:
    before = dump_project(team)
    job = merge_job(team, [files["alice"], files["bob"]])
    first = next(job)
    assert first.total == 4
    next(job)
    next(job)
    job.close()  # the window's cancel button
    assert dump_project(team) == before


def test_foreign_and_missing_files_are_refused_before_anything_is_written(
    team: Store, files: dict[str, Path], tmp_path: Path
) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("not a project\n" * 100, encoding="utf-8")
    empty = tmp_path / "empty.db"
    empty.touch()
    before = dump_project(team)
    with pytest.raises(NotAProjectError, match="notes.txt"):
        merge_projects(team, [files["alice"], junk])
    with pytest.raises(NotAProjectError, match="empty.db"):
        merge_projects(team, [empty])
    assert empty.stat().st_size == 0  # not turned into a project
    with pytest.raises(ProjectError, match="missing.db"):
        merge_projects(team, [tmp_path / "missing.db"])
    with pytest.raises(ProjectError, match="itself"):
        merge_projects(team, [files["team"]])
    assert dump_project(team) == before


# -- the command line ------------------------------------------------------------------------
def test_cli_merges_and_prints_a_summary(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["merge", str(files["team"]), str(files["alice"]), str(files["bob"])]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and "1 new document," in out[0] and "3 matched" in out[0]
    with Store(files["team"], create=False) as s:
        assert layer_state(s, A1, "bob") == (BOB_A1, BOB_A1_RELS)
    assert main(["merge", str(files["team"]), str(files["alice"])]) == 0
    assert "nothing new" in capsys.readouterr().out


def test_cli_conflict_is_one_line_and_prefer_resolves_it(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    team = str(files["team"])
    assert main(["merge", team, str(files["alice"])]) == 0
    other = str(build_alice(tmp_path / "alice2.db", a1_spans={(23, 28, "LOC")}))
    capsys.readouterr()
    assert main(["merge", team, other]) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "alice" in err and "one-team.txt" in err and "--prefer" in err
    assert main(["merge", team, other, "--prefer", "theirs", "--json"]) == 0
    import json

    report = json.loads(capsys.readouterr().out)
    assert report["conflicts_resolved"] == [
        {"annotator": "alice", "document": "one-team.txt", "file": other, "winner": "theirs"}
    ]
    with Store(files["team"], create=False) as s:
        assert layer_state(s, A1, "alice") == ({(23, 28, "LOC")}, set())


def test_cli_foreign_file_and_missing_project(files: dict[str, Path], tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"\x00garbage" * 512)
    assert main(["merge", str(files["team"]), str(junk)]) != 0
    err = capsys.readouterr().err
    assert "junk.db" in err and err.count("\n") == 1 and "Traceback" not in err
    new = tmp_path / "new.db"
    assert main(["merge", str(new), str(files["alice"])]) != 0
    assert "new.db" in capsys.readouterr().err and not new.exists()
    assert main(["merge", str(new), str(files["alice"]), str(files["bob"]), "--create"]) == 0
    with Store(new, create=False) as s:
        assert s.count_documents() == 3


def test_merging_into_a_copy_of_ones_own_file(files: dict[str, Path], tmp_path: Path) -> None:
    mine = tmp_path / "mine.db"
    shutil.copy(files["alice"], mine)
    with Store(mine, create=False) as s:
        before = dump_project(s)
        merge_projects(s, [files["alice"]])
        assert dump_project(s) == before


# -- sources are only read; what they hold is checked ----------------------------------------
def _raw(path: Path, sql: str, *params: object) -> None:
    import sqlite3

    conn = sqlite3.connect(path)
    conn.execute(sql, params)
    conn.commit()
    conn.close()


def test_merge_sources_are_opened_read_only_and_never_switched_to_wal(team: Store, files: dict[str, Path]) -> None:
    import sqlite3

    _raw(files["alice"], "PRAGMA journal_mode = DELETE")
    before = files["alice"].read_bytes()
    merge_projects(team, [files["alice"]])
    assert files["alice"].read_bytes() == before
    assert not Path(f"{files['alice']}-wal").exists()
    conn = sqlite3.connect(files["alice"])
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()


def test_a_span_outside_its_text_in_a_source_is_refused_naming_the_document(
    team: Store, files: dict[str, Path]
) -> None:
    _raw(files["bob"], 'UPDATE spans SET "end" = 500 WHERE label = \'ORG\'')
    before = dump_project(team)
    with pytest.raises(ProjectError, match=r"bob\.db: document 'three\.txt' \(id 1\): span \d+ in layer 'bob' "
                                           r"has offsets 4\.\.500, outside its text of 32 characters"):
        merge_projects(team, [files["alice"], files["bob"]])
    assert dump_project(team) == before


def test_malformed_json_in_a_source_is_one_line_naming_file_and_document(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _raw(files["alice"], "UPDATE documents SET meta = '{\"source\": ' WHERE name = 'two.txt'")
    with Store(files["team"], create=False) as s:
        before = dump_project(s)
    assert main(["merge", str(files["team"]), str(files["alice"])]) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "alice.db: documents table, document 2 ('two.txt'), meta: malformed JSON" in err
    with Store(files["team"], create=False) as s:
        assert dump_project(s) == before


def test_a_failed_merge_create_leaves_no_new_project_behind(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"\x00garbage" * 512)
    new = tmp_path / "new.db"
    assert main(["merge", str(new), str(files["alice"]), str(junk), "--create"]) != 0
    assert "junk.db" in capsys.readouterr().err
    assert not new.exists() and not Path(f"{new}-wal").exists() and not Path(f"{new}-shm").exists()
    other = build_alice(tmp_path / "alice2.db", a1_spans={(23, 28, "LOC")})
    assert main(["merge", str(new), str(files["alice"]), str(other), "--create"]) != 0  # a conflict
    assert not new.exists()


def test_stats_read_a_project_without_changing_it_and_name_malformed_tokens(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = files["alice"]
    _raw(path, "PRAGMA journal_mode = DELETE")
    before = path.read_bytes()
    assert main(["stats", str(path), "--json"]) == 0
    assert path.read_bytes() == before and not Path(f"{path}-wal").exists()
    capsys.readouterr()
    _raw(path, "UPDATE documents SET tokens = '[[0, 5], [6' WHERE name = 'one.txt'")
    assert main(["stats", str(path)]) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "documents table, document 1, tokens: malformed JSON" in err
