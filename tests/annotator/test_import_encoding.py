"""--encoding for every text importer: Latin-1 corpora (the CoNLL-2002 files) import when named,
and without it the refusal says how to name the encoding."""

import json
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.importing import import_paths
from corpus.errors import InputError
from corpus.store import Store

LATIN1 = Path(__file__).resolve().parent.parent / "data" / "interop" / "conll" / "conll2002_layout_latin1.txt"


def test_conll2002_latin1_needs_and_takes_an_encoding(tmp_path: Path, capsys) -> None:
    db = tmp_path / "p.db"
    assert main(["import", str(db), str(LATIN1)]) != 0
    err = capsys.readouterr().err
    assert "not UTF-8 text" in err and "--encoding" in err and "line 14" in err
    assert main(["import", str(db), str(LATIN1), "--encoding", "latin-1"]) == 0
    with Store(db, create=False) as st:
        (doc_id,) = st.document_ids()
        doc = st.get_document(doc_id)
        assert "Comisión Europea pidió ayer en España" in doc.text
        assert sorted(doc.text[s.start:s.end] for s in st.spans(doc_id)) == [
            "Australia", "Comisión Europea", "EFE", "España", "Melbourne"]


@pytest.mark.parametrize("name, content", [
    ("a.txt", "Zürich is in Switzerland.\n"),
    ("a.jsonl", json.dumps({"text": "Zürich is in Switzerland."}, ensure_ascii=False) + "\n"),
    ("a.jsonl", json.dumps({"text": "Zürich is in Switzerland.", "spans": [{"start": 0, "end": 6, "label": "GPE"}],
                            "answer": "accept"}, ensure_ascii=False) + "\n"),
    ("a.jsonl", json.dumps({"text": "Zürich is in Switzerland.", "label": [[0, 6, "GPE"]]}, ensure_ascii=False) + "\n"),
    ("a.json", json.dumps([{"data": {"text": "Zürich is in Switzerland."}, "annotations": []}], ensure_ascii=False)),
])
def test_every_text_format_reads_latin1(tmp_path: Path, name: str, content: str) -> None:
    f = tmp_path / name
    f.write_bytes(content.encode("latin-1"))
    with Store(tmp_path / "p.db") as st:
        with pytest.raises(InputError, match="not UTF-8"):
            import_paths(st, [f])
        import_paths(st, [f], encoding="latin-1")
        (doc_id,) = st.document_ids()
        assert st.get_document(doc_id).text.startswith("Zürich")


def test_brat_pair_in_latin1(tmp_path: Path) -> None:
    (tmp_path / "d.txt").write_bytes("Zürich is nice.".encode("latin-1"))
    (tmp_path / "d.ann").write_bytes("T1\tGPE 0 6\tZürich\n".encode("latin-1"))
    with Store(tmp_path / "p.db") as st:
        report = import_paths(st, [tmp_path / "d.txt"], encoding="latin-1")
        assert report.spans == 1


def test_unknown_and_non_ascii_compatible_encodings_are_named(tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_text("hello", encoding="utf-8")
    with Store(tmp_path / "p.db") as st:
        with pytest.raises(InputError, match="unknown encoding 'klingon'"):
            import_paths(st, [f], encoding="klingon")
        with pytest.raises(InputError, match="'utf-16' is not ASCII-compatible"):
            import_paths(st, [f], encoding="utf-16")
