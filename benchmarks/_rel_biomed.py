"""Helpers of benchmarks/train.py: the biomedical relation data, split and scored as Explosion's
relation tutorial does (labels mapped to Regulates/Binds, Binds symmetric, split by article id,
only sentences with a relation, micro F1 over ordered entity pairs at most 100 tokens apart)."""

from __future__ import annotations

import json
from pathlib import Path

MAP_LABELS = {"Pos-Reg": "Regulates", "Neg-Reg": "Regulates", "Reg": "Regulates", "No-rel": "Regulates",
              "Binds": "Binds"}
SYMMETRIC = {"Binds"}


def split_of(source: str) -> str:
    """dev / test / train by the article id in ``meta.source`` (ending in 4: dev, 3: test)."""
    article = source.replace("BioNLP 2011 Genia Shared Task, ", "").replace(".txt", "").split("-")[1]
    return "dev" if article.endswith("4") else "test" if article.endswith("3") else "train"


def write_splits(src: Path, out: Path) -> dict[str, Path]:
    """One Prodigy JSONL per split with the tutorial's labels (Binds added in both directions)."""
    files = {name: out / f"{name}.jsonl" for name in ("train", "dev", "test")}
    handles = {name: open(path, "w", encoding="utf-8") for name, path in files.items()}
    try:
        for line in src.read_text(encoding="utf-8").splitlines():
            eg = json.loads(line)
            if eg.get("answer") != "accept" or not eg.get("relations"):
                continue
            end_to_span = {sp["token_end"]: sp for sp in eg["spans"]}
            rels, seen = [], set()
            for rel in eg["relations"]:
                label = MAP_LABELS[rel["label"]]
                pairs = [(rel["head"], rel["child"])]
                if label in SYMMETRIC:
                    pairs.append((rel["child"], rel["head"]))
                for h, c in pairs:
                    if (h, c, label) in seen or h not in end_to_span or c not in end_to_span:
                        continue
                    seen.add((h, c, label))
                    rels.append({"head": h, "child": c, "label": label,
                                 "head_span": end_to_span[h], "child_span": end_to_span[c]})
            if not rels:
                continue
            eg["relations"] = rels
            handles[split_of(eg["meta"]["source"])].write(json.dumps(eg) + "\n")
    finally:
        for fh in handles.values():
            fh.close()
    return files
