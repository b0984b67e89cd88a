"""Bad input (GUIDE section 9): one line naming file and line, non-zero exit, project unchanged."""

import json
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.importing import import_paths
from corpus.errors import InputError
from corpus.store import Store

DATA = Path(__file__).resolve().parent.parent / "data" / "import"
GOOD = DATA / "doccano" / "data_export__sequence_labeling__example.jsonl"


def dump(path: Path) -> str:
    with Store(path, create=False) as s:
        return "\n".join(s.db.conn.iterdump())


BAD = {
    "broken_json": ("bad.jsonl", b'{"text": "one"}\n{"text": "two"\n', r"bad\.jsonl, line 2: broken JSON"),
    "not_utf8": ("latin.jsonl", b'{"text": "ok"}\n{"text": "Z\xfcrich"}\n', r"latin\.jsonl, line 2: not UTF-8"),
    "empty": ("empty.jsonl", b"", r"empty\.jsonl: empty file"),
    "outside": ("out.jsonl", b'{"text": "Paris", "label": [[0, 5, "GPE"]]}\n{"text": "Rome", "label": [[0, 9, "GPE"]]}\n',
                r"out\.jsonl, line 2: span 0-9 'GPE' is outside the text"),
    "end_before_start": ("rev.jsonl", b'{"text": "Paris", "label": [[4, 1, "GPE"]]}\n',
                         r"rev\.jsonl, line 1: span 4-1 'GPE': end is not after start"),
    "missing_span": ("rel.jsonl",
                     json.dumps({"text": "Ann met Bob", "entities": [{"id": 1, "start_offset": 0, "end_offset": 3, "label": "PERSON"}],
                                 "relations": [{"id": 1, "from_id": 1, "to_id": 2, "type": "MET_WITH"}]}).encode() + b"\n",
                     r"rel\.jsonl, line 1: relation 'MET_WITH' to_id 2 is not an entity"),
    "unknown_format": ("notes.docx", b"PK\x03\x04 binary", r"notes\.docx"),
    "discontinuous_brat": ("doc.ann", b"T1\tPerson 0 3;4 7\tAnn Bob\n", r"doc\.ann, line 1: T1 is a discontinuous span"),
    # shapes that used to end in a traceback
    "doccano_list_entity_id": ("ents.jsonl",
                               json.dumps({"text": "Ann met Bob", "entities": [{"id": [1], "start_offset": 0, "end_offset": 3,
                                                                                "label": "PERSON"}]}).encode() + b"\n",
                               r"ents\.jsonl, line 1: entity id must be a number or a string"),
    "doccano_list_relation_end": ("rels.jsonl",
                                  json.dumps({"text": "Ann met Bob", "entities": [{"id": 1, "start_offset": 0, "end_offset": 3,
                                                                                   "label": "PERSON"}],
                                              "relations": [{"from_id": [1], "to_id": 1, "type": "X"}]}).encode() + b"\n",
                                  r"rels\.jsonl, line 1: from_id must be a number or a string"),
    "prodigy_empty_token": ("toks.jsonl",
                            json.dumps({"text": "Ann met Bob", "spans": [],
                                        "tokens": [{"text": "Ann", "start": 0, "end": 3, "id": 0},
                                                   {"text": "", "start": 4, "end": 4, "id": 1}]}).encode() + b"\n",
                            r"toks\.jsonl, line 1: token 1 has bad offsets 4-4"),
    "brat_non_ascii_digit": ("doc.ann", "T1\tPerson 0 \u00b3\tAnn\n".encode(), r"doc\.ann, line 1: T1 has bad offsets"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_refused_and_the_project_is_unchanged(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name, content, message = BAD[case]
    project = tmp_path / "p.db"
    assert main(["import", str(project), str(GOOD), "--annotator", "alice"]) == 0
    before = dump(project)
    inputs = tmp_path / "in"
    inputs.mkdir()
    if name.endswith(".ann"):
        (inputs / "doc.txt").write_text("Ann Bob", encoding="utf-8")
    bad = inputs / name
    bad.write_bytes(content)
    capsys.readouterr()
    # a good file first, longer than one batch: its documents must not survive the failure
    good = inputs / "a-good.jsonl"
    good.write_text("".join(f'{{"text": "Article {i} about Lisbon."}}\n' for i in range(300)), encoding="utf-8")
    status = main(["import", str(project), str(good), str(bad)])
    err = capsys.readouterr().err
    assert status != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    assert lines[0].startswith("annotator import: error: ")
    assert __import__("re").search(message, lines[0]), lines[0]
    assert dump(project) == before


def test_failed_import_into_a_new_project_leaves_no_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "x"}\n{oops\n', encoding="utf-8")
    project = tmp_path / "fresh.db"
    assert main(["import", str(project), str(bad)]) == 2
    assert "bad.jsonl, line 2" in capsys.readouterr().err
    assert not project.exists()


def test_a_file_that_is_not_a_project_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    not_project = tmp_path / "articles.jsonl"
    not_project.write_text('{"text": "x"}\n', encoding="utf-8")
    assert main(["import", str(not_project), str(GOOD)]) == 2
    assert "not a project file" in capsys.readouterr().err
    assert not_project.read_text(encoding="utf-8") == '{"text": "x"}\n'


def test_library_call_rolls_back_too(tmp_path: Path) -> None:
    with Store(tmp_path / "p.db") as store:
        import_paths(store, [GOOD])
        before = "\n".join(store.db.conn.iterdump())
        bad = tmp_path / "bad.jsonl"
        bad.write_text('{"text": "fine"}\n' * 600 + '{"text": 1}\n', encoding="utf-8")
        with pytest.raises(InputError, match=r"bad\.jsonl, line 601"):
            import_paths(store, [bad])
        assert "\n".join(store.db.conn.iterdump()) == before


def _ctrl_c_after_first_step(job, *_args, **_kwargs):  # type: ignore[no-untyped-def]
    """A progress bar whose user presses Ctrl-C once the job has made progress."""
    next(job)
    next(job)
    raise KeyboardInterrupt


@pytest.mark.parametrize("existing", [True, False], ids=["existing", "new"])
def test_ctrl_c_keeps_nothing_and_says_so_in_one_line(
    existing: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "p.db"
    if existing:
        assert main(["import", str(project), str(GOOD), "--annotator", "alice"]) == 0
        before = dump(project)
    many = tmp_path / "many.jsonl"
    many.write_text("".join(f'{{"text": "Article {i} about Lisbon."}}\n' for i in range(600)), encoding="utf-8")
    capsys.readouterr()
    unraisable: list[object] = []
    monkeypatch.setattr("sys.unraisablehook", unraisable.append)
    monkeypatch.setattr("annotator.progress.run_with_bar", _ctrl_c_after_first_step)
    assert main(["import", str(project), str(many)]) == 130
    err = capsys.readouterr().err
    assert err.strip() == "annotator import: interrupted; nothing was imported; the project is as it was"
    assert unraisable == []  # no "Exception ignored" traceback from the abandoned job
    if existing:
        assert dump(project) == before
    else:
        assert not project.exists()


def test_ctrl_c_during_a_merge_keeps_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project, other = tmp_path / "p.db", tmp_path / "o.db"
    assert main(["import", str(project), str(GOOD), "--annotator", "alice"]) == 0
    assert main(["import", str(other), str(GOOD), "--annotator", "bob"]) == 0
    before = dump(project)
    capsys.readouterr()
    unraisable: list[object] = []
    monkeypatch.setattr("sys.unraisablehook", unraisable.append)
    monkeypatch.setattr("annotator.commands.merge_cmd.run_with_bar", _ctrl_c_after_first_step)
    assert main(["merge", str(project), str(other)]) == 130
    assert capsys.readouterr().err.strip() == "annotator merge: interrupted; nothing was merged; the project is as it was"
    assert unraisable == []
    assert dump(project) == before


def test_a_damaged_project_file_is_one_line_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    project = tmp_path / "p.db"
    assert main(["import", str(project), str(GOOD), "--annotator", "alice"]) == 0
    capsys.readouterr()

    def damaged(_store):  # type: ignore[no-untyped-def]
        raise sqlite3.DatabaseError("database disk image is malformed")

    monkeypatch.setattr("annotator.stats.project_stats", damaged)
    assert main(["stats", str(project)]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"annotator stats: error: {project}: database disk image is malformed"

    def bug(_store):  # type: ignore[no-untyped-def]
        raise sqlite3.ProgrammingError("Cannot operate on a closed database.")

    monkeypatch.setattr("annotator.stats.project_stats", bug)
    with pytest.raises(sqlite3.ProgrammingError):  # a bug keeps its traceback
        main(["stats", str(project)])


def test_a_folder_without_articles_is_refused_and_no_project_is_left(tmp_path: Path, capsys) -> None:
    from annotator.cli import main

    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.pdf").write_bytes(b"%PDF")
    project = tmp_path / "new.db"
    assert main(["import", str(project), str(empty)]) != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "empty" in err[0] and "no files to import" in err[0]
    assert not project.exists()
