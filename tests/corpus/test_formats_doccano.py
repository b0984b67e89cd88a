"""doccano JSONL exports, both shapes, against doccano's own example exports."""

import json
from pathlib import Path

import pytest

from corpus.errors import InputError
from corpus.formats.detect import detect_format
from corpus.formats.doccano import read_doccano

DATA = Path(__file__).resolve().parent.parent / "data" / "import" / "doccano"


def test_sequence_labelling_export() -> None:
    f = DATA / "data_export__sequence_labeling__example.jsonl"
    assert detect_format(f) == "doccano"
    recs = list(read_doccano(f))
    assert [r.text for r in recs] == [
        "EU rejects German call to boycott British lamb.", "Peter Blackburn", "President Obama"
    ]
    assert [r.spans for r in recs] == [
        ((0, 2, "ORG"), (11, 17, "MISC")), ((0, 15, "PERSON"),), ((10, 15, "PERSON"),)
    ]
    assert recs[2].text[10:15] == "Obama"
    assert all(r.annotated for r in recs)


def test_relation_extraction_export() -> None:
    f = DATA / "data_export__relation_extraction__example.jsonl"
    assert detect_format(f) == "doccano"
    (rec,) = read_doccano(f)
    assert [rec.text[s:e] for s, e, _ in rec.spans] == [
        "Google", "September 4, 1998", "Larry Page", "Sergey Brin"
    ]
    assert [lab for _, _, lab in rec.spans] == ["ORG", "DATE", "PERSON", "PERSON"]
    assert rec.relations == ((0, 1, "foundedAt"), (0, 2, "foundedBy"), (0, 3, "foundedBy"))


def test_extra_keys_become_meta_and_id_names_the_document(tmp_path: Path) -> None:
    f = tmp_path / "d.jsonl"
    f.write_text(json.dumps({"id": 42, "text": "Hi Bob", "label": [[3, 6, "PERSON"]], "Comments": ["ok"]}) + "\n")
    (rec,) = read_doccano(f)
    assert rec.name == "42" and rec.meta == {"id": 42, "Comments": ["ok"]}


def test_relation_to_a_missing_entity(tmp_path: Path) -> None:
    obj = json.loads((DATA / "data_export__relation_extraction__example.jsonl").read_text())
    obj["relations"].append({"id": 9, "from_id": 0, "to_id": 77, "type": "foundedBy"})
    f = tmp_path / "rel.jsonl"
    f.write_text("\n" + json.dumps(obj) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"rel\.jsonl, line 2: relation 'foundedBy' to_id 77 is not an entity"):
        list(read_doccano(f))


def test_span_outside_the_text(tmp_path: Path) -> None:
    f = tmp_path / "out.jsonl"
    f.write_text('{"text": "Peter", "label": [[0, 5, "PERSON"]]}\n{"text": "Peter", "label": [[0, 50, "PERSON"]]}\n')
    with pytest.raises(InputError, match=r"out\.jsonl, line 2: span 0-50 'PERSON' is outside the text \(length 5\)"):
        list(read_doccano(f))


def test_offsets_after_an_emoji_count_utf16_code_units_as_doccano_does(tmp_path: Path) -> None:
    """doccano/doccano#2290: the browser counts an emoji outside the BMP as two units."""
    text = "\U0001F468\U0001F3FB\u200D\U0001F692 firemen drive firetrucks \U0001F692 in K\u00f6ln"
    # what doccano exports: "firetrucks" at 22-32, "Köln" after a second emoji
    rows = [
        {"text": text, "label": [[22, 32, "VEHICLE"], [39, 43, "GPE"]]},
        {"text": text, "entities": [{"id": 1, "label": "VEHICLE", "start_offset": 22, "end_offset": 32},
                                    {"id": 2, "label": "GPE", "start_offset": 39, "end_offset": 43}],
         "relations": [{"id": 1, "from_id": 1, "to_id": 2, "type": "LOCATED_IN"}]},
    ]
    f = tmp_path / "emoji.jsonl"
    f.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    recs = list(read_doccano(f))
    for rec in recs:
        assert [rec.text[s:e] for s, e, _ in rec.spans] == ["firetrucks", "K\u00f6ln"]
    assert recs[1].relations == ((0, 1, "LOCATED_IN"),)
    # one warning per file, not per record
    assert [w for rec in recs for w in rec.warnings if "UTF-16" in w] == [
        f"{f}, line 1: offsets in texts holding characters outside the Basic Multilingual Plane (e.g. emoji) "
        "were read as UTF-16 code units, as doccano counts them"
    ]


def test_an_offset_inside_an_emoji_is_a_clear_error(tmp_path: Path) -> None:
    f = tmp_path / "split.jsonl"
    f.write_text(json.dumps({"text": "\U0001F600 Bob", "label": [[1, 6, "PERSON"]]}) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"split\.jsonl, line 1: span 1-6 'PERSON': offset 1 splits a character"):
        list(read_doccano(f))


def test_texts_within_the_bmp_keep_their_offsets_and_get_no_warning(tmp_path: Path) -> None:
    f = tmp_path / "plain.jsonl"
    f.write_text(json.dumps({"text": "\u201cK\u00f6ln\u201d \u2014 Bob", "label": [[1, 5, "GPE"], [9, 12, "PERSON"]]},
                            ensure_ascii=False) + "\n", encoding="utf-8")
    (rec,) = read_doccano(f)
    assert [rec.text[s:e] for s, e, _ in rec.spans] == ["K\u00f6ln", "Bob"] and rec.warnings == ()
