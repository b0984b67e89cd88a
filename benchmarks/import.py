"""Benchmark: importing a JSONL corpus of news-length articles into a fresh project.

    python benchmarks/import.py              # 20,000 articles of ~500 tokens
    python benchmarks/import.py --docs 2000  # smaller
    python benchmarks/import.py --repeat 3   # more runs per variant (the fastest counts)

Measures, each in its own subprocess (so peak memory is that variant's alone):

* **full**: ``annotator.importing.import_paths`` into a fresh project file (parse, hash and
  deduplicate, tokenise with the project tokenizer + sentencizer, store documents with token and
  sentence offsets, full-text index, one transaction);
* **baseline**: the bare libraries doing the same work: ``spacy.blank("en")`` + sentencizer over
  the texts with ``nlp.pipe``, and ``sqlite_utils`` ``insert_all`` of equivalent rows (name,
  text, meta, hash, token and sentence offsets as JSON, token count) into a fresh database;
* **full at a quarter / 5,000 docs**, to show peak memory does not grow with corpus size.

Prints documents per second, peak RSS (``resource.getrusage``, MiB) and the ratio
full / baseline of the elapsed times. Goal: ratio <= 1.5. Corpus generation is not timed.
(This script may open sqlite-utils directly for the baseline: the one exception to the rule
that only ``corpus/store`` writes SQL.)
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FIRST = ["Angela", "Olaf", "Emmanuel", "Maria", "José", "Chen", "Aisha", "Kwame", "Ingrid", "Rahul",
         "Sofia", "Dmitri", "Yuki", "Fatima", "Lars", "Ngozi", "Pedro", "Zoë", "Hiroshi", "Amara"]
LAST = ["Merkel", "Scholz", "Macron", "Silva", "García", "Wei", "Khan", "Mensah", "Larsen", "Patel",
        "Rossi", "Ivanov", "Tanaka", "Haddad", "Berg", "Okafor", "Costa", "Müller", "Sato", "Diallo"]
PLACES = ["Berlin", "Paris", "São Paulo", "Nairobi", "Tokyo", "Lagos", "Oslo", "Mumbai", "Lima",
          "Toronto", "Cairo", "Sydney", "Madrid", "Seoul", "Accra", "Quito", "Hanoi", "Vienna"]
ORGS = ["the European Commission", "Siemens", "the World Bank", "Reuters", "the United Nations",
        "Petrobras", "the IMF", "Toyota", "the African Union", "Nokia", "UNICEF", "Tata Steel"]
VERBS = ["met", "criticised", "praised", "visited", "called", "thanked", "warned", "joined",
         "interviewed", "challenged", "congratulated", "questioned"]
TOPICS = ["trade", "climate policy", "the budget", "energy prices", "migration", "a new rail line",
          "vaccine supplies", "interest rates", "the harvest", "water rights", "cyber security"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]


def _sentence(rng: random.Random) -> str:
    p1 = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    p2 = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    kind = rng.randrange(5)
    if kind == 0:
        return (f"{p1} {rng.choice(VERBS)} {p2} in {rng.choice(PLACES)} on {rng.randint(1, 28)} "
                f"{rng.choice(MONTHS)} {rng.randint(1990, 2025)} to discuss {rng.choice(TOPICS)}.")
    if kind == 1:
        return (f"\u201cWe cannot wait any longer,\u201d said {p1}, a spokesperson for "
                f"{rng.choice(ORGS)}, adding that {rng.choice(TOPICS)} would dominate the talks.")
    if kind == 2:
        return (f"According to {rng.choice(ORGS)}, about {rng.randint(2, 980)} million dollars were "
                f"spent in {rng.choice(PLACES)} last year, up {rng.randint(1, 40)}.{rng.randint(0, 9)}% "
                f"from the year before.")
    if kind == 3:
        return (f"Officials in {rng.choice(PLACES)} and {rng.choice(PLACES)} said the agreement with "
                f"{rng.choice(ORGS)} was signed late on {rng.choice(MONTHS)} {rng.randint(1, 28)}.")
    return (f"{p2}, who has led {rng.choice(ORGS)} since {rng.randint(1995, 2024)}, told reporters "
            f"that the decision on {rng.choice(TOPICS)} was \u201cnot final\u201d.")


def make_article(rng: random.Random, i: int, target_tokens: int = 500) -> dict:
    """A news-style article of about ``target_tokens`` tokens, different every time."""
    paras: list[str] = []
    n = 0
    while n < target_tokens:
        para = " ".join(_sentence(rng) for _ in range(rng.randint(2, 5)))
        paras.append(para)
        n += int(len(para.split()) * 1.2)
    title = f"{rng.choice(PLACES)} talks on {rng.choice(TOPICS)} ({i})"
    return {"text": title + "\n\n" + "\n\n".join(paras), "meta": {"source": "bench", "n": i},
            "name": f"article-{i:06d}"}


def generate(path: Path, n: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(json.dumps(make_article(rng, i), ensure_ascii=False) + "\n")


# -- the variants (run in a child process) ------------------------------------------------------
def _maxrss_mib() -> float:
    import resource

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def run_full(corpus: Path, db: Path) -> dict:
    from annotator.importing import import_paths
    from corpus.store import Store

    t0 = time.perf_counter()
    store = Store(db)
    report = import_paths(store, [corpus])
    n_tokens = store.count_tokens()
    store.close()
    elapsed = time.perf_counter() - t0
    return {"docs": report.documents_added, "tokens": n_tokens, "seconds": elapsed, "maxrss_mib": _maxrss_mib()}


def run_baseline(corpus: Path, db: Path) -> dict:
    import hashlib
    from datetime import datetime, timezone

    import spacy
    import sqlite_utils

    t0 = time.perf_counter()
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    database = sqlite_utils.Database(db)
    database.execute("PRAGMA journal_mode = WAL")
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")

    def records():
        with open(corpus, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    yield json.loads(line)

    def rows():
        recs = records()
        objs: list[dict] = []

        def texts():
            for obj in recs:
                objs.append(obj)
                yield obj["text"]

        for doc in nlp.pipe(texts(), batch_size=256):
            obj = objs.pop(0)
            tokens = [(t.idx, t.idx + len(t.text)) for t in doc]
            sents = [(s.start_char, s.end_char) for s in doc.sents]
            yield {
                "name": obj.get("name", ""),
                "text": obj["text"],
                "meta": json.dumps(obj.get("meta", {}), ensure_ascii=False),
                "hash": hashlib.sha256(obj["text"].encode("utf-8")).hexdigest(),
                "tokens": json.dumps(tokens, separators=(",", ":")),
                "sents": json.dumps(sents, separators=(",", ":")),
                "n_tokens": sum(1 for t in doc if not t.is_space),
                "created_at": now,
            }

    n = 0
    n_tokens = 0

    def counted():
        nonlocal n, n_tokens
        for row in rows():
            n += 1
            n_tokens += row["n_tokens"]
            yield row

    with database.conn:
        database["documents"].insert_all(counted(), batch_size=256)
    database.close()
    elapsed = time.perf_counter() - t0
    return {"docs": n, "tokens": n_tokens, "seconds": elapsed, "maxrss_mib": _maxrss_mib()}


def child(variant: str, corpus: Path, db: Path) -> None:
    result = run_full(corpus, db) if variant == "full" else run_baseline(corpus, db)
    print(json.dumps(result))


def spawn(variant: str, corpus: Path, db: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", variant, "--corpus", str(corpus), "--db", str(db)],
        check=True, capture_output=True, text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=20_000, help="articles to generate (default 20,000)")
    ap.add_argument("--repeat", type=int, default=2,
                    help="runs per variant, alternating; the fastest counts (shared machines are noisy)")
    ap.add_argument("--child", choices=["full", "baseline"], help=argparse.SUPPRESS)
    ap.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.corpus, args.db)
        return

    small_n = 5_000 if args.docs >= 10_000 else max(1, args.docs // 4)
    with tempfile.TemporaryDirectory(prefix="annotator-bench-") as tmp:
        tmpdir = Path(tmp)
        corpus = tmpdir / "articles.jsonl"
        small = tmpdir / "articles-small.jsonl"
        t0 = time.perf_counter()
        generate(corpus, args.docs)
        with open(corpus, encoding="utf-8") as src, open(small, "w", encoding="utf-8") as dst:
            for i, line in enumerate(src):
                if i >= small_n:
                    break
                dst.write(line)
        size_mb = corpus.stat().st_size / 1e6
        print(f"corpus: {args.docs:,} articles, {size_mb:.1f} MB JSONL "
              f"(generated in {time.perf_counter() - t0:.1f} s, not timed)")

        runs: dict[str, list[dict]] = {"baseline": [], "full": []}
        for r in range(max(1, args.repeat)):
            order = ("baseline", "full") if r % 2 == 0 else ("full", "baseline")
            for variant in order:
                runs[variant].append(spawn(variant, corpus, tmpdir / f"{variant}-{r}.db"))
        base = min(runs["baseline"], key=lambda x: x["seconds"])
        full = min(runs["full"], key=lambda x: x["seconds"])
        full_small = spawn("full", small, tmpdir / "full-small.db")
        spread = {v: ", ".join(f"{x['seconds']:.1f}" for x in rs) for v, rs in runs.items()}
        print(f"runs (s): baseline [{spread['baseline']}], full [{spread['full']}]; the fastest of each is shown")

    def line(label: str, r: dict) -> str:
        return (f"{label:<38} {r['docs']:>7,} docs {r['tokens'] / max(r['docs'], 1):>6.0f} tok/doc "
                f"{r['seconds']:>8.1f} s {r['docs'] / r['seconds']:>8.0f} docs/s  peak RSS {r['maxrss_mib']:>7.1f} MiB")

    print(line("baseline (nlp.pipe + insert_all)", base))
    print(line("full import_paths", full))
    print(line(f"full import_paths, first {small_n:,} docs", full_small))
    ratio = full["seconds"] / base["seconds"]
    print(f"ratio full / baseline (time): {ratio:.2f}x  (goal <= 1.5x) -> {'OK' if ratio <= 1.5 else 'OVER GOAL'}")
    growth = full["maxrss_mib"] / full_small["maxrss_mib"]
    print(f"peak memory {args.docs:,} docs / {small_n:,} docs: {growth:.2f}x "
          f"({'flat' if growth < 1.25 else 'GROWS'})")


if __name__ == "__main__":
    main()
