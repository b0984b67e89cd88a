"""Benchmark: ``annotator suggest`` against bare ``nlp.pipe`` with the same model.

Generates a deterministic corpus of news-length articles (sentences of the shipped seed
articles recombined with templated sentences about varied people, organisations and places; ~500 words
each), imports it into a temporary project (not timed), then prints in one run:

* bare spaCy: ``nlp.pipe(texts)`` with the same pipeline and the same disabled components,
  reading every entity (words per second);
* ``suggest_job`` with one process over the same documents (reading the stored tokens,
  rebuilding the docs, writing every batch in its transaction): words per second and the ratio
  to bare spaCy (goal >= 0.90);
* the same with ``n_process=2`` (and bare ``nlp.pipe(n_process=2)`` for reference): goal,
  faster than one process on two cores;
* peak RSS of a fresh process running ``suggest_job`` over two corpus sizes: memory must not grow
  with the corpus;
* with ``--cluster`` (needs the ``cluster`` extra): ``suggest_job`` on a Dask LocalCluster of 2
  worker processes (started and warmed before timing: each worker loads the model once) against
  bare ``nlp.pipe(n_process=2)`` on the same documents (goal >= 0.90 of its throughput); the
  writing process's peak RSS over 1,000 and 10,000 (short) documents computed on the cluster
  (goal: flat); and the writer's ceiling: spans and documents per second that one process can
  commit, batch by batch, as the job does. ``--only-cluster`` runs just these rows. The machine's
  load (``os.getloadavg()``) is printed with the figures.

Each timing is the best of ``--repeat`` runs, bare and suggest interleaved (shared machines are
noisy). Usage: ``python benchmarks/suggest.py [--docs 500] [--repeat 2] [--model NAME]
[--cluster | --only-cluster]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import spacy  # noqa: E402

from annotator.progress import drain  # noqa: E402
from annotator.suggest import load_model, ner_components, resolve_model, suggest_job  # noqa: E402
from annotator.tokenize import tokenize, tokenize_many  # noqa: E402
from corpus.model import Document  # noqa: E402
from corpus.resources import default_labels, seeds_dir  # noqa: E402
from corpus.store import Store  # noqa: E402

SEED_FALLBACK = Path("/work/shared/seeds/000_ff306bfd47c852bb.txt")

FIRST = ["Maria", "John", "Aisha", "Kenji", "Olga", "Pedro", "Fatima", "Liam", "Chen", "Amara",
         "Lars", "Sofia", "Ahmed", "Grace", "Ivan", "Priya", "Tomás", "Elena", "Kwame", "Hannah"]
LAST = ["Keller", "Okafor", "Tanaka", "Novak", "Alvarez", "Haddad", "Murphy", "Wang", "Mensah",
        "Lindqvist", "Rossi", "Karimi", "Brooks", "Petrov", "Sharma", "García", "Ivanova", "Boateng",
        "Fischer", "Dubois"]
ORGS = ["the United Nations", "the European Union", "NATO", "the World Bank", "Reuters", "Siemens",
        "the Red Cross", "Amnesty International", "the Federal Reserve", "Toyota", "Google",
        "the International Monetary Fund", "Oxfam", "the African Union", "BP"]
PLACES = ["Paris", "Nairobi", "Tokyo", "Brazil", "Ukraine", "Ottawa", "Jakarta", "Egypt", "Berlin",
          "Lima", "Sydney", "Turkey", "Seoul", "Mexico City", "Norway", "Manila", "Ghana", "Madrid"]
ROLES = ["foreign minister", "chief executive", "spokesperson", "president", "senior economist",
         "ambassador", "defence secretary", "director general", "prime minister", "mayor"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "March", "April", "June", "July", "September", "October", "December"]
TEMPLATES = [
    "{person}, the {role} of {org}, said on {day} that talks in {place} would resume within weeks.",
    "Speaking in {place}, {person} told reporters that {org} had not been consulted.",
    "{org} announced on {day}, {month} {n}, that it would open a new office in {place}.",
    "According to {person}, more than {n},000 people gathered outside the parliament in {place}.",
    "The {role}, {person}, is expected to travel to {place} in {month} to meet officials from {org}.",
    "Officials in {place} said {n} people were injured, and {org} sent an emergency team on {day}.",
    "\"We will not accept this,\" {person} said in a statement released by {org} late on {day}.",
    "Analysts at {org} cut their growth forecast for {place} to {n} percent for the year.",
    "{person} and {person2} met in {place} for three hours, their second meeting since {month}.",
    "Shares of {org} fell {n} percent on {day} after the company warned about demand in {place}.",
]


def _seed_sentences() -> list[str]:
    paths = sorted(seeds_dir().glob("*.txt")) or [SEED_FALLBACK]
    out: list[str] = []
    for p in paths:
        text = p.read_text(encoding="utf-8")
        _, sents = tokenize(text)
        out.extend(text[s:e].strip() for s, e in sents if len(text[s:e].split()) > 4)
    return out


def make_corpus(n_docs: int, words_per_doc: int = 500, seed: int = 13) -> list[str]:
    """``n_docs`` unique, deterministic news-like articles of about ``words_per_doc`` words."""
    rng = random.Random(seed)
    seed_sents = _seed_sentences()
    texts: list[str] = []
    for i in range(n_docs):
        parts = [f"{rng.choice(PLACES).upper()} ({rng.choice(MONTHS)} {rng.randint(1, 28)}, report {i + 1})"]
        n_words = 0
        paragraph: list[str] = []
        while n_words < words_per_doc:
            if rng.random() < 0.4 and seed_sents:
                s = rng.choice(seed_sents)
            else:
                s = rng.choice(TEMPLATES).format(
                    person=f"{rng.choice(FIRST)} {rng.choice(LAST)}", person2=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    role=rng.choice(ROLES), org=rng.choice(ORGS), place=rng.choice(PLACES),
                    day=rng.choice(DAYS), month=rng.choice(MONTHS), n=rng.randint(2, 90),
                )
                s = s[0].upper() + s[1:]
            paragraph.append(s)
            n_words += len(s.split())
            if len(paragraph) >= rng.randint(3, 5):
                parts.append(" ".join(paragraph))
                paragraph = []
        if paragraph:
            parts.append(" ".join(paragraph))
        texts.append("\n\n".join(parts))
    return texts


def build_project(path: Path, texts: list[str]) -> int:
    """Import ``texts`` into a new project; returns the number of words (non-space tokens)."""
    store = Store(path)
    store.set_labels(default_labels())
    docs = []
    for i, (text, (toks, sents)) in enumerate(zip(texts, tokenize_many(texts))):
        docs.append(Document(text=text, name=f"article-{i:05d}", tokens=toks, sents=sents))
    store.add_documents(docs)
    words = store.count_tokens()
    store.close()
    return words


def bare(nlp, texts: list[str], batch_size: int, n_process: int) -> tuple[float, float]:
    """(wall, CPU) seconds of bare ``nlp.pipe`` over ``texts``, reading every entity."""
    t0, c0 = time.perf_counter(), time.process_time()
    n = 0
    for doc in nlp.pipe(texts, batch_size=batch_size, n_process=n_process):
        n += len([(e.start_char, e.end_char, e.label_) for e in doc.ents])
    return time.perf_counter() - t0, time.process_time() - c0


def suggest(
    db: Path, model: str | None, batch_size: int, n_process: int, scheduler: str | None = None,
) -> tuple[float, float, int]:
    """(wall, CPU) seconds of ``suggest_job`` on a fresh copy of the project, and spans written."""
    store = Store(db)
    t0, c0 = time.perf_counter(), time.process_time()
    report = drain(suggest_job(store, model=model, batch_size=batch_size, n_process=n_process,
                               scheduler=scheduler or "none"))
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    assert report.model is not None
    lr = report.layer(report.model.layer)
    store.close()
    return wall, cpu, (lr.spans if lr else 0)


def propagation(n_docs: int, annotated: int = 20) -> None:
    """Time propagation on an ``n_docs`` project where a person labelled ``annotated`` documents:
    the full rebuild, the incremental refresh after one accept (what the window runs), and a bare
    Python scan (``str.find`` over every text) for the same single text."""
    import re

    from annotator.suggest import propagate
    from corpus.model import Span

    texts = make_corpus(n_docs, seed=7)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "prop.db"
        build_project(db, texts)
        store = Store(db)
        store.add_annotator("alice")
        names = re.compile(r"\b(?:%s) (?:%s)\b|\b(?:%s)\b" % ("|".join(FIRST), "|".join(LAST), "|".join(PLACES)))
        spans = []
        for doc in store.iter_documents(store.document_ids()[:annotated]):
            for m in names.finditer(doc.text):
                label = "GPE" if m.group(0) in PLACES else "PERSON"
                spans.append(Span(doc_id=doc.id, layer="alice", start=m.start(), end=m.end(), label=label))
        store.add_spans(spans)
        t0 = time.perf_counter()
        n_full = propagate(store, "alice")
        full = time.perf_counter() - t0
        by_text: dict[str, int] = {}
        doc_text = {d.id: d.text for d in store.iter_documents(store.document_ids()[:annotated])}
        for sp in spans:
            t = doc_text[sp.doc_id][sp.start:sp.end]
            by_text[t] = by_text.get(t, 0) + (" " in t)
        one = max(sorted(by_text), key=lambda t: by_text[t])  # a person's name the person labelled most
        all_texts = [d.text for d in store.iter_documents()]
        rare = next(t for t in sorted(by_text) if " " in t and t.split()[0] in FIRST)  # a person's name
        rows = []
        for label, text in (("common", one), ("typical", rare)):
            t0 = time.perf_counter()
            n = propagate(store, "alice", texts=[text])
            inc = time.perf_counter() - t0
            t0 = time.perf_counter()
            hits = 0
            for t in all_texts:
                i = t.find(text)
                while i != -1:
                    hits += 1
                    i = t.find(text, i + 1)
            scan = time.perf_counter() - t0
            rows.append((label, text, inc, n, scan, hits))
        store.close()
    print(f"propagation on {n_docs} articles, {len(spans):,} spans by one person on {annotated} of them:")
    print(f"  full rebuild of match:alice: {full * 1000:8.1f} ms ({n_full:,} suggestions)")
    for label, text, inc, n, scan, hits in rows:
        print(f"  after one accept, {label} text {text!r}: {inc * 1000:.1f} ms ({n} suggestions); bare str.find "
              f"over all texts already in memory: {scan * 1000:.1f} ms ({hits} raw hits); ratio {inc / scan:.1f}")


def _rss_mb() -> float:
    """Current resident set size of this process (Linux ``/proc``), in MB."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def rss_child(args: argparse.Namespace) -> None:
    """Child mode: load the model, then suggest over the project ``--db``, sampling the resident
    memory after every batch; print the figures (MB) as JSON."""
    store = Store(args.db)
    choice = resolve_model(store, args.model)
    assert choice is not None
    load_model(choice)
    scheduler = args.scheduler or "none"
    drain(suggest_job(store, model=args.model, batch_size=args.batch_size, doc_ids=store.document_ids()[:20],
                      scheduler=scheduler))
    base = _rss_mb()  # model loaded and warmed up on 20 documents
    samples = []
    for _ in suggest_job(store, model=args.model, batch_size=args.batch_size, scheduler=scheduler):
        samples.append(_rss_mb())
    docs = store.count_documents()
    store.close()
    print(json.dumps({"docs": docs, "before_mb": base, "max_mb": max(samples), "end_mb": samples[-1],
                      "first_batch_mb": samples[min(1, len(samples) - 1)]}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--model", default=None, help="spaCy pipeline (default: what `annotator suggest` picks)")
    ap.add_argument("--rss-sizes", default="250,1000", help="corpus sizes for the memory check")
    ap.add_argument("--propagation-docs", type=int, default=1000, help="corpus size for the propagation timing")
    ap.add_argument("--cluster", action="store_true", help="add the Dask LocalCluster rows")
    ap.add_argument("--only-cluster", action="store_true", help="run only the Dask LocalCluster rows")
    ap.add_argument("--cluster-rss-sizes", default="1000,10000", help="corpus sizes for the writer's memory on a cluster")
    ap.add_argument("--rss-child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--scheduler", help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.rss_child:
        rss_child(args)
        return
    print(f"load average before: {_load()}")
    if not args.only_cluster:
        local_rows(args)
    if args.cluster or args.only_cluster:
        cluster_rows(args)
    print(f"load average after: {_load()}")


def _load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def local_rows(args: argparse.Namespace) -> None:
    """The single-machine rows: bare spaCy, suggest with 1 and 2 processes, propagation, memory."""
    texts = make_corpus(args.docs)
    with tempfile.TemporaryDirectory() as tmp:
        base_db = Path(tmp) / "base.db"
        t0 = time.perf_counter()
        words = build_project(base_db, texts)
        import_s = time.perf_counter() - t0
        probe = Store(base_db)
        choice = resolve_model(probe, args.model)
        probe.close()
        if choice is None:
            sys.exit("no spaCy model installed: nothing to benchmark")
        nlp_suggest = load_model(choice)  # warm the cache: loading is not part of either figure
        keep = ner_components(nlp_suggest)
        nlp_bare = spacy.load(choice.load_target)
        disabled = [n for n in nlp_bare.pipe_names if n not in keep]
        for n in disabled:
            nlp_bare.disable_pipe(n)
        print(f"model: {choice.package} {choice.version} (layer {choice.layer}); enabled {nlp_bare.pipe_names}, "
              f"disabled {disabled}")
        print(f"corpus: {len(texts)} articles, {words:,} words ({words / len(texts):.0f} per article); "
              f"import {import_s:.1f}s (not timed below); batch size {args.batch_size}")

        n = 0

        def fresh() -> Path:
            nonlocal n
            n += 1
            dst = Path(tmp) / f"run{n}.db"
            shutil.copy(base_db, dst)
            return dst

        # Warm-up (first-call allocations in spaCy/thinc), not counted.
        bare(nlp_bare, texts[:20], args.batch_size, 1)
        best: dict[str, float] = {}
        spans = {}

        def keep(key: str, wall: float, cpu: float | None = None) -> None:
            best[key] = min(best.get(key, 1e9), wall)
            if cpu is not None:
                best[key + "_cpu"] = min(best.get(key + "_cpu", 1e9), cpu)

        for _ in range(args.repeat):
            keep("bare1", *bare(nlp_bare, texts, args.batch_size, 1))
            wall, cpu, spans["s1"] = suggest(fresh(), args.model, args.batch_size, 1)
            keep("sugg1", wall, cpu)
        for _ in range(args.repeat):
            keep("bare2", bare(nlp_bare, texts, args.batch_size, 2)[0])
            wall, _, spans["s2"] = suggest(fresh(), args.model, args.batch_size, 2)
            keep("sugg2", wall)

    wps = {k: words / v for k, v in best.items()}
    print()
    print(f"{'job':34} {'wall s':>7} {'words/s':>9} {'ratio':>6}   {'CPU s':>6} {'words/CPU-s':>11} {'ratio':>6}")
    print(f"{'bare nlp.pipe, 1 process':34} {best['bare1']:7.2f} {wps['bare1']:9,.0f} {1:6.2f}   "
          f"{best['bare1_cpu']:6.2f} {wps['bare1_cpu']:11,.0f} {1:6.2f}")
    print(f"{'annotator suggest, 1 process':34} {best['sugg1']:7.2f} {wps['sugg1']:9,.0f} "
          f"{wps['sugg1'] / wps['bare1']:6.2f}   {best['sugg1_cpu']:6.2f} {wps['sugg1_cpu']:11,.0f} "
          f"{wps['sugg1_cpu'] / wps['bare1_cpu']:6.2f}   (goal >= 0.90 of bare)")
    print(f"{'bare nlp.pipe, n_process=2':34} {best['bare2']:7.2f} {wps['bare2']:9,.0f} "
          f"{wps['bare2'] / wps['bare1']:6.2f}")
    print(f"{'annotator suggest, n_process=2':34} {best['sugg2']:7.2f} {wps['sugg2']:9,.0f} "
          f"{wps['sugg2'] / wps['bare1']:6.2f}   (goal > 1 process: {wps['sugg2'] / wps['sugg1']:.2f}x "
          f"annotator suggest with 1 process; {wps['sugg2'] / wps['bare2']:.2f} of bare n_process=2)")
    print(f"spans written: {spans['s1']:,} (1 process), {spans['s2']:,} (2 processes); "
          f"ratios are throughput ratios (higher is better); best of {args.repeat}")

    if args.propagation_docs:
        print()
        propagation(args.propagation_docs)

    sizes = [int(s) for s in args.rss_sizes.split(",") if s.strip()]
    if sizes:
        print()
        results = []
        with tempfile.TemporaryDirectory() as tmp:
            for size in sizes:
                db = Path(tmp) / f"rss{size}.db"
                build_project(db, make_corpus(size))  # in this process: the child only suggests
                cmd = [sys.executable, __file__, "--rss-child", "--db", str(db), "--batch-size", str(args.batch_size)]
                if args.model:
                    cmd += ["--model", args.model]
                out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
                results.append(json.loads(out))
        for r in results:
            print(f"resident memory, suggest over {r['docs']:>5} articles: max {r['max_mb']:6.1f} MB over all batches "
                  f"(after model load + warm-up {r['before_mb']:.1f} MB, after batch 1 {r['first_batch_mb']:.1f} MB, "
                  f"at the end {r['end_mb']:.1f} MB)")
        if len(results) >= 2:
            a, b = results[0], results[-1]
            print(f"memory ratio {b['docs']}/{a['docs']} articles: {b['max_mb'] / a['max_mb']:.2f} "
                  f"(corpus {b['docs'] / a['docs']:.0f}x larger; goal ~1.0)")


# -- the cluster rows -----------------------------------------------------------------------------


def _warm(choice) -> int:  # noqa: ANN001 - runs on a Dask worker
    """On a worker: load the model into its cache (what its first batch would do); its pid."""
    load_model(choice)
    return os.getpid()


def writer_ceiling(n_docs: int = 2000, spans_per_doc: int = 25, batch_size: int = 64) -> tuple[float, float]:
    """(spans/s, docs/s) one process commits through the job's own batch writer (replace the
    layer on the batch's documents, insert the spans, mark them suggested: one transaction)."""
    from annotator.suggesters.job import _write_batch
    from corpus.model import Span

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "writer.db"
        build_project(db, make_corpus(n_docs, words_per_doc=60, seed=5))
        store = Store(db)
        ids = store.document_ids()
        layer = "model:bench@1"
        t0 = time.perf_counter()
        for i in range(0, len(ids), batch_size):
            batch = [(d, [Span(doc_id=d, layer=layer, start=k * 2, end=k * 2 + 1, label="PERSON", source=layer)
                          for k in range(spans_per_doc)]) for d in ids[i:i + batch_size]]
            _write_batch(store, layer, batch)
        wall = time.perf_counter() - t0
        store.close()
    return n_docs * spans_per_doc / wall, n_docs / wall


def cluster_rss(args: argparse.Namespace, address: str) -> list[dict]:
    """Peak RSS of a fresh writing process suggesting on the cluster, per corpus size (short
    documents, so that 10,000 of them fit in a benchmark run)."""
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in [int(x) for x in args.cluster_rss_sizes.split(",") if x.strip()]:
            db = Path(tmp) / f"crss{size}.db"
            build_project(db, make_corpus(size, words_per_doc=60, seed=3))
            cmd = [sys.executable, __file__, "--rss-child", "--db", str(db), "--batch-size", str(args.batch_size),
                   "--scheduler", address]
            if args.model:
                cmd += ["--model", args.model]
            t0 = time.perf_counter()
            out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
            row = json.loads(out)
            row["seconds"] = time.perf_counter() - t0
            results.append(row)
    return results


def cluster_rows(args: argparse.Namespace) -> None:
    """LocalCluster (2 worker processes) against bare ``nlp.pipe(n_process=2)``; the writer's
    memory on the cluster at two corpus sizes; the writer's ceiling."""
    import distributed

    texts = make_corpus(args.docs)
    with tempfile.TemporaryDirectory() as tmp:
        base_db = Path(tmp) / "base.db"
        words = build_project(base_db, texts)
        probe = Store(base_db)
        choice = resolve_model(probe, args.model)
        probe.close()
        if choice is None:
            sys.exit("no spaCy model installed: nothing to benchmark")
        keep = ner_components(load_model(choice))
        nlp_bare = spacy.load(choice.load_target)
        for n in [n for n in nlp_bare.pipe_names if n not in keep]:
            nlp_bare.disable_pipe(n)
        t0 = time.perf_counter()
        lc = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
        client = distributed.Client(lc)
        pids = client.run(_warm, choice)
        start_s = time.perf_counter() - t0
        print(f"\ncluster: LocalCluster, {len(pids)} worker processes, started and model loaded on each in "
              f"{start_s:.1f}s (not timed below); {len(texts)} articles, {words:,} words; batch size {args.batch_size}")
        best: dict[str, float] = {}
        spans = 0
        try:
            bare(nlp_bare, texts[:20], args.batch_size, 1)
            for i in range(args.repeat):
                best["bare2"] = min(best.get("bare2", 1e9), bare(nlp_bare, texts, args.batch_size, 2)[0])
                db = Path(tmp) / f"c{i}.db"
                shutil.copy(base_db, db)
                wall, _, spans = suggest(db, args.model, args.batch_size, 1, scheduler=lc.scheduler_address)
                best["cluster"] = min(best.get("cluster", 1e9), wall)
            rss = cluster_rss(args, lc.scheduler_address)
        finally:
            client.close()
            lc.close()
    ratio = best["bare2"] / best["cluster"]
    print(f"{'bare nlp.pipe, n_process=2':34} {best['bare2']:7.2f} s {words / best['bare2']:9,.0f} words/s")
    print(f"{'annotator suggest, LocalCluster 2':34} {best['cluster']:7.2f} s {words / best['cluster']:9,.0f} words/s "
          f"{ratio:6.2f} of bare n_process=2 (goal >= 0.90); {spans:,} spans written; best of {args.repeat}")
    per_worker = len(texts) / best["cluster"] / 2
    print(f"per worker: {per_worker:.2f} articles/s = {per_worker * 3600:,.0f} articles/hour "
          f"(~{words / len(texts):.0f} words each)")
    for r in rss:
        print(f"writer's resident memory, {r['docs']:>6} short articles on the cluster: max {r['max_mb']:6.1f} MB "
              f"(after warm-up {r['before_mb']:.1f} MB, at the end {r['end_mb']:.1f} MB; run {r['seconds']:.0f}s)")
    if len(rss) >= 2:
        print(f"writer memory ratio {rss[-1]['docs']}/{rss[0]['docs']} articles: {rss[-1]['max_mb'] / rss[0]['max_mb']:.2f} "
              "(goal ~1.0)")
    sps, dps = writer_ceiling(batch_size=args.batch_size)
    print(f"writer ceiling (SQLite, batches of {args.batch_size} documents x 25 spans, one transaction each): "
          f"{sps:,.0f} spans/s, {dps:,.0f} documents/s -> about {dps / per_worker:,.0f} workers of this kind "
          "before the writer is the bottleneck")


if __name__ == "__main__":
    main()
