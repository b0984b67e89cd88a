"""The pattern-rule suggester: spaCy EntityRuler patterns stored in the project, layer ``patterns``.

Patterns are the JSONL format spaCy and Prodigy use (token patterns and phrase patterns),
validated on the way in (:func:`load_patterns_file`, :func:`validate_pattern`) and stored in the
project. ``annotator suggest --patterns FILE`` replaces the stored rules; without it the stored
rules run. The layer is recomputed whenever the rules behind it changed (``annotator merge`` adds
rules): its fingerprint is kept in the project setting ``patterns_layer_rules``. Registered as
the ``"patterns"`` entry of :mod:`annotator.suggesters.registry`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus.errors import InputError
from corpus.model import Document
from corpus.store import Store

from annotator.suggesters.base import BuildContext, Suggester
from annotator.suggesters.registry import register
from annotator.suggesters.spacy_model import make_doc

__all__ = ["PATTERNS_LAYER", "PATTERNS_PRIORITY", "PatternsSuggester", "validate_pattern", "load_patterns_file"]

#: Layer of the pattern-rule suggester.
PATTERNS_LAYER = "patterns"

#: The project's own rules win over every other source.
PATTERNS_PRIORITY = 0

#: Token attributes a pattern may not use: the pattern suggester runs on bare tokens (no tagger,
#: parser, lemmatizer or NER), so a pattern asking for them could never match.
_UNSUPPORTED_ATTRS = frozenset(
    {"POS", "TAG", "MORPH", "DEP", "LEMMA", "ENT_TYPE", "ENT_IOB", "ENT_ID", "ENT_KB_ID", "HEAD",
     "SENT_START", "IS_SENT_START", "_"}
)

def _pattern_attrs(pattern: list[Any]) -> set[str]:
    return {str(k).upper() for tok in pattern if isinstance(tok, dict) for k in tok}


def validate_pattern(obj: Any, entity_labels: Iterable[str], vocab: Any = None) -> dict[str, Any]:
    """Check one EntityRuler pattern; returns it normalised (``label``, ``pattern``, ``id``?).

    Raises ``ValueError`` with a short reason (the caller adds file and line).
    """
    if not isinstance(obj, dict):
        raise ValueError("a pattern must be a JSON object with 'label' and 'pattern'")
    label, pattern = obj.get("label"), obj.get("pattern")
    if not isinstance(label, str) or not label.strip():
        raise ValueError("'label' must be a non-empty string")
    labels = set(entity_labels)
    if label not in labels:
        known = ", ".join(sorted(labels)) or "none"
        raise ValueError(f"label {label!r} is not an entity label of the project (labels: {known})")
    if isinstance(pattern, str):
        if not pattern.strip():
            raise ValueError("'pattern' is an empty string")
    elif isinstance(pattern, list):
        if not pattern:
            raise ValueError("'pattern' is an empty list of tokens")
        if not all(isinstance(t, dict) for t in pattern):
            raise ValueError("a token pattern must be a list of objects, one per token")
        bad = sorted(_pattern_attrs(pattern) & _UNSUPPORTED_ATTRS)
        if bad:
            raise ValueError(
                f"token attribute(s) {', '.join(bad)} need a tagger or parser; patterns may only use "
                "text attributes (ORTH, TEXT, LOWER, SHAPE, LENGTH, IS_*, LIKE_*, REGEX, IN, OP...)"
            )
        from spacy.matcher import Matcher
        from spacy.vocab import Vocab

        try:
            Matcher(vocab if vocab is not None else Vocab(), validate=True).add("p", [pattern])
        except Exception as exc:  # noqa: BLE001 - MatchPatternError, KeyError, ValueError...
            detail = " ".join(line.strip() for line in str(exc).splitlines()[1:] if line.strip()) or str(exc)
            raise ValueError(f"invalid token pattern: {detail}") from exc
    else:
        raise ValueError("'pattern' must be a string (phrase) or a list of token objects")
    out: dict[str, Any] = {"label": label, "pattern": pattern}
    if obj.get("id") not in (None, ""):
        out["id"] = str(obj["id"])
    return out


def load_patterns_file(path: str | Path, entity_labels: Iterable[str]) -> list[dict[str, Any]]:
    """Read and validate a JSONL file of EntityRuler patterns (one JSON object a line).

    Blank lines are skipped. Raises :class:`InputError` naming the file and the 1-based line of
    the first bad pattern; nothing is stored by this function.
    """
    p = Path(path)
    labels = list(entity_labels)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise InputError(p, "no such patterns file") from None
    except IsADirectoryError:
        raise InputError(p, "is a folder, not a patterns file") from None
    except OSError as exc:
        raise InputError(p, f"cannot read ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(p, "not UTF-8 text", line=line) from None
    from spacy.vocab import Vocab

    vocab = Vocab()
    out: list[dict[str, Any]] = []
    for i, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as exc:
            raise InputError(p, f"not valid JSON ({exc.msg})", line=i) from None
        try:
            out.append(validate_pattern(obj, labels, vocab))
        except ValueError as exc:
            raise InputError(p, str(exc), line=i) from None
    if not out:
        raise InputError(p, "holds no patterns")
    return out


def _patterns_pipeline(lang: str, patterns: Sequence[dict[str, Any]]) -> Any:
    import spacy

    nlp = spacy.blank(lang)
    ruler = nlp.add_pipe("entity_ruler", config={"validate": False})
    ruler.add_patterns(list(patterns))
    return nlp


#: Project setting: the fingerprint of the rules that computed the ``patterns`` layer.
_PATTERNS_FINGERPRINT = "patterns_layer_rules"


def _patterns_fingerprint(patterns: Sequence[dict[str, Any]]) -> str:
    """SHA-256 of the rules (label, pattern, id; in order): equal exactly when they match the same."""
    norm = [{"label": p["label"], "pattern": p["pattern"], "id": str(p.get("id", ""))} for p in patterns]
    return hashlib.sha256(json.dumps(norm, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


_PIPELINES: dict[tuple[str, str], Any] = {}


@dataclass(frozen=True)
class PatternsSuggester:
    """Runs ``patterns`` (validated rules) with an entity ruler on a blank ``lang`` pipeline.

    ``new_rules`` is true when the rules came from ``--patterns`` and differ from the stored
    ones: :meth:`prepare` then stores them (replacing the stored rules)."""

    patterns: tuple[Any, ...]
    lang: str
    new_rules: bool = False
    layer: str = PATTERNS_LAYER
    priority: int = PATTERNS_PRIORITY
    parallel: bool = False
    fingerprint_setting: str = _PATTERNS_FINGERPRINT
    #: a patterns layer without a recorded fingerprint is recomputed (as it always was)
    stale_unrecorded: bool = True

    def fingerprint(self) -> str:
        """SHA-256 of the rules (see :func:`_patterns_fingerprint`)."""
        return _patterns_fingerprint(self.patterns)

    def prepare(self, store: Store) -> None:
        """Store the rules given with ``--patterns`` (they replace the stored ones)."""
        if self.new_rules:
            store.set_patterns(list(self.patterns))

    def _pipeline(self) -> Any:
        key = (self.lang, self.fingerprint())
        nlp = _PIPELINES.get(key)
        if nlp is None:
            _PIPELINES.clear()
            nlp = _PIPELINES[key] = _patterns_pipeline(self.lang, self.patterns)
        return nlp

    def suggest(self, documents: Sequence[Document]) -> list[list[Any]]:
        """The rules' matches in each document (docs rebuilt from the stored tokens)."""
        nlp = self._pipeline()
        docs = nlp.pipe((make_doc(nlp.vocab, d) for d in documents), batch_size=max(1, len(documents)))
        return [[(e.start_char, e.end_char, e.label_) for e in doc.ents] for doc in docs]


def _is_patterns_layer(layer: str) -> bool:
    return layer == PATTERNS_LAYER or layer.startswith(PATTERNS_LAYER + ":")


@register("patterns", priority=PATTERNS_PRIORITY, owns=_is_patterns_layer)
def build(ctx: BuildContext) -> list[Suggester]:
    """The stored rules, or the ``--patterns`` file's (validated now, naming file and line);
    nothing when the project has no rules."""
    stored = ctx.store.patterns()
    new: list[dict[str, Any]] | None = None
    if ctx.patterns is not None:
        new = load_patterns_file(ctx.patterns, ctx.schema)
        ctx.report.patterns_loaded = len(new)
    rules = stored if new is None else new
    if not rules:
        return []
    replace = new is not None and _patterns_fingerprint(stored) != _patterns_fingerprint(new)
    return [PatternsSuggester(tuple(rules), ctx.lang, new_rules=replace)]
