"""The spaCy export trains: ``python -m spacy train OUT/config.cfg --paths.train OUT/train.spacy
--paths.dev OUT/dev.spacy`` runs as written (plus only the overrides that make it short) on the
seed corpus, and the trained pipeline loads and tags entities."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import spacy
from spacy.tokens import DocBin

from annotator.export import export
from annotator.tokenize import tokenize
from corpus.model import Document, Relation, Span
from corpus.resources import seeds_dir
from corpus.store import Store

ENTITIES = {
    "Antony Blinken": "PERSON", "Blinken": "PERSON", "Mohammed al-Sudani": "PERSON", "al-Sudani": "PERSON",
    "Sayyed Hassan Nasrallah": "PERSON", "Iraq": "GPE", "Baghdad": "GPE", "Israel": "GPE", "Gaza": "GPE",
    "Turkey": "GPE", "Syria": "GPE", "Iran": "GPE", "Lebanon": "GPE", "Erbil": "GPE", "Washington": "GPE",
    "US": "GPE", "United States": "GPE", "Hamas": "ORG", "Hezbollah": "ORG", "Kataib Hezbollah": "ORG",
    "West Bank": "LOC", "Middle East": "LOC", "Green Zone": "LOC", "Sunday": "DATE", "November 5": "DATE",
    "October 7": "DATE",
}


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed article, one document per paragraph, annotated by string match, exported."""
    store = Store(":memory:")
    names = sorted(ENTITIES, key=len, reverse=True)
    pattern = re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")\b")
    for path in sorted(seeds_dir().glob("*.txt")):
        for i, para in enumerate(p for p in path.read_text(encoding="utf-8").split("\n") if p.strip()):
            tokens, sents = tokenize(para)
            d = store.add_document(Document(text=para, name=f"{path.stem}-{i}", tokens=tokens, sents=sents))
            spans = store.add_spans(
                Span(doc_id=d, layer="gold", start=m.start(), end=m.end(), label=ENTITIES[m.group(1)])
                for m in pattern.finditer(para)
            )
            people = [s for s in spans if s.label == "PERSON"]
            places = [s for s in spans if s.label == "GPE"]
            if people and places:
                store.add_relation(Relation(doc_id=d, layer="gold", head=people[0].id, child=places[0].id,
                                            label="LOCATED_IN"))
    out = tmp_path_factory.mktemp("seed-export")
    report = export(store, out, "spacy", dev_fraction=0.3, seed=1)
    assert report.documents >= 6 and report.dev_documents >= 2 and report.relations >= 1
    return out


def test_exported_seed_corpus_loads(exported: Path) -> None:
    nlp = spacy.blank("en")
    train = list(DocBin().from_disk(exported / "train.spacy").get_docs(nlp.vocab))
    dev = list(DocBin().from_disk(exported / "dev.spacy").get_docs(nlp.vocab))
    assert train and dev
    labels = {e.label_ for d in train + dev for e in d.ents}
    assert {"PERSON", "GPE", "ORG", "DATE"} <= labels
    cfg = (exported / "config.cfg").read_text(encoding="utf-8")
    assert "# NER labels in this export: DATE, GPE, LOC, ORG, PERSON" in cfg


@pytest.mark.slow
def test_spacy_train_runs_on_the_export_as_written(exported: Path, tmp_path: Path) -> None:
    model = tmp_path / "model"
    cmd = [
        sys.executable, "-m", "spacy", "train", str(exported / "config.cfg"),
        "--paths.train", str(exported / "train.spacy"), "--paths.dev", str(exported / "dev.spacy"),
        "--output", str(model),
        # only to keep the test short:
        "--training.max_epochs", "1", "--training.max_steps", "10", "--training.eval_frequency", "5",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    nlp = spacy.load(model / "model-last")
    assert nlp.pipe_names == ["tok2vec", "ner"]
    assert set(nlp.get_pipe("ner").labels) == {"DATE", "GPE", "LOC", "ORG", "PERSON"}
    nlp("Blinken arrived in Baghdad on Sunday.")  # the trained pipeline runs
