"""brat writer: .ann lines, annotation.conf, and file names that are safe whatever the name."""

from __future__ import annotations

import pytest

from corpus.formats.write_brat import annotation_conf, brat_ann, brat_type, safe_stem
from corpus.model import Relation, Span

HOSTILE = [
    "../../etc/passwd", "a/b", "a\\b", "CON", "con.txt", "nul", "LPT1", "..", ".", "", "   ",
    ".hidden", "Zürich 北京 — notes", "x" * 500, "~/evil", "C:\\Windows\\system32", "a\x00b",
    "name\nwith newline", "-rf", "COM1.tar.gz",
]


@pytest.mark.parametrize("name", HOSTILE)
def test_safe_stem_is_a_plain_harmless_file_name(name: str) -> None:
    stem = safe_stem(name, set())
    assert stem and len(stem) <= 90
    assert "/" not in stem and "\\" not in stem and "\x00" not in stem and "\n" not in stem
    assert ".." not in stem and not stem.startswith((".", "-", "~"))
    assert stem.split(".")[0].casefold() not in {"con", "nul", "lpt1", "com1", "prn", "aux"}


def test_safe_stem_keeps_readable_unicode_and_is_unique_case_insensitively() -> None:
    used: set[str] = set()
    assert safe_stem("Zürich 北京", used) == "Zürich-北京"
    a = safe_stem("Report", used)
    b = safe_stem("report", used)
    c = safe_stem("REPORT", used)
    assert len({a.casefold(), b.casefold(), c.casefold()}) == 3
    assert safe_stem("", used, fallback="document-7") == "document-7"


def test_brat_ann_lines() -> None:
    text = "Alice works at Acme Corp in Paris.\nBob too."
    spans = [
        Span(doc_id=1, layer="gold", start=0, end=5, label="PER", id=10),
        Span(doc_id=1, layer="gold", start=15, end=24, label="ORG NAME", id=11),
        Span(doc_id=1, layer="gold", start=28, end=39, label="X", id=12),  # crosses the newline
    ]
    rels = [Relation(doc_id=1, layer="gold", head=10, child=11, label="works for", id=1)]
    bd = brat_ann(text, spans, rels)
    lines = bd.ann.splitlines()
    assert lines[0] == "T1\tPER 0 5\tAlice"
    assert lines[1] == "T2\tORG_NAME 15 24\tAcme Corp"
    assert lines[2] == "T3\tX 28 39\tParis. Bob "
    assert lines[3] == "R1\tworks_for Arg1:T1 Arg2:T2"
    assert bd.multiline_spans == 1 and (bd.entities, bd.relations) == (3, 1)


def test_annotation_conf_is_read_by_our_brat_reader(tmp_path) -> None:
    from corpus.formats.brat import read_annotation_conf

    conf = annotation_conf(["PER", "ORG", "LOC"], [("works_for", "PER", "ORG"), ("works_for", "PER", "LOC"),
                                                   ("born in", "PER", "LOC")])
    assert "works_for\tArg1:PER, Arg2:ORG|LOC" in conf
    assert "born_in\tArg1:PER, Arg2:LOC" in conf
    p = tmp_path / "annotation.conf"
    p.write_text(conf, encoding="utf-8")
    got = read_annotation_conf(p)
    ents, rels = got if isinstance(got, tuple) else (got["entities"], got["relations"])
    assert list(ents) == ["PER", "ORG", "LOC"]
    assert list(rels) == ["works_for", "born_in"]
    assert brat_type("") == "_"
