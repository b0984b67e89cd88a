"""Benchmark: training the project model, against bare spaCy, and the relation model.

1. ``annotator train`` against bare ``python -m spacy train`` on a split of the fashion-brands
   corpus (Prodigy JSONL imported into a project): the same config (``training_config``, which
   ``annotator train`` uses), the same train/dev DocBins, the same steps and seed, each run as
   its own process. Printed: dev entity F1 of each and their ratio (goal >= 0.98), wall time of
   each and their ratio (goal <= 1.2x).
2. The relation model on Explosion's relation tutorial split of the biomedical data (labels
   mapped to Regulates/Binds, Binds symmetric, split by article id, sentences with a relation),
   given the gold entities, with the threshold chosen on the dev split: relation micro F1 on the
   test split as the tutorial scores it (every ordered entity pair at most 100 tokens apart,
   every label). Its CPU model: 0.30 at threshold 0.5, 0.43 at its best test threshold.
3. A simulated session (benchmarks/_session.py): an oracle labels fashion documents 100 at a
   time, in order or by "most useful next", the model retrained after each 100; printed per
   round: the oracle's corrections per document and the model's suggestion F1 on held-out text.

    python benchmarks/train.py [--docs 600] [--max-steps 600] [--eval-frequency 100]
                               [--session-docs 400] [--session-steps 300]

The machine's load average is printed first: the machines are shared and timings are noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _rel_biomed import write_splits  # noqa: E402
from _session import run_sessions  # noqa: E402

FASHION = Path("/work/shared/samples/fashion_brands/fashion_brands_training.jsonl")
BIOMED = Path("/work/shared/samples/rel_biomed/annotations.jsonl")


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def _timed(cmd: list[str]) -> tuple[float, str]:
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if done.returncode:
        sys.exit(f"{' '.join(cmd[:4])} ... failed:\n{done.stderr[-2000:]}")
    return seconds, done.stdout


def fashion(tmp: Path, docs: int, max_steps: int, eval_frequency: int) -> None:
    """``annotator train`` vs ``python -m spacy train`` on the same data, config and steps."""
    from annotator.importing import import_paths
    from annotator.training.data import iter_examples, select_training, split_ids
    from annotator.training.spacy_train import build_docbins, training_config
    from corpus.store import Store

    src = tmp / "fashion.jsonl"
    src.write_text("".join(FASHION.read_text(encoding="utf-8").splitlines(keepends=True)[:docs]), encoding="utf-8")
    db = tmp / "fashion.db"
    with Store(db) as store:
        import_paths(store, [src], fmt="prodigy", annotator="alice")
        # The same selection, split, docs and config as `annotator train` makes.
        sel = select_training(store)
        train_ids, dev_ids = split_ids(sel.doc_ids, 0.2, 0)
        ex = {e.document.id: e for e in iter_examples(store, sel.sources)}
        for name, ids in (("train", train_ids), ("dev", dev_ids)):
            build_docbins([ex[d] for d in ids], "en", False)[0].to_disk(tmp / f"{name}.spacy")
        cfg = training_config("en", max_steps=max_steps, eval_frequency=eval_frequency, seed=0)
    cfg.to_disk(tmp / "config.cfg")
    print(f"fashion brands: {len(train_ids)} train / {len(dev_ids)} dev documents, {max_steps} steps, "
          f"evaluation every {eval_frequency}")
    ours_s, out = _timed([sys.executable, "-m", "annotator", "train", str(db), "--max-steps", str(max_steps),
                          "--eval-frequency", str(eval_frequency), "--json"])
    ours = json.loads(out)["scores"]["ents_f"]
    bare_s, _ = _timed([sys.executable, "-m", "spacy", "train", str(tmp / "config.cfg"), "--output",
                        str(tmp / "bare"), "--paths.train", str(tmp / "train.spacy"),
                        "--paths.dev", str(tmp / "dev.spacy")])
    bare = json.loads((tmp / "bare" / "model-best" / "meta.json").read_text())["performance"]["ents_f"]
    print(f"  annotator train   : dev F1 {ours:.4f}  {ours_s:7.1f} s")
    print(f"  python -m spacy train: dev F1 {bare:.4f}  {bare_s:7.1f} s")
    ratio = ours / bare if bare else float("nan")
    print(f"  dev F1 ratio {ratio:.3f} (goal >= 0.98); wall time ratio {ours_s / bare_s:.2f}x (goal <= 1.2x)")


def relations(tmp: Path) -> None:
    """Relation F1 given the gold entities on the tutorial's test split, threshold from dev."""
    from annotator.importing import import_paths
    from annotator.training.data import iter_examples
    from annotator.training.relations import parse_documents, relation_prf, train_relation_model
    from corpus.store import Store

    files = write_splits(BIOMED, tmp)
    ex = {}
    for name, path in files.items():
        with Store(tmp / f"bio-{name}.db") as store:
            import_paths(store, [path], fmt="prodigy", annotator="bio")
            ex[name] = list(iter_examples(store, {d: "bio" for d in store.done_documents("bio")}))
    t0 = time.perf_counter()
    model, dev = train_relation_model(ex["train"], ex["dev"], "en")
    seconds = time.perf_counter() - t0
    docs = parse_documents([e.document for e in ex["test"]], model.parser, "en")
    scored = []
    for e, doc in zip(ex["test"], docs):
        by_id = {sp.id: k for k, sp in enumerate(e.spans)}
        gold = {(by_id[r.head], by_id[r.child], r.label) for r in e.relations}
        scored += [(r.score, (r.head, r.child, r.label) in gold) for r in model.score_pairs(doc, list(e.spans))]
        # Gold relations outside the candidate pairs are not counted, as in the tutorial's scorer.

    def at(t: float) -> dict[str, float]:
        tp = sum(1 for s, g in scored if g and s >= t)
        return relation_prf(tp, sum(1 for s, g in scored if not g and s >= t), sum(1 for _, g in scored if g) - tp)

    sizes = ", ".join(f"{k} {len(v)}" for k, v in ex.items())
    print(f"biomedical relations ({sizes} sentences; parser {model.parser}; trained in {seconds:.1f} s)")
    print(f"  threshold chosen on dev: {model.threshold:.3f} (dev F1 {dev.get('f', 0):.3f})")
    test = at(model.threshold)
    print(f"  test, given gold entities: P {test['p']:.3f} R {test['r']:.3f} F1 {test['f']:.3f} "
          f"(goal above 0.43; tutorial CPU model 0.30 at 0.5, 0.43 at its best)")
    half = at(0.5)
    print(f"  test at threshold 0.5: F1 {half['f']:.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=600)
    ap.add_argument("--max-steps", type=int, default=600)
    ap.add_argument("--eval-frequency", type=int, default=100)
    ap.add_argument("--skip-fashion", action="store_true")
    ap.add_argument("--session-docs", type=int, default=400, help="documents the simulated oracle labels (0: skip)")
    ap.add_argument("--session-steps", type=int, default=300, help="training steps of each retrain")
    args = ap.parse_args()
    print(_load())
    with tempfile.TemporaryDirectory() as tmp:
        relations(Path(tmp))
        if not args.skip_fashion:
            fashion(Path(tmp), args.docs, args.max_steps, args.eval_frequency)
        if args.session_docs:
            run_sessions(Path(tmp), FASHION, args.session_docs, 200, 100, args.session_steps)
    print(_load())


if __name__ == "__main__":
    main()
