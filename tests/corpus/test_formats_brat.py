"""brat standoff, against brat's own tutorial documents and annotation.conf."""

import shutil
from pathlib import Path

import pytest

from corpus.errors import InputError
from corpus.formats.brat import read_annotation_conf, read_brat
from corpus.formats.detect import detect_format, expand_paths

DATA = Path(__file__).resolve().parent.parent / "data" / "import" / "brat"


def test_060_relations_and_equivalence_lines() -> None:
    assert detect_format(DATA / "060-relation_annotation.txt") == "brat"
    assert detect_format(DATA / "060-relation_annotation.ann") == "brat"
    (rec,) = read_brat(DATA / "060-relation_annotation.txt")
    assert rec.name == "060-relation_annotation"
    assert len(rec.spans) == 10
    assert rec.spans[0] == (139, 154, "Person") and rec.text[139:154] == "Terry Pratchett"
    assert rec.text[164:171] == "England"
    # every T line's own text equals the .txt at its offsets (no mismatch warning)
    assert not any("differs" in w for w in rec.warnings)
    assert rec.relations == ((0, 1, "Located"),)  # R1 Located Arg1:T1 Arg2:T2, line ends with a tab
    assert any("skipped 1 equivalence line" in w for w in rec.warnings)


def test_070_three_relations_by_id() -> None:
    (rec,) = read_brat(DATA / "070-editing_relation_annotations.ann")
    assert len(rec.spans) == 9
    got = [(rec.text[slice(*rec.spans[h][:2])], rec.text[slice(*rec.spans[c][:2])], lab) for h, c, lab in rec.relations]
    assert got == [
        ("Terry Pratchett", "Yokohama", "Located"),
        ("Terry Pratchett", "Oxfordshire", "Located"),
        ("Terry Pratchett", "Buckinghamshire", "Employment"),
    ]


def test_annotation_conf_types() -> None:
    ents, rels = read_annotation_conf(DATA / "annotation.conf")
    assert ents == ["Person", "Organization", "GPE", "Money"]
    assert rels[:2] == ["Located", "Geographical_part"] and "Alias" in rels


def test_folder_pairs_txt_and_ann(tmp_path: Path) -> None:
    shutil.copytree(DATA, tmp_path / "news")
    items = list(expand_paths([tmp_path], "auto"))
    assert [(i.path.name, i.fmt) for i in items] == [
        ("060-relation_annotation.txt", "brat"),
        ("070-editing_relation_annotations.txt", "brat"),
        ("annotation.conf", "brat-conf"),
    ]


def _pair(tmp_path: Path, ann: str, text: str = "Terry Pratchett lives in England.") -> Path:
    (tmp_path / "doc.txt").write_text(text, encoding="utf-8")
    (tmp_path / "doc.ann").write_text(ann, encoding="utf-8")
    return tmp_path / "doc.txt"


def test_discontinuous_span_is_a_clear_error(tmp_path: Path) -> None:
    f = _pair(tmp_path, "T1\tPerson 0 5\tTerry\nT2\tPerson 0 5;6 15\tTerry Pratchett\n")
    with pytest.raises(InputError, match=r"doc\.ann, line 2: T2 is a discontinuous span \(0 5;6 15\)"):
        list(read_brat(f))


def test_relation_to_missing_t(tmp_path: Path) -> None:
    f = _pair(tmp_path, "T1\tPerson 0 15\tTerry Pratchett\nR1\tLocated Arg1:T1 Arg2:T9\t\n")
    with pytest.raises(InputError, match=r"doc\.ann, line 2: relation 'Located' points to T9"):
        list(read_brat(f))


def test_span_outside_text(tmp_path: Path) -> None:
    f = _pair(tmp_path, "T1\tPerson 0 500\tTerry\n")
    with pytest.raises(InputError, match=r"doc\.ann, line 1: T1 span 0-500 is outside the text"):
        list(read_brat(f))


def test_notes_are_skipped_and_counted_attributes_kept(tmp_path: Path) -> None:
    f = _pair(tmp_path, "T1\tPerson 0 15\tTerry Pratchett\nA1\tNegated T1\n#1\tAnnotatorNotes T1\tauthor\n")
    (rec,) = read_brat(f)
    assert rec.spans == ((0, 15, "Person"),)
    assert rec.span_info == {(0, 15, "Person"): ("", (("Negated", True),))}
    assert any("1 note line" in w for w in rec.warnings)


def test_crlf_offsets_are_kept_as_brat_counts_them(tmp_path: Path) -> None:
    f = _pair(tmp_path, "T1\tGPE 8 15\tEngland\n", text="Line 1\r\nEngland")
    (rec,) = read_brat(f)
    assert rec.text[8:15] == "England" and not rec.warnings


def test_a_byte_order_mark_counts_as_a_character_for_brat(tmp_path: Path) -> None:
    """brat reads the .txt as plain UTF-8 (``codecs.open(..., 'utf8')``): a BOM is character 0."""
    (tmp_path / "doc.txt").write_bytes(b"\xef\xbb\xbf" + "Zoë lives in “Köln”.".encode("utf-8"))
    (tmp_path / "doc.ann").write_text("T1\tPerson 1 4\tZoë\nT2\tGPE 15 19\tKöln\nR1\tLives Arg1:T1 Arg2:T2\n",
                                      encoding="utf-8")
    (rec,) = read_brat(tmp_path / "doc.ann")
    assert rec.text.startswith("Zoë")
    assert [rec.text[s:e] for s, e, _ in rec.spans] == ["Zoë", "Köln"] and not rec.warnings
    assert rec.relations == ((0, 1, "Lives"),)
