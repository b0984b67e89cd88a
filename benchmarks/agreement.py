"""Benchmark: the agreement report on 5,000 documents x 3 annotators.

Builds a temporary project through the Store API (documents of ~500 tokens, three annotators
whose spans are noisy copies of a hidden truth, relations, most documents done by all three),
then prints in one run:

* the time of the full report (``agreement_report``: every measure, every pair, the list of
  disagreements), goal < 10 s;
* the time of token-level Krippendorff's alpha on the report's reliability data (3 raters x
  all tokens, missing where an annotator did not finish the document) with our
  ``krippendorff_alpha`` and with the ``krippendorff`` package on the same data, and the ratio
  (goal: ours <= 2x the package).

Usage: ``python benchmarks/agreement.py [--docs 5000] [--tokens 500] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import krippendorff  # noqa: E402

from annotator.agreement import krippendorff_alpha, krippendorff_alpha_codes, token_label_codes  # noqa: E402
from annotator.agreement_report import agreement_report  # noqa: E402
from corpus.model import Document, DocumentStatus, Relation, Span  # noqa: E402
from corpus.store import Store  # noqa: E402

LABELS = ["PER", "ORG", "LOC", "MISC"]
ANNOTATORS = ["alice", "bob", "carol"]
WORDS = (
    "the a of to in and said on for with by at from company minister city report year new "
    "people government market week group state police talks plan"
).split()


def _document(rng: random.Random, number: int, n_tokens: int) -> tuple[str, list[tuple[int, int]]]:
    """A text of ``n_tokens`` single-space-separated tokens (a sentence stop every 20) and its
    token offsets; the first token is the document number, so every text is unique."""
    words = [str(number)]
    for i in range(1, n_tokens):
        if i % 20 == 19:
            words.append(".")
        else:
            w = rng.choice(WORDS)
            words.append(w.capitalize() if rng.random() < 0.1 else w)
    tokens, pos = [], 0
    for w in words:
        tokens.append((pos, pos + len(w)))
        pos += len(w) + 1
    return " ".join(words), tokens


def _truth(rng: random.Random, tokens: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    spans, i = [], 0
    while i < len(tokens):
        if rng.random() < 0.06:
            j = min(len(tokens), i + rng.randint(1, 3))
            spans.append((tokens[i][0], tokens[j - 1][1], rng.choice(LABELS)))
            i = j + 1
        else:
            i += 1
    return spans


def _noisy(rng: random.Random, truth: list[tuple[int, int, str]], tokens: list[tuple[int, int]]) -> list:
    out = []
    starts = {s: k for k, (s, _) in enumerate(tokens)}
    for s, e, lab in truth:
        r = rng.random()
        if r < 0.80:
            out.append((s, e, lab))
        elif r < 0.88:
            out.append((s, e, rng.choice(LABELS)))
        elif r < 0.95:
            k = starts[s]
            out.append((s, tokens[k][1], lab))  # first token only
    return out


def build_project(path: Path, n_docs: int, n_tokens: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    store = Store(path)
    docs, truths, toks = [], [], []
    for d in range(n_docs):
        text, tokens = _document(rng, d, n_tokens)
        docs.append(Document(text=text, name=f"doc{d:05d}.txt", tokens=tuple(tokens)))
        toks.append(tokens)
    ids = [i for i, _ in store.add_documents(docs)]
    for a in ANNOTATORS:
        store.add_annotator(a)
    with store.transaction():
        for k, doc_id in enumerate(ids):
            truth = _truth(rng, toks[k])
            truths.append(truth)
            skip = rng.choice(ANNOTATORS) if rng.random() < 0.1 else None
            for a in ANNOTATORS:
                spans = store.add_spans(Span(doc_id, a, s, e, lab) for s, e, lab in _noisy(rng, truth, toks[k]))
                rels = [
                    Relation(doc_id, a, spans[i].id, spans[i + 1].id, "related_to")  # type: ignore[arg-type]
                    for i in range(0, len(spans) - 1, 6)
                    if rng.random() < 0.9
                ]
                store.add_relations(rels)
                if a != skip:
                    store.set_status(doc_id, a, DocumentStatus.DONE)
    store.close()


def reliability_data(path: Path) -> tuple[np.ndarray, list[str]]:
    """The token-label reliability matrix the report builds (raters x tokens, -1 missing)."""
    store = Store(path)
    try:
        labels = ["O", *sorted(LABELS)]
        code = {lab: i for i, lab in enumerate(labels)}
        rows = []
        done = {a: set(store.done_documents(a)) for a in ANNOTATORS}
        docs = list(store.iter_documents())
        spans = {a: dict(store.iter_layer_spans(a)) for a in ANNOTATORS}
        for a in ANNOTATORS:
            parts = []
            for doc in docs:
                ts = np.array([t[0] for t in doc.tokens])
                te = np.array([t[1] for t in doc.tokens])
                sp = spans[a].get(doc.id, [])
                c = token_label_codes(ts, te, np.array([s.start for s in sp]), np.array([s.end for s in sp]),
                                      np.array([code[s.label] for s in sp]))
                parts.append(c if doc.id in done[a] else np.full(len(c), -1))
            rows.append(np.concatenate(parts))
        return np.stack(rows), labels
    finally:
        store.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=5000)
    ap.add_argument("--tokens", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=3, help="best of N timings")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        t0 = time.perf_counter()
        build_project(path, args.docs, args.tokens)
        print(f"built project: {args.docs} documents x {args.tokens} tokens x {len(ANNOTATORS)} annotators "
              f"in {time.perf_counter() - t0:.1f} s")

        report_times, cpu_times = [], []
        for _ in range(args.repeat):
            store = Store(path)
            t0, c0 = time.perf_counter(), time.process_time()
            report = agreement_report(store)
            report_times.append(time.perf_counter() - t0)
            cpu_times.append(time.process_time() - c0)
            store.close()
        o = report["overall"]
        print(f"report: {report['documents']} documents, {o['tokens']} tokens, "
              f"{len(report['disagreements'])} disagreements; span F1 {o['span_f1']:.3f}, "
              f"overlap {o['span_f1_overlap']:.3f}, Fleiss {o['token_kappa_fleiss']:.3f}, "
              f"alpha {o['token_alpha']:.3f}, u-alpha {o['unitizing_alpha']:.3f}, relation F1 {o['relation_f1']:.3f}")
        best = min(report_times)
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"full agreement report: {best:.2f} s wall, {min(cpu_times):.2f} s CPU "
              f"(best of {args.repeat}; goal < 10 s; load average {load:.1f} on {os.cpu_count()} CPUs)")

        codes, labels = reliability_data(path)
        as_float = np.where(codes >= 0, codes, np.nan).astype(np.float64)
        ours_codes, ours_float, package = [], [], []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            a1 = krippendorff_alpha_codes(codes, labels, "nominal", len(labels)).alpha
            ours_codes.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            a2 = krippendorff_alpha(as_float, "nominal").alpha
            ours_float.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            a3 = krippendorff.alpha(reliability_data=as_float, level_of_measurement="nominal")
            package.append(time.perf_counter() - t0)
        assert abs(a1 - a3) < 1e-9 and abs(a2 - a3) < 1e-9, (a1, a2, a3)
        assert abs(a1 - o["token_alpha"]) < 1e-9, (a1, o["token_alpha"])
        p = min(package)
        print(f"token alpha on {codes.shape[0]} x {codes.shape[1]} reliability data (alpha {a3:.6f}):")
        print(f"  krippendorff package        {p:.3f} s")
        print(f"  ours, same float/NaN input  {min(ours_float):.3f} s  ratio {min(ours_float) / p:.3f}x")
        print(f"  ours, integer codes (report) {min(ours_codes):.3f} s  ratio {min(ours_codes) / p:.3f}x"
              "  (goal <= 2x)")


if __name__ == "__main__":
    main()
