"""Importing into a project: dedup by content, layers, offsets, labels, statuses, CLI, stats."""

import json
import shutil
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.importing import ImportReport, import_job, import_paths
from annotator.progress import Progress
from annotator.stats import project_stats
from corpus.model import DocumentStatus, LabelKind, is_token_aligned
from corpus.resources import default_labels
from corpus.store import Store

DATA = Path(__file__).resolve().parent.parent / "data" / "import"
PRODIGY = DATA / "prodigy" / "annotated_news_headlines-ner.head20.jsonl"
DOCCANO = DATA / "doccano" / "data_export__sequence_labeling__example.jsonl"


def dump(path: Path) -> str:
    """Every row of the project file, as SQL text (to compare before/after)."""
    with Store(path, create=False) as s:
        return "\n".join(s.db.conn.iterdump())


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def store(tmp_path: Path):
    s = Store(tmp_path / "p.db")
    yield s
    s.close()


def test_every_sample_imports_into_a_new_project(store: Store) -> None:
    report = import_paths(store, [DATA])
    assert isinstance(report, ImportReport)
    assert report.documents_added == 29 and report.documents_existing == 0
    assert report.spans == 70 and report.relations == 7
    assert report.layers == ["brat", "conll", "doccano", "prodigy"]
    # the default schema first, then the labels the files brought, reported as warnings
    names = store.label_names(LabelKind.ENTITY)
    assert set(lab.name for lab in default_labels() if lab.kind is LabelKind.ENTITY) <= set(names)
    assert {"LOCATION", "MISC", "Person"} <= set(names)
    assert "foundedBy" in store.label_names(LabelKind.RELATION)
    assert any("'LOCATION'" in w for w in report.warnings)
    assert any("equivalence" in w for w in report.warnings)


def test_stats_count_off_token_spans_per_layer_over_many_documents(store: Store, tmp_path: Path) -> None:
    import_paths(store, [DATA])
    rows = [{"text": f"Ann met Bob in Rome, story {i}.", "label": [[0, 2, "PERSON"], [8, 11, "PERSON"]]} for i in range(5)]
    # the texts first, so the documents exist with their own tokens ("Ann" one token)
    import_paths(store, [write_jsonl(tmp_path / "texts.jsonl", [{"text": r["text"]} for r in rows])])
    import_paths(store, [write_jsonl(tmp_path / "half.jsonl", rows)], annotator="alice")
    expected: dict[str, int] = {}
    for d in store.document_ids():
        tokens = store.get_document(d).tokens
        for sp in store.spans(d):
            if not is_token_aligned(tokens, sp.start, sp.end):
                expected[sp.layer] = expected.get(sp.layer, 0) + 1
    assert expected["alice"] == 5  # "An" of "Ann"; "Bob" is a token
    got = {name: layer["off_token_spans"] for name, layer in project_stats(store)["layers"].items()}
    assert got == {name: expected.get(name, 0) for name in got}


def test_same_text_again_is_one_document_and_another_annotator_one_more_layer(store: Store) -> None:
    first = import_paths(store, [PRODIGY])
    assert (first.documents_added, first.spans) == (20, 23)
    again = import_paths(store, [PRODIGY])
    assert (again.documents_added, again.documents_existing, again.spans) == (0, 20, 0)
    bob = import_paths(store, [PRODIGY], annotator="bob")
    assert (bob.documents_added, bob.documents_existing, bob.spans, bob.layers) == (0, 20, 23, ["bob"])
    assert store.count_documents() == 20
    assert store.count_spans("prodigy") == store.count_spans("bob") == 23
    assert "bob" in store.annotators()


def test_prodigy_annotator_id_names_the_layer_and_answers_set_status(store: Store, tmp_path: Path) -> None:
    rows = [json.loads(line) for line in PRODIGY.read_text(encoding="utf-8").splitlines()[:3]]
    rows[0]["_annotator_id"] = "news-alice"
    rows[1]["_annotator_id"] = "news-alice"
    rows[1]["answer"] = "reject"
    rows[2]["_annotator_id"] = "news-carol"
    rows[2]["answer"] = "ignore"
    report = import_paths(store, [write_jsonl(tmp_path / "db-out.jsonl", rows)])
    assert report.documents_added == 3
    ids = store.document_ids()
    assert len(store.spans(ids[0], "news-alice")) == 2
    assert store.spans(ids[1]) == [] and store.spans(ids[2]) == []
    assert store.status(ids[0], "news-alice") is DocumentStatus.DONE
    assert store.status(ids[1], "news-alice") is DocumentStatus.SKIPPED
    assert store.status(ids[2], "news-carol") is DocumentStatus.SKIPPED


def test_offsets_off_token_boundaries_are_kept_exactly_and_counted(store: Store, tmp_path: Path) -> None:
    text = "Angela Merkel visited Berlin yesterday."
    import_paths(store, [write_jsonl(tmp_path / "t.jsonl", [{"text": text}])])  # tokens "Berlin", ...
    f = write_jsonl(tmp_path / "d.jsonl", [{"text": text, "label": [[0, 13, "PERSON"], [22, 26, "GPE"]]}])
    report = import_paths(store, [f], annotator="alice")
    assert report.off_token_spans == 1 and report.tokens_split == 0
    (doc_id,) = store.document_ids()
    spans = store.spans(doc_id, "alice")
    assert [(s.start, s.end, s.label) for s in spans] == [(0, 13, "PERSON"), (22, 26, "GPE")]
    doc = store.get_document(doc_id)
    assert not is_token_aligned(doc.tokens, 22, 26)
    stats = project_stats(store)
    assert stats["layers"]["alice"]["off_token_spans"] == 1


def test_file_tokens_are_kept_for_conll_and_prodigy(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "t.conll"
    f.write_text("Don't\tO\nvisit\tO\nU.S.-based\tB-ORG\nfirms\tO\n", encoding="utf-8")
    import_paths(store, [f])
    doc = store.get_document(store.document_ids()[0])
    words = [doc.text[s:e] for s, e in doc.tokens]
    assert words == ["Don't", "visit", "U.S.-based", "firms"]  # spaCy would split "Don't"
    assert doc.sents == ((0, len(doc.text)),)
    import_paths(store, [PRODIGY])
    doc = store.get_document(store.document_ids()[1])
    assert [doc.text[s:e] for s, e in doc.tokens][:3] == ["Uber", "\u2019s", "Lesson"]


@pytest.mark.parametrize(
    "text", ["Bob  ", "Bob \n", "  Bob met Ann.", "Bob\n\nAnn", "Bob   met  Ann .  ", "Bob\t Ann", "Bob \r\nAnn\r\n"]
)
def test_file_tokens_get_the_whitespace_tokens_spacy_would_make(text: str) -> None:
    """A file's own tokens (CoNLL, Prodigy) cover no whitespace; rebuilding the Doc adds the
    whitespace tokens and trailing spaces exactly as the project tokenizer makes them."""
    from annotator.tokenize import project_tokenizer, words_and_spaces

    ref = project_tokenizer().make_doc(text)
    file_tokens = [(t.idx, t.idx + len(t)) for t in ref if not t.is_space]
    assert words_and_spaces(text, file_tokens) == ([t.text for t in ref], [bool(t.whitespace_) for t in ref])


def test_relations_are_stored_between_the_right_spans(store: Store) -> None:
    import_paths(store, [DATA / "doccano" / "data_export__relation_extraction__example.jsonl"])
    (doc_id,) = store.document_ids()
    doc = store.get_document(doc_id)
    by_id = {s.id: doc.text[s.start:s.end] for s in store.spans(doc_id)}
    got = sorted((by_id[r.head], r.label, by_id[r.child]) for r in store.relations(doc_id))
    assert got == [("Google", "foundedAt", "September 4, 1998"), ("Google", "foundedBy", "Larry Page"),
                   ("Google", "foundedBy", "Sergey Brin")]


def test_quotes_sql_and_markup_are_stored_as_data(store: Store, tmp_path: Path) -> None:
    text = "<b>Robert'); DROP TABLE documents;--</b> met \"O'Brien\" & <img src=x onerror=alert(1)>."
    label = "O'Brien \"quoted\"; DROP TABLE spans;--"
    name = "name with 'quotes' \"and\" <i>markup</i>; DELETE FROM documents"
    f = write_jsonl(tmp_path / "evil.jsonl", [{"text": text, "name": name, "label": [[0, 40, label]]}])
    report = import_paths(store, [f], annotator="O'Hara")
    (doc_id,) = store.document_ids()
    doc = store.get_document(doc_id)
    assert (doc.text, doc.name) == (text, name)
    (span,) = store.spans(doc_id, "O'Hara")
    assert span.label == label and label in store.label_names(LabelKind.ENTITY)
    assert report.spans == 1 and store.count_documents() == 1


def test_generator_yields_progress_and_stopping_it_keeps_nothing(store: Store, tmp_path: Path) -> None:
    rows = [{"text": f"Article number {i} about Paris."} for i in range(40)]
    f = write_jsonl(tmp_path / "many.jsonl", rows)
    job = import_job(store, [f], batch_size=8)
    first, second = next(job), next(job)
    assert isinstance(first, Progress) and first.total == 40
    assert second.done == 8
    job.close()  # the window's cancel button
    assert store.count_documents() == 0
    updates = list(import_job(store, [f], batch_size=8))
    assert updates[-1].done == 40 and store.count_documents() == 40


def test_cli_import_then_stats_json_contract(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "new" / "project.db"
    project.parent.mkdir()
    assert main(["import", str(project), str(DOCCANO), "--annotator", "alice"]) == 0
    out = capsys.readouterr().out
    assert out.strip() == (
        "imported 1 file: 3 documents added; 0 already in the project; 4 spans; 0 relations; "
        "layers: alice; 1 warnings"
    )
    assert main(["import", str(project), str(DOCCANO), "--annotator", "bob"]) == 0
    capsys.readouterr()
    assert main(["stats", str(project), "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["documents"] == 3
    assert stats["tokens"] == 9 + 2 + 2  # "EU rejects German call to boycott British lamb ." ...
    for layer in ("alice", "bob"):
        entry = stats["layers"][layer]
        assert entry["spans"] == 4 and entry["relations"] == 0 and entry["done"] == 3
        assert entry["labels"] == {"MISC": 1, "ORG": 1, "PERSON": 2}
        assert isinstance(entry["off_token_spans"], int)
    assert main(["stats", str(project)]) == 0
    table = capsys.readouterr().out
    assert "documents" in table and "alice" in table and "PERSON 2" in table


def test_stats_of_an_empty_project(store: Store) -> None:
    stats = project_stats(store)
    assert stats["documents"] == 0 and stats["tokens"] == 0 and stats["layers"] == {}


def test_brat_folder_with_conf_via_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(DATA / "brat", tmp_path / "brat")
    project = tmp_path / "p.db"
    assert main(["import", str(project), str(tmp_path / "brat"), "--format", "brat"]) == 0
    assert "2 documents added" in capsys.readouterr().out
    with Store(project) as s:
        assert "Ownership" in s.label_names(LabelKind.RELATION)  # from annotation.conf
        assert s.count_relations("brat") == 4 and s.count_spans("brat") == 19


def test_overlapping_spans_are_kept_with_a_warning(store: Store, tmp_path: Path) -> None:
    f = write_jsonl(tmp_path / "o.jsonl", [{"text": "New York City Hall", "label": [[0, 13, "GPE"], [9, 18, "FAC"]]}])
    report = import_paths(store, [f])
    assert report.spans == 2
    warning = next(w for w in report.warnings if "overlapping" in w)
    assert "o.jsonl, line 1" in warning  # names where, so the user can look


def test_two_unicode_forms_of_one_text_stay_two_documents_with_their_own_offsets(store: Store, tmp_path: Path) -> None:
    composed, decomposed = "Caf\u00e9 in Paris", "Cafe\u0301 in Paris"
    import_paths(store, [write_jsonl(tmp_path / "a.jsonl", [{"text": composed, "label": [[8, 13, "GPE"]]}])])
    report = import_paths(store, [write_jsonl(tmp_path / "b.jsonl", [{"text": decomposed, "label": [[9, 14, "GPE"]]}])])
    assert report.documents_added == 1
    texts = {store.get_document(d).text: d for d in store.document_ids()}
    assert [(s.start, s.end) for s in store.spans(texts[decomposed])] == [(9, 14)]
    assert [(s.start, s.end) for s in store.spans(texts[composed])] == [(8, 13)]


def test_explicit_format_overrides_detection(store: Store) -> None:
    # a Prodigy file read as plain JSONL: the texts only, no layer
    report = import_paths(store, [PRODIGY], fmt="jsonl")
    assert (report.documents_added, report.spans, report.layers) == (20, 0, [])
    report = import_paths(store, [DATA / "spacy" / "spacy_test_cli_conll_ner_to_docs_input.txt"], fmt="conll")
    assert (report.documents_added, report.spans) == (1, 10)
    doc_id = store.document_ids()[-1]
    assert len(store.get_document(doc_id).sents) == 5
    assert {store.get_document(doc_id).text[s.start:s.end] for s in store.spans(doc_id)} == {"London", "New York City"}
