"""Imports keep going when asked: --skip-bad-records imports the rest in one transaction and names
every skipped record with file and line; whitespace-only texts are skipped with a warning."""

import json
import shutil
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.importing import import_paths
from corpus.errors import InputError
from corpus.store import Store

DATA = Path(__file__).resolve().parent.parent / "data"
HEADLINES = DATA / "import" / "prodigy" / "annotated_news_headlines-ner.head20.jsonl"
LS_JSON = DATA / "interop" / "label_studio" / "ner_relations.json"


def _lines(n: int) -> list[str]:
    return HEADLINES.read_text(encoding="utf-8").splitlines()[:n]


def test_whitespace_only_texts_are_skipped_with_a_warning(tmp_path: Path, capsys) -> None:
    lines = _lines(3)
    f = tmp_path / "tweets.jsonl"
    f.write_text("\n".join([lines[0], json.dumps({"text": " \n ", "answer": "accept"}), lines[1],
                            json.dumps({"text": "\t"}), lines[2]]) + "\n", encoding="utf-8")
    db = tmp_path / "p.db"
    assert main(["import", str(db), str(f)]) == 0
    err = capsys.readouterr().err
    assert f"skipped: {f}, line 2: the text is only whitespace (record skipped)" in err
    assert f"skipped: {f}, line 4: the text is only whitespace (record skipped)" in err
    with Store(db, create=False) as st:
        assert st.count_documents() == 3


def test_skip_bad_records_imports_the_rest_and_names_each_one(tmp_path: Path, capsys) -> None:
    lines = _lines(6)
    bad_span = json.loads(lines[1])
    bad_span["spans"].append({"start": 0, "end": 999, "label": "ORG"})
    f = tmp_path / "mixed.jsonl"
    f.write_text("\n".join([lines[0], "{broken json", lines[2], json.dumps(bad_span), lines[4], lines[5]]) + "\n",
                 encoding="utf-8")
    db = tmp_path / "p.db"
    assert main(["import", str(db), str(f)]) != 0  # without the option: stops at the first, nothing kept
    assert not db.exists()
    capsys.readouterr()
    assert main(["import", str(db), str(f), "--skip-bad-records"]) == 0
    err = capsys.readouterr().err
    assert f"{f}, line 2: broken JSON" in err and f"{f}, line 4: span 0-999 'ORG' is outside the text" in err
    with Store(db, create=False) as st:
        assert st.count_documents() == 4
        texts = {st.get_document(i).text for i in st.document_ids()}
    assert json.loads(lines[1])["text"] not in texts


def test_one_transaction_a_fatal_error_later_keeps_nothing(tmp_path: Path) -> None:
    lines = _lines(2)
    good = tmp_path / "a.jsonl"
    good.write_text("\n".join([lines[0], "{broken", lines[1]]) + "\n", encoding="utf-8")
    fatal = tmp_path / "b.json"
    fatal.write_text('[\n {"data": {"text": "x"}, "annotations": []},\n {"data": ,}\n]\n', encoding="utf-8")
    with Store(tmp_path / "p.db") as st:
        with pytest.raises(InputError, match=r"b\.json, line 3: broken JSON"):
            import_paths(st, [good, fatal], skip_bad_records=True)  # broken JSON inside an array
        assert st.count_documents() == 0


def test_label_studio_task_is_skipped_whole(tmp_path: Path) -> None:
    tasks = json.loads(LS_JSON.read_text(encoding="utf-8"))
    tasks[0]["annotations"][1]["result"][2]["to_id"] = "missing"  # second annotation of task 1
    f = tmp_path / "ls.json"
    f.write_text(json.dumps(tasks, indent=2), encoding="utf-8")
    with Store(tmp_path / "p.db") as st:
        report = import_paths(st, [f], skip_bad_records=True)
        (msg,) = report.skipped
        assert msg.startswith(f"{f}, line 2: relation to_id 'missing'")
        texts = {st.get_document(i).text[:5] for i in st.document_ids()}
        assert texts == {"Grace", "Nothi"}  # nothing of task 1, not even its first annotation


def test_conll_document_with_a_bad_line_is_left_out_whole(tmp_path: Path) -> None:
    f = tmp_path / "c.conll"
    f.write_text("-DOCSTART- -X- O O\n\nParis B-LOC\n\n-DOCSTART- -X- O O\n\nBerlin B-LOC\nis NNP\n\n"
                 "-DOCSTART- -X- O O\n\nRome B-LOC\n", encoding="utf-8")
    with Store(tmp_path / "p.db") as st:
        report = import_paths(st, [f], skip_bad_records=True)
        assert report.skipped == [f"{f}, line 8: 'NNP' is not an IOB/BILOU entity tag (expected O, B-LABEL, "
                                  "I-LABEL, L-LABEL or U-LABEL in the last column) (record skipped)"]
        names = sorted(st.get_document(i).name for i in st.document_ids())
        assert names == ["c", "c:3"]


def test_a_bad_brat_file_skips_that_document(tmp_path: Path) -> None:
    src = DATA / "import" / "brat"
    for p in src.iterdir():
        shutil.copy(p, tmp_path / p.name)
    (tmp_path / "bad.txt").write_text("Some text.", encoding="utf-8")
    (tmp_path / "bad.ann").write_text("T1\tORG 0 500\tSome\n", encoding="utf-8")
    with Store(tmp_path / "p.db") as st:
        report = import_paths(st, [tmp_path], skip_bad_records=True)
        assert len(report.skipped) == 1 and "bad.ann" in report.skipped[0]
        assert st.count_documents() == 2
