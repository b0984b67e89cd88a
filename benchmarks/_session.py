"""Helpers of benchmarks/train.py: a simulated labelling session with an oracle annotator.

The oracle labels the fashion documents 100 at a time (the pool's first part), picking them in
order or by "most useful next"; after each 100 the project model is retrained. Before a batch is
labelled, the current model's suggestions are compared with the oracle's spans: every wrong
suggestion to reject and every missed span to add is one correction. After each retrain the
model's suggestion F1 is measured on held-out documents (the end of the file).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any


from annotator.training.evaluate import PRFCounts
from annotator.training.predict import load_trained_model
from annotator.training.spacy_train import train
from annotator.training.useful import most_useful_next, undone_documents
from corpus.model import Document, DocumentStatus, Span
from corpus.store import Store

PERSON = "oracle"


def _records(path: Path, start: int, stop: int) -> list[dict[str, Any]]:
    lines = path.read_text(encoding="utf-8").splitlines()[start:stop]
    return [json.loads(line) for line in lines]


def _document(rec: dict[str, Any]) -> tuple[Document, set[tuple[int, int, str]]]:
    tokens = tuple((t["start"], t["end"]) for t in rec["tokens"])
    gold = {(s["start"], s["end"], s["label"]) for s in rec.get("spans", [])}
    return Document(text=rec["text"], tokens=tokens), gold


def _score(model: Any, docs: list[Document], gold: dict[int, set[tuple[int, int, str]]]) -> dict[str, float]:
    counts = PRFCounts()
    for doc, ents in zip(docs, model.entities(docs)):
        counts.add(gold[doc.id or 0], {(e.start, e.end, e.label) for e in ents})
    return counts.result(per_label=False)


def session(tmp: Path, source: Path, strategy: str, pool: int, held_out: int, every: int,
            steps: int) -> list[str]:
    """Run one simulated session; returns one printed line per round."""
    store = Store(tmp / f"session-{strategy}.db")
    store.add_annotator(PERSON)
    gold: dict[int, set[tuple[int, int, str]]] = {}
    test_docs: list[Document] = []
    for k, rec in enumerate(_records(source, 0, pool) + _records(source, -held_out, None)):
        doc, spans = _document(rec)
        doc_id = store.add_document(doc)
        gold[doc_id] = spans
        if k >= pool:
            test_docs.append(store.get_document(doc_id))
            store.set_status(doc_id, PERSON, DocumentStatus.SKIPPED)  # never labelled
    model = None
    lines = []
    for round_no in range(1, pool // every + 1):
        todo = undone_documents(store, PERSON)
        if strategy == "most useful next" and model is not None:
            todo = most_useful_next(store, PERSON, model)
        batch = todo[:every]
        corrections = 0
        docs = list(store.iter_documents(batch))
        suggested = model.entities(docs) if model is not None else [[] for _ in docs]
        for doc, ents in zip(docs, suggested):
            found = {(e.start, e.end, e.label) for e in ents}
            corrections += len(found ^ gold[doc.id or 0])
            store.add_spans(Span(doc.id or 0, PERSON, s, e, lab) for s, e, lab in gold[doc.id or 0])
            store.set_status(doc.id or 0, PERSON, DocumentStatus.DONE)
        t0 = time.perf_counter()
        report = train(store, max_steps=steps, eval_frequency=max(1, steps // 3), relations=False)
        model = load_trained_model(store, "project")
        f = _score(model, test_docs, gold)
        lines.append(f"  {strategy:16s} round {round_no}: {round_no * every:4d} labelled; corrections per document "
                     f"in this batch {corrections / len(batch):.2f}; retrained in {time.perf_counter() - t0:5.1f} s; "
                     f"suggestion F1 on {len(test_docs)} held-out documents {f['f']:.3f} (P {f['p']:.3f} R {f['r']:.3f})")
        assert report.record is not None
    store.close()
    return lines


def run_sessions(tmp: Path, source: Path, pool: int, held_out: int, every: int, steps: int) -> None:
    """Both strategies, printed round by round."""
    print(f"simulated session: an oracle labels {pool} fashion documents, {every} at a time, retraining "
          f"({steps} steps) after each batch")
    for strategy in ("in order", "most useful next"):
        for line in session(tmp, source, strategy, pool, held_out, every, steps):
            print(line)

