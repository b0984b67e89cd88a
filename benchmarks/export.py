"""Benchmark: export N documents with spans and relations to a spaCy ``.spacy`` file.

Measured: ``annotator.export.export_job`` reading a project file and writing ``train.spacy``
(streaming, plus dev.spacy and config.cfg), against the bare-library baseline: the same DocBin
built in memory with plain spaCy from the same offsets (``Doc(words, spaces)``, ``char_span``,
``doc.ents``, ``doc.spans``, the same ``doc._.rel`` dict, ``DocBin.add``, ``to_bytes``, one
write). Each variant runs in its own process so its peak memory (``VmHWM``) is its own; the
export's resident memory is also sampled at 25 % and 100 % of the documents to show it stays
flat. Setup (generating the project) is not timed.

    python benchmarks/export.py [--docs 20000] [--seed 0]
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

FIRST = ["Anna", "Boris", "Chen", "Dana", "Emeka", "Farah", "Goran", "Hiro", "Ines", "Jonas"]
LAST = ["Smith", "Okafor", "Larsen", "Nakamura", "Silva", "Haddad", "Novak", "Kowalski"]
PLACES = ["Paris", "Lagos", "Oslo", "Lima", "Hanoi", "Quito", "Accra", "Perth", "Riga", "Bern"]
ORGS = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne"]
FILLER = ("the a report said that on during after minister visited met company officials with new plan "
          "announced talks agreement city river market trade week month year yesterday today").split()
REL_LABELS = ["LOCATED_IN", "WORKS_FOR", "MET"]


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def _peak_mb() -> float:
    """Peak resident memory of this process image (VmHWM). Not ``ru_maxrss``: Linux keeps that
    across ``fork``/``exec``, so a child would report the parent's peak."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


Generated = tuple[str, list[tuple[int, int]], list[tuple[int, int, str]], list[tuple[int, int, str]]]


def generate(n: int, seed: int) -> Iterator[Generated]:
    """Stream (text, tokens, spans, relations as span-index pairs) for ``n`` news-like documents
    of ~120-250 words with ~20 entities and 2-4 relations each (the same for the same seed)."""
    rng = random.Random(seed)
    for i in range(n):
        words: list[str] = []
        ents: list[tuple[int, int, str]] = []  # token ranges
        while len(words) < rng.randint(120, 250):
            for _ in range(rng.randint(3, 12)):
                words.append(rng.choice(FILLER))
            kind = rng.random()
            start = len(words)
            if kind < 0.4:
                words += [rng.choice(FIRST), rng.choice(LAST)]
                ents.append((start, len(words), "PERSON"))
            elif kind < 0.75:
                words.append(rng.choice(PLACES))
                ents.append((start, len(words), "GPE"))
            else:
                words += [rng.choice(ORGS), "Corp"]
                ents.append((start, len(words), "ORG"))
            if rng.random() < 0.2:
                words.append(".")
        words.append(f"#{i}")  # every text distinct
        tokens, pos = [], 0
        for w in words:
            tokens.append((pos, pos + len(w)))
            pos += len(w) + 1
        text = " ".join(words)
        spans = [(tokens[a][0], tokens[b - 1][1], lab) for a, b, lab in ents]
        rels = []
        for _ in range(rng.randint(2, 4)):
            h, c = rng.sample(range(len(spans)), 2)
            rels.append((h, c, rng.choice(REL_LABELS)))
        yield (text, tokens, spans, sorted(set(rels)))


def setup(db: Path, n: int, seed: int) -> None:
    from corpus.model import Document, Relation, Span
    from corpus.store import Store

    stream = generate(n, seed)
    store = Store(db)
    chunk = 1000
    for i in range(0, n, chunk):
        part = list(itertools.islice(stream, chunk))
        docs = []
        for text, tokens, _, _ in part:
            docs.append(Document(text=text, name=f"doc-{i + len(docs)}", tokens=tuple(tokens),
                                 sents=((0, len(text)),)))
        ids = [d for d, _ in store.add_documents(docs)]
        with store.transaction():
            for doc_id, (_, _, spans, rels) in zip(ids, part):
                added = store.add_spans(Span(doc_id=doc_id, layer="gold", start=s, end=e, label=lab)
                                        for s, e, lab in spans)
                store.add_relations(Relation(doc_id=doc_id, layer="gold", head=added[h].id, child=added[c].id,
                                             label=lab) for h, c, lab in rels)
    store.close()


def child_export(db: Path, out: Path) -> dict[str, float]:
    from annotator import export as ex
    from corpus.store import Store

    ex.training_config("en", ["X"])  # warm spaCy's config machinery up, as the bare side imports spaCy
    store = Store(db, create=False)
    n = store.count_documents()
    before = _rss_mb()
    samples: dict[str, float] = {}
    t0 = time.perf_counter()
    job = ex.export_job(store, out, "spacy")
    try:
        while True:
            p = next(job)
            if p.total and "rss_25" not in samples and p.done >= p.total // 4:
                samples["rss_25"] = _rss_mb()
    except StopIteration as stop:
        report = stop.value
    dt = time.perf_counter() - t0
    samples["rss_100"] = _rss_mb()
    assert report.documents == n
    return {"seconds": dt, "docs": n, "peak_mb": _peak_mb(), "rss_before_mb": before,
            "size_mb": (out / "train.spacy").stat().st_size / 2**20, **samples}


def child_bare(db: Path, out: Path, seed: int, n: int) -> dict[str, float]:
    import spacy
    from spacy.tokens import Doc, DocBin

    data = list(generate(n, seed))  # the same offsets, in memory (not timed)
    nlp = spacy.blank("en")
    if not Doc.has_extension("rel"):
        Doc.set_extension("rel", default={})
    before = _rss_mb()
    t0 = time.perf_counter()
    db_ = DocBin(store_user_data=True)
    for text, tokens, spans, rels in data:
        words = [text[s:e] for s, e in tokens]
        spaces = [True] * (len(words) - 1) + [False]
        doc = Doc(nlp.vocab, words=words, spaces=spaces)
        ents = [doc.char_span(s, e, label=lab, alignment_mode="expand") for s, e, lab in spans]
        doc.ents = ents
        doc.spans["sc"] = ents
        starts = sorted({sp.start for sp in ents})
        rel = {(a, b): dict.fromkeys(REL_LABELS, 0.0) for a in starts for b in starts if a != b}
        for h, c, lab in rels:
            rel[(ents[h].start, ents[c].start)][lab] = 1.0
        doc._.rel = rel
        db_.add(doc)
    (out / "bare.spacy").write_bytes(db_.to_bytes())
    dt = time.perf_counter() - t0
    return {"seconds": dt, "docs": len(data), "peak_mb": _peak_mb(), "rss_before_mb": before,
            "size_mb": (out / "bare.spacy").stat().st_size / 2**20}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", choices=["export", "bare"],
                    help="run one variant (e.g. the export alone on 100,000 documents to check memory)")
    ap.add_argument("--child", choices=["export", "bare"])
    ap.add_argument("--db")
    ap.add_argument("--out")
    args = ap.parse_args()
    if args.child:
        out = Path(args.out)
        res = (child_export(Path(args.db), out) if args.child == "export"
               else child_bare(Path(args.db), out, args.seed, args.docs))
        print(json.dumps(res))
        return
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        t0 = time.perf_counter()
        setup(db, args.docs, args.seed)
        print(f"setup: {args.docs} documents in {time.perf_counter() - t0:.1f} s (not timed below)", file=sys.stderr)
        results = {}
        for variant in (args.only,) if args.only else ("bare", "export"):
            out = Path(tmp) / variant
            out.mkdir()
            proc = subprocess.run(
                [sys.executable, __file__, "--child", variant, "--db", str(db), "--out", str(out),
                 "--docs", str(args.docs), "--seed", str(args.seed)],
                capture_output=True, text=True, check=True,
            )
            results[variant] = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"export to .spacy, {args.docs} documents with spans and relations")
    e, b = results.get("export"), results.get("bare")
    if e:
        print(f"  annotator export_job : {e['seconds']:7.2f} s  {e['docs'] / e['seconds']:8.0f} docs/s  "
              f"peak {e['peak_mb']:7.1f} MB  (RSS before {e['rss_before_mb']:.0f} MB, at 25% "
              f"{e.get('rss_25', float('nan')):.0f} MB, at 100% {e['rss_100']:.0f} MB)  file {e['size_mb']:.1f} MB")
    if b:
        print(f"  bare spaCy DocBin    : {b['seconds']:7.2f} s  {b['docs'] / b['seconds']:8.0f} docs/s  "
              f"peak {b['peak_mb']:7.1f} MB  (RSS before {b['rss_before_mb']:.0f} MB, input in memory)  "
              f"file {b['size_mb']:.1f} MB")
    if e and b:
        print(f"  ratio (export / bare): time {e['seconds'] / b['seconds']:.2f}x (goal <= 1.5x), "
              f"peak memory {e['peak_mb'] / b['peak_mb']:.2f}x")

if __name__ == "__main__":
    main()
