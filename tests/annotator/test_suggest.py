"""Suggesters with a blank pipeline and patterns (fast): model layer, patterns, resume, --force,
label mapping, Ctrl-C, propagation, accept / reject and their undo, suggester quality, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy

import annotator.suggest as suggest_mod
import annotator.suggesters.job as suggest_job_mod
import annotator.suggesters.spacy_model as spacy_model
from annotator.cli import main
from annotator.progress import drain
from annotator.quality import suggester_quality
from annotator.suggest import (
    NO_MODEL_REASON,
    PATTERNS_LAYER,
    ModelError,
    accept_all_edit,
    accept_edit,
    load_patterns_file,
    pending_suggestions,
    propagate,
    reject_edit,
    resolve_model,
    suggest_job,
)
from annotator.tokenize import tokenize
from corpus.errors import AnnotationError, InputError
from corpus.model import Document, DocumentStatus, Label, Span
from corpus.store import Store

LABELS = ["PERSON", "ORG", "GPE"]
MODEL_LAYER = "model:en_test_ruler@1.2.3"

TEXTS = [
    "Alice Smith joined Acme Corp in Paris. Later Alice Smith left Paris.",
    "Bob Jones met Alice Smith at Acme Corp today.",
    "The Widget Guild praised Bob Jones.",
    "Nothing to see here.",
    "Paris is lovely; Alicent Smithers is not Alice Smith.",
]


@pytest.fixture(scope="module")
def ruler_model(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A tiny 'model' on disk: a blank English pipeline whose entity ruler plays the NER.

    It emits a label outside the project schema (MISC) and one the project maps (COMPANY)."""
    nlp = spacy.blank("en")
    nlp.meta["name"] = "test_ruler"
    nlp.meta["version"] = "1.2.3"
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([
        {"label": "PERSON", "pattern": "Alice Smith"},
        {"label": "PERSON", "pattern": "Bob Jones"},
        {"label": "COMPANY", "pattern": "Acme Corp"},
        {"label": "GPE", "pattern": "Paris"},
        {"label": "MISC", "pattern": "Widget Guild"},
    ])
    path = tmp_path_factory.mktemp("model") / "test_ruler"
    nlp.to_disk(path)
    return str(path)


def make_store(path: str | Path = ":memory:", texts: list[str] = TEXTS) -> Store:
    store = Store(path)
    store.set_labels([Label(n) for n in LABELS])
    add_texts(store, texts)
    store.add_annotator("alice")
    return store


def add_texts(store: Store, texts: list[str]) -> list[int]:
    ids = []
    for i, t in enumerate(texts):
        toks, sents = tokenize(t)
        ids.append(store.add_document(Document(text=t, name=f"doc{store.count_documents() + 1}", tokens=toks, sents=sents)))
    return ids


def texts_of(store: Store, layer: str) -> list[tuple[int, str, str]]:
    out = []
    for sp in store.spans(layers=layer):
        out.append((sp.doc_id, store.get_document(sp.doc_id).text[sp.start:sp.end], sp.label))
    return out


def write_patterns(tmp_path: Path, lines: list[object], name: str = "patterns.jsonl") -> Path:
    p = tmp_path / name
    p.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    return p


# -- model choice ------------------------------------------------------------------------------


def test_resolve_model_by_path_records_name_and_version(ruler_model: str) -> None:
    store = make_store()
    choice = resolve_model(store, ruler_model)
    assert choice is not None and choice.layer == MODEL_LAYER
    store.set_setting("model", ruler_model)
    assert resolve_model(store).layer == MODEL_LAYER


def test_unknown_model_is_a_one_line_error_naming_it() -> None:
    store = make_store()
    with pytest.raises(ModelError, match="no_such_pipeline_xyz") as err:
        drain(suggest_job(store, model="no_such_pipeline_xyz"))
    assert "\n" not in str(err.value)
    assert store.count_spans() == 0
    store.set_setting("model", "/nonexistent/pipeline")
    with pytest.raises(ModelError, match="project setting 'model'"):
        resolve_model(store)


def test_default_model_is_an_installed_english_pipeline() -> None:
    choice = resolve_model(make_store())
    assert choice is not None
    assert choice.package.startswith("en_core_web_")
    assert choice.layer == f"model:{choice.package}@{choice.version}"


def test_default_model_order_prefers_bigger_official_packages(monkeypatch: pytest.MonkeyPatch) -> None:
    store = make_store()
    monkeypatch.setattr(spacy_model, "_choice", lambda name, origin: (name, origin))
    installed = {"en_core_web_sm", "en_core_web_md", "en_core_web_trf", suggest_mod.FALLBACK_MODEL}
    monkeypatch.setattr(spacy_model, "_installed", lambda package: package in installed)
    assert resolve_model(store) == ("en_core_web_md", "installed")
    installed -= {"en_core_web_md", "en_core_web_sm"}
    assert resolve_model(store) == ("en_core_web_trf", "installed")
    installed.discard("en_core_web_trf")
    assert resolve_model(store) == (suggest_mod.FALLBACK_MODEL, "fallback")
    store.set_setting("model", "my_pipeline")
    assert resolve_model(store) == ("my_pipeline", "project setting 'model'")
    assert resolve_model(store, "other") == ("other", "--model")


def test_without_any_model_patterns_and_propagation_still_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spacy_model, "_installed", lambda package: False)
    store = make_store()
    assert resolve_model(store) is None
    pats = write_patterns(tmp_path, [{"label": "GPE", "pattern": "Paris"}])
    store.add_span(Span(doc_id=2, layer="alice", start=0, end=9, label="PERSON"))  # Bob Jones
    report = drain(suggest_job(store, patterns=pats))
    assert report.model is None and report.no_model_reason == NO_MODEL_REASON
    assert {t for _, t, _ in texts_of(store, PATTERNS_LAYER)} == {"Paris"}
    assert (3, "Bob Jones", "PERSON") in texts_of(store, "match:alice")
    assert not [layer for layer in store.layers() if layer.startswith("model:")]


# -- the model layer ---------------------------------------------------------------------------


def test_model_layer_maps_labels_and_drops_labels_outside_the_schema(ruler_model: str) -> None:
    store = make_store()
    store.set_setting("label_map", {"COMPANY": "ORG"})
    report = drain(suggest_job(store, model=ruler_model))
    got = texts_of(store, MODEL_LAYER)
    assert (1, "Acme Corp", "ORG") in got and (2, "Acme Corp", "ORG") in got
    assert (1, "Alice Smith", "PERSON") in got
    assert not any(t == "Widget Guild" for _, t, _ in got)
    lr = report.layer(MODEL_LAYER)
    assert lr is not None and lr.docs == len(TEXTS)
    assert lr.dropped == {"MISC": 1}
    assert lr.labels["ORG"] == 2
    # Only whole tokens: "Alicent Smithers" is not "Alice Smith".
    assert [t for d, t, _ in got if d == 5] == ["Paris", "Alice Smith"]


def test_identity_mapping_drops_unmapped_model_labels(ruler_model: str) -> None:
    store = make_store()
    report = drain(suggest_job(store, model=ruler_model))
    assert report.layer(MODEL_LAYER).dropped == {"COMPANY": 2, "MISC": 1}
    store.set_setting("label_map", {"PERSON": None, "COMPANY": "ORG"})
    report = drain(suggest_job(store, model=ruler_model, force=True))
    assert report.layer(MODEL_LAYER).dropped == {"PERSON": 6, "MISC": 1}
    assert {lab for _, _, lab in texts_of(store, MODEL_LAYER)} == {"ORG", "GPE"}


def test_second_run_resumes_and_force_replaces(ruler_model: str) -> None:
    store = make_store()
    drain(suggest_job(store, model=ruler_model, batch_size=2))
    first = texts_of(store, MODEL_LAYER)
    # A stale span in the layer (as from an older run) ...
    store.add_span(Span(doc_id=4, layer=MODEL_LAYER, start=0, end=7, label="ORG"))
    report = drain(suggest_job(store, model=ruler_model, batch_size=2))
    lr = report.layer(MODEL_LAYER)
    assert lr.docs == 0 and lr.skipped == len(TEXTS)
    assert len(texts_of(store, MODEL_LAYER)) == len(first) + 1  # untouched without --force
    [new_id] = add_texts(store, ["Bob Jones again."])
    report = drain(suggest_job(store, model=ruler_model, batch_size=2))
    assert report.layer(MODEL_LAYER).docs == 1
    assert (new_id, "Bob Jones", "PERSON") in texts_of(store, MODEL_LAYER)
    report = drain(suggest_job(store, model=ruler_model, batch_size=2, force=True))
    assert report.layer(MODEL_LAYER).docs == len(TEXTS) + 1
    assert sorted(texts_of(store, MODEL_LAYER)) == sorted(first + [(new_id, "Bob Jones", "PERSON")])


def test_doc_ids_restrict_the_run(ruler_model: str) -> None:
    store = make_store()
    drain(suggest_job(store, model=ruler_model, doc_ids=[2]))
    assert {d for d, _, _ in texts_of(store, MODEL_LAYER)} == {2}
    assert store.suggested_documents(MODEL_LAYER) == {2}


def test_interrupt_between_batches_keeps_finished_batches(tmp_path: Path, ruler_model: str) -> None:
    db = tmp_path / "p.db"
    store = make_store(db)
    job = suggest_job(store, model=ruler_model, batch_size=2)
    with pytest.raises(KeyboardInterrupt):
        for p in job:
            if p.done >= 2:  # the progress callback after batch 1
                raise KeyboardInterrupt
    job.close()
    store.close()
    store = Store(db)  # what is on disk
    assert store.suggested_documents(MODEL_LAYER) == {1, 2}
    assert {d for d, _, _ in texts_of(store, MODEL_LAYER)} == {1, 2}
    report = drain(suggest_job(store, model=ruler_model, batch_size=2))
    assert report.layer(MODEL_LAYER).docs == 3 and report.layer(MODEL_LAYER).skipped == 2
    assert store.suggested_documents(MODEL_LAYER) == {1, 2, 3, 4, 5}


def test_interrupt_inside_a_batch_writes_nothing_of_it(tmp_path: Path, ruler_model: str, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "p.db"
    store = make_store(db)
    real = suggest_job_mod._found_to_spans

    def flaky(doc, doc_id, *a, **k):  # type: ignore[no-untyped-def]
        if doc_id == 4:
            raise KeyboardInterrupt
        return real(doc, doc_id, *a, **k)

    monkeypatch.setattr(suggest_job_mod, "_found_to_spans", flaky)
    with pytest.raises(KeyboardInterrupt):
        drain(suggest_job(store, model=ruler_model, batch_size=2))
    store.close()
    store = Store(db)
    # Batch 1 (docs 1, 2) is kept; doc 3 was processed but its batch never committed.
    assert store.suggested_documents(MODEL_LAYER) == {1, 2}
    assert {d for d, _, _ in texts_of(store, MODEL_LAYER)} == {1, 2}


def test_n_process_2_gives_the_same_suggestions_and_cancels_cleanly(ruler_model: str) -> None:
    import multiprocessing

    one, two = make_store(), make_store()
    drain(suggest_job(one, model=ruler_model, batch_size=2))
    drain(suggest_job(two, model=ruler_model, batch_size=2, n_process=2))
    assert texts_of(one, MODEL_LAYER) == texts_of(two, MODEL_LAYER)
    # Cancelling (the window closes the generator) stops the workers and keeps batch 1.
    three = make_store()
    job = suggest_job(three, model=ruler_model, batch_size=2, n_process=2)
    for p in job:
        if p.done >= 2:
            break
    job.close()
    assert not multiprocessing.active_children()
    assert three.suggested_documents(MODEL_LAYER) == {1, 2}


# -- patterns ----------------------------------------------------------------------------------


def test_patterns_are_stored_and_run_token_and_phrase(tmp_path: Path) -> None:
    store = make_store()
    pats = write_patterns(tmp_path, [
        {"label": "ORG", "pattern": [{"LOWER": "acme"}, {"LOWER": "corp"}], "id": "acme"},
        {"label": "GPE", "pattern": "Paris"},
        "",
    ])
    report = drain(suggest_job(store, patterns=pats, use_model=False))
    assert report.patterns_loaded == 2
    assert len(store.patterns()) == 2
    got = texts_of(store, PATTERNS_LAYER)
    assert (1, "Acme Corp", "ORG") in got and (1, "Paris", "GPE") in got and (5, "Paris", "GPE") in got
    # The stored patterns run again without the option; resumable like the model.
    report = drain(suggest_job(store, use_model=False))
    assert report.layer(PATTERNS_LAYER).skipped == len(TEXTS)
    # New patterns make the old rules' output stale everywhere, even outside the documents run.
    pats2 = write_patterns(tmp_path, [{"label": "PERSON", "pattern": "Bob Jones"}], "p2.jsonl")
    drain(suggest_job(store, patterns=pats2, use_model=False, doc_ids=[3]))
    assert texts_of(store, PATTERNS_LAYER) == [(3, "Bob Jones", "PERSON")]
    assert store.suggested_documents(PATTERNS_LAYER) == {3}
    report = drain(suggest_job(store, use_model=False))
    assert report.layer(PATTERNS_LAYER).docs == len(TEXTS) - 1
    assert {(d, t) for d, t, _ in texts_of(store, PATTERNS_LAYER)} == {(2, "Bob Jones"), (3, "Bob Jones")}


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('{"label": "ORG", "pattern": "Acme"', "not valid JSON"),
        ('{"label": "FOOD", "pattern": "Acme"}', "label 'FOOD' is not an entity label"),
        ('{"label": "ORG", "pattern": [{"LOWR": "acme"}]}', "invalid token pattern"),
        ('{"label": "ORG", "pattern": [{"POS": "PROPN"}]}', "POS"),
        ('{"label": "ORG"}', "'pattern' must be"),
        ('["ORG", "Acme"]', "JSON object"),
    ],
)
def test_bad_patterns_file_names_file_and_line_and_stores_nothing(tmp_path: Path, line: str, reason: str) -> None:
    store = make_store()
    store.set_patterns([{"label": "GPE", "pattern": "Paris"}])
    pats = write_patterns(tmp_path, [{"label": "ORG", "pattern": "Acme Corp"}, "", line])
    with pytest.raises(InputError) as err:
        drain(suggest_job(store, patterns=pats, use_model=False))
    msg = str(err.value)
    assert msg.startswith(f"{pats}, line 3: ") and reason in msg and "\n" not in msg
    assert store.patterns() == [{"label": "GPE", "pattern": "Paris"}]
    assert store.count_spans() == 0


def test_patterns_file_missing_or_empty(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such patterns file"):
        load_patterns_file(tmp_path / "nope.jsonl", LABELS)
    (tmp_path / "empty.jsonl").write_text("\n\n", encoding="utf-8")
    with pytest.raises(InputError, match="holds no patterns"):
        load_patterns_file(tmp_path / "empty.jsonl", LABELS)


# -- propagation -------------------------------------------------------------------------------


def accept_text(store: Store, doc_id: int, text: str, label: str, who: str = "alice") -> Span:
    doc = store.get_document(doc_id)
    start = doc.text.index(text)
    return store.add_span(Span(doc_id=doc_id, layer=who, start=start, end=start + len(text), label=label))


def test_propagation_proposes_other_aligned_occurrences_across_documents() -> None:
    store = make_store()
    accept_text(store, 1, "Alice Smith", "PERSON")
    n = propagate(store, "alice")
    got = texts_of(store, "match:alice")
    # The second occurrence in the same document, and the other documents; never the span
    # itself, never "Alicent Smithers"; only for alice.
    assert sorted(got) == [(1, "Alice Smith", "PERSON"), (2, "Alice Smith", "PERSON"), (5, "Alice Smith", "PERSON")]
    assert n == 3
    second = store.get_document(1).text.rindex("Alice Smith")
    assert [(s.start) for s in store.spans(1, "match:alice")] == [second]
    assert pending_suggestions(store, 2, "bob") == []


def test_propagation_skips_rejected_and_overlapping_and_follows_deletions() -> None:
    store = make_store()
    mine = accept_text(store, 1, "Alice Smith", "PERSON")
    accept_text(store, 5, "Alice Smith", "ORG")  # a different label on the same text
    propagate(store, "alice")
    sugg = next(s for s in pending_suggestions(store, 2, "alice") if s.label == "PERSON")
    reject_edit(store, sugg, "alice").apply(store)
    propagate(store, "alice")
    assert (2, "Alice Smith", "PERSON") not in texts_of(store, "match:alice")
    assert (2, "Alice Smith", "ORG") in texts_of(store, "match:alice")
    # doc 5's occurrence overlaps alice's own ORG span: nothing proposed there.
    assert not store.spans(5, "match:alice")
    store.delete_span(mine.id)
    propagate(store, "alice", texts=["Alice Smith"])
    assert all(lab == "ORG" for _, _, lab in texts_of(store, "match:alice"))


def test_incremental_propagation_matches_full_rebuild() -> None:
    store = make_store()
    accept_text(store, 1, "Paris", "GPE")
    accept_text(store, 2, "Bob Jones", "PERSON")
    propagate(store, "alice", texts=["Paris"])
    propagate(store, "alice", texts=["Bob Jones"])
    incremental = sorted(texts_of(store, "match:alice"))
    propagate(store, "alice")
    assert sorted(texts_of(store, "match:alice")) == incremental
    assert (3, "Bob Jones", "PERSON") in incremental and (5, "Paris", "GPE") in incremental


# -- pending, accept, reject -------------------------------------------------------------------


def test_accept_and_reject_edits_and_their_undo(ruler_model: str, tmp_path: Path) -> None:
    store = make_store()
    store.set_setting("label_map", {"COMPANY": "ORG"})
    pats = write_patterns(tmp_path, [{"label": "GPE", "pattern": "Paris"}])
    drain(suggest_job(store, model=ruler_model, patterns=pats))
    pending = pending_suggestions(store, 1, "alice")
    paris = [s for s in pending if s.label == "GPE"]
    # Same span from the model and the patterns: shown once, from the patterns layer.
    assert len(paris) == 2 and {s.layer for s in paris} == {PATTERNS_LAYER}
    person = next(s for s in pending if s.label == "PERSON")

    undo = accept_edit(store, person, "alice").apply(store)
    [copy] = store.spans(1, "alice")
    assert copy.key == person.key and copy.source == f"accepted:{person.layer}"
    assert person.key not in {s.key for s in pending_suggestions(store, 1, "alice")}
    undo.apply(store)
    assert store.spans(1, "alice") == []
    assert person.key in {s.key for s in pending_suggestions(store, 1, "alice")}

    undo = reject_edit(store, paris[0], "alice").apply(store)
    assert paris[0].key not in {s.key for s in pending_suggestions(store, 1, "alice")}
    drain(suggest_job(store, model=ruler_model, force=True))  # re-suggesting does not bring it back
    assert paris[0].key not in {s.key for s in pending_suggestions(store, 1, "alice")}
    undo.apply(store)
    assert paris[0].key in {s.key for s in pending_suggestions(store, 1, "alice")}


def test_accept_overlapping_suggestion_is_refused_unless_overlaps_allowed() -> None:
    store = make_store()
    accept_text(store, 1, "Alice", "PERSON")
    sugg = Span(doc_id=1, layer=PATTERNS_LAYER, start=0, end=11, label="PERSON")
    with pytest.raises(AnnotationError, match="overlaps PERSON 0-5 in alice's layer"):
        accept_edit(store, sugg, "alice")
    store.set_setting("allow_overlap", True)
    accept_edit(store, sugg, "alice").apply(store)
    assert len(store.spans(1, "alice")) == 2


def test_accept_all_prefers_longer_and_skips_overlaps_one_undo_step() -> None:
    store = make_store()
    store.add_spans([
        Span(doc_id=1, layer="model:m@1", start=0, end=5, label="PERSON"),  # "Alice"
        Span(doc_id=1, layer="model:m@1", start=0, end=11, label="PERSON"),  # "Alice Smith"
        Span(doc_id=1, layer="model:m@1", start=19, end=23, label="ORG"),  # "Acme"
        Span(doc_id=1, layer=PATTERNS_LAYER, start=19, end=28, label="ORG"),  # "Acme Corp"
        Span(doc_id=1, layer=PATTERNS_LAYER, start=32, end=37, label="GPE"),  # "Paris"
    ])
    accept_text(store, 1, "Paris", "LOC")  # the person's own span wins over the GPE suggestion
    mine_before = store.spans(1, "alice")
    edit = accept_all_edit(store, 1, "alice")
    undo = edit.apply(store)
    got = sorted((s.start, s.end, s.label, s.source) for s in store.spans(1, "alice"))
    assert got == [
        (0, 11, "PERSON", "accepted:model:m@1"),
        (19, 28, "ORG", "accepted:patterns"),
        (32, 37, "LOC", ""),
    ]
    undo.apply(store)
    assert store.spans(1, "alice") == mine_before


# -- quality and the command line --------------------------------------------------------------


def test_suggester_quality_scores_layers_on_done_documents(ruler_model: str) -> None:
    store = make_store()
    store.set_setting("label_map", {"COMPANY": "ORG"})
    drain(suggest_job(store, model=ruler_model))
    # alice agrees on doc 2 with Bob Jones and Acme Corp, misses nothing, adds one span the
    # model lacks; the model's "Alice Smith" there is a false positive for her.
    accept_text(store, 2, "Bob Jones", "PERSON")
    accept_text(store, 2, "Acme Corp", "ORG")
    accept_text(store, 2, "met", "ORG")
    store.set_status(2, "alice", DocumentStatus.DONE)
    accept_text(store, 3, "Bob Jones", "PERSON")  # not done: not counted
    propagate(store, "alice")
    q = suggester_quality(store)
    assert set(q) == {MODEL_LAYER}  # propagation is derived from alice's own layer: not scored
    s = q[MODEL_LAYER]["alice"]
    assert (s["docs"], s["tp"], s["fp"], s["fn"]) == (1, 2, 1, 1)
    assert s["precision"] == pytest.approx(2 / 3) and s["f1"] == pytest.approx(2 / 3)
    assert s["per_label"]["PERSON"]["tp"] == 1


def test_cli_suggest_summary_and_errors(tmp_path: Path, ruler_model: str, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "p.db"
    make_store(db).close()
    pats = write_patterns(tmp_path, [{"label": "GPE", "pattern": "Paris"}])
    assert main(["suggest", str(db), "--model", ruler_model, "--patterns", str(pats), "--batch-size", "2"]) == 0
    out = capsys.readouterr().out
    assert f"{MODEL_LAYER}: 5 documents, 9 spans (PERSON 6, GPE 3)" in out
    assert "dropped labels outside the project schema: COMPANY 2, MISC 1" in out
    assert "patterns: 5 documents, 3 spans (GPE 3)" in out
    assert main(["suggest", str(db), "--model", ruler_model, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["layers"][0]["skipped"] == 5
    bad = write_patterns(tmp_path, ['{"label": "GPE", "pattern": "Paris"}', "{oops"], "bad.jsonl")
    assert main(["suggest", str(db), "--patterns", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and f"{bad}, line 2" in err


def test_cli_no_model_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spacy_model, "_installed", lambda package: False)
    db = tmp_path / "p.db"
    make_store(db).close()
    assert main(["suggest", str(db)]) == 0
    assert NO_MODEL_REASON in capsys.readouterr().out


def test_cli_ctrl_c_exits_130_keeping_finished_batches(
    tmp_path: Path, ruler_model: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import annotator.commands.suggest_cmd as cmd

    def interrupting_bar(job):  # type: ignore[no-untyped-def]
        for p in job:
            if p.done >= 2:
                raise KeyboardInterrupt

    monkeypatch.setattr(cmd, "_run", interrupting_bar)
    db = tmp_path / "p.db"
    make_store(db).close()
    assert main(["suggest", str(db), "--model", ruler_model, "--batch-size", "2"]) == 130
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "2 of" in err[0] and "run the same command again to continue" in err[0]
    with Store(db) as store:
        assert store.suggested_documents(MODEL_LAYER) == {1, 2}


def test_propagation_of_punctuated_and_accented_texts() -> None:
    store = make_store(texts=[
        "The U.S. envoy flew to São Paulo on Monday.",
        "São Paulo and the U.S. signed a deal; SAO PAULO fans cheered.",
        "Sao Paulo is spelled without the accent here, and US without dots.",
    ])
    accept_text(store, 1, "U.S.", "GPE")
    accept_text(store, 1, "São Paulo", "GPE")
    propagate(store, "alice")
    assert sorted(texts_of(store, "match:alice")) == [(2, "São Paulo", "GPE"), (2, "U.S.", "GPE")]


def test_propagation_finds_words_the_full_text_index_sees_inside_longer_words() -> None:
    """The full-text index joins a run of CJK characters (or letters with combining accents) into
    one word, while the stored tokens split it: such occurrences are still proposed."""
    import unicodedata

    store = Store(":memory:")
    store.set_labels([Label(n) for n in LABELS])
    cjk = ["東京に行った。", "私は東京都に住んでいる。東京が好き。"]
    nfd = unicodedata.normalize("NFD", "Zoëlla Marsh")
    for i, text in enumerate([*cjk, f"I met {nfd} today.", f"Then {nfd} left."], start=1):
        if i <= len(cjk):  # pre-tokenised: one token a character, as spaCy's Chinese tokenizer makes
            tokens = tuple((k, k + 1) for k in range(len(text)))
        else:
            tokens, _ = tokenize(text)
        store.add_document(Document(text=text, name=f"doc{i}", tokens=tokens, sents=((0, len(text)),)))
    store.add_annotator("alice")
    store.add_span(Span(doc_id=1, layer="alice", start=0, end=2, label="GPE"))  # 東京
    accept_text(store, 3, nfd, "PERSON")
    propagate(store, "alice")
    got = sorted(texts_of(store, "match:alice"))
    tokyo = [(d, t) for d, t, lab in got if lab == "GPE"]
    assert tokyo == [(2, "東京"), (2, "東京")]  # in 東京都 (token-aligned here) and 東京が
    assert (4, nfd, "PERSON") in got
    # The incremental refresh the window runs finds them too.
    store.delete_layer_annotations("match:alice")
    propagate(store, "alice", texts=["東京", nfd])
    assert sorted(texts_of(store, "match:alice")) == got


def test_patterns_changed_outside_suggest_are_not_skipped_by_resume(tmp_path: Path) -> None:
    """`annotator merge` adds the other project's patterns to the stored ones: the next run must
    apply them, not skip every document as already suggested by the patterns layer."""
    store = make_store()
    pats = write_patterns(tmp_path, [{"label": "GPE", "pattern": "Paris"}])
    drain(suggest_job(store, patterns=pats, use_model=False))
    assert {t for _, t, _ in texts_of(store, PATTERNS_LAYER)} == {"Paris"}
    store.set_patterns([{"label": "PERSON", "pattern": "Bob Jones"}], replace_all=False)  # what merge does
    report = drain(suggest_job(store, use_model=False))
    assert report.layer(PATTERNS_LAYER).docs == len(TEXTS)
    assert {t for _, t, _ in texts_of(store, PATTERNS_LAYER)} == {"Paris", "Bob Jones"}
    # Unchanged rules: the run after resumes as before.
    assert drain(suggest_job(store, use_model=False)).layer(PATTERNS_LAYER).skipped == len(TEXTS)


def test_cli_model_given_becomes_the_projects_model(tmp_path: Path, ruler_model: str) -> None:
    db = tmp_path / "p.db"
    make_store(db).close()
    assert main(["suggest", str(db), "--model", ruler_model]) == 0
    with Store(db) as store:
        assert store.get_setting("model") == str(Path(ruler_model).resolve())
        assert resolve_model(store).layer == MODEL_LAYER


def test_a_changed_label_map_recomputes_the_model_layer_instead_of_resuming(ruler_model: str) -> None:
    store = make_store()
    drain(suggest_job(store, model=ruler_model))
    assert "ORG" not in {label for _, _, label in texts_of(store, MODEL_LAYER)}  # COMPANY dropped
    store.set_setting("label_map", {"COMPANY": "ORG"})
    report = drain(suggest_job(store, model=ruler_model))
    assert report.layer(MODEL_LAYER).docs == len(TEXTS) and report.layer(MODEL_LAYER).skipped == 0
    assert (1, "Acme Corp", "ORG") in texts_of(store, MODEL_LAYER)
    # A model layer computed before fingerprints were recorded is kept and resumed, not redone.
    store.set_setting(f"fingerprint:{MODEL_LAYER}", None)
    assert drain(suggest_job(store, model=ruler_model)).layer(MODEL_LAYER).skipped == len(TEXTS)
