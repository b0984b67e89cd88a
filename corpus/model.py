"""Domain types shared by every layer.

Plain frozen dataclasses with character offsets (end exclusive). Nothing here touches the
database, Qt or spaCy; the store, the importers, the suggesters and the window all speak in
these types.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any, Mapping, Sequence

__all__ = [
    "GOLD",
    "Document",
    "DocumentStatus",
    "Label",
    "LabelKind",
    "LayerKind",
    "Relation",
    "Span",
    "Offsets",
    "AttributeValue",
    "Attributes",
    "normalise_attributes",
    "content_hash",
    "layer_kind",
    "is_person_layer",
    "is_suggester_layer",
    "token_index_at",
    "snap_to_tokens",
    "is_token_aligned",
]

#: The layer holding the adjudicated (reviewed) annotations.
GOLD = "gold"

#: Offsets (start, end) of a token or a sentence, end exclusive.
Offsets = tuple[int, int]

#: The value of one span attribute: a string (brat's multi-valued attribute, a Label Studio
#: choice or text) or a flag (brat's binary attribute, present = ``True``).
AttributeValue = str | bool
#: A span's attributes as sorted ``(name, value)`` pairs: hashable, so a Span stays frozen.
Attributes = tuple[tuple[str, AttributeValue], ...]


def normalise_attributes(value: Mapping[str, AttributeValue] | Sequence[tuple[str, AttributeValue]] | None) -> Attributes:
    """``value`` (a mapping or ``(name, value)`` pairs) as sorted, checked pairs.

    Names are non-empty strings, values strings or booleans; a later pair for the same name wins.
    Raises ``ValueError`` otherwise.
    """
    if not value:
        return ()
    pairs = value.items() if isinstance(value, Mapping) else value
    out: dict[str, AttributeValue] = {}
    for pair in pairs:
        try:
            name, val = pair
        except (TypeError, ValueError):
            raise ValueError(f"a span attribute must be a (name, value) pair, got {pair!r}") from None
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"a span attribute needs a name, got {name!r}")
        if not isinstance(val, (str, bool)):
            raise ValueError(f"span attribute {name!r}: the value must be text or true/false, got {val!r}")
        out[name] = val
    return tuple(sorted(out.items()))


class LabelKind(str, Enum):
    """What a label names: an entity span or a relation between two spans."""

    ENTITY = "entity"
    RELATION = "relation"


class DocumentStatus(str, Enum):
    """Where one annotator stands with one document."""

    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    SKIPPED = "skipped"


class LayerKind(str, Enum):
    """Who wrote a layer: a person, a suggester or the reviewer (gold)."""

    PERSON = "person"
    MODEL = "model"  # model:<name>@<version>
    PATTERNS = "patterns"  # pattern rules
    MATCH = "match"  # propagation of accepted spans: match:<person>
    GOLD = "gold"


def layer_kind(layer: str) -> LayerKind:
    """Classify a layer name.

    ``gold`` is the reviewer's layer, ``model:...``, ``patterns`` (or ``patterns:...``) and
    ``match:...`` are suggesters; any other name is a person.
    """
    if layer == GOLD:
        return LayerKind.GOLD
    if layer.startswith("model:"):
        return LayerKind.MODEL
    if layer == "patterns" or layer.startswith("patterns:"):
        return LayerKind.PATTERNS
    if layer == "match" or layer.startswith("match:"):
        return LayerKind.MATCH
    return LayerKind.PERSON


def is_person_layer(layer: str) -> bool:
    """True when ``layer`` is written by a person (not a suggester, not gold)."""
    return layer_kind(layer) is LayerKind.PERSON


def is_suggester_layer(layer: str) -> bool:
    """True when ``layer`` is written by a suggester (model, patterns or propagation)."""
    return layer_kind(layer) in (LayerKind.MODEL, LayerKind.PATTERNS, LayerKind.MATCH)


def content_hash(text: str) -> str:
    """Identity of an article's text: SHA-256 of its exact UTF-8 bytes, hex.

    The same article imported twice, or from another annotator's file, hashes the same and is
    therefore one document. The text is not normalised: spans are character offsets into the
    exact text, so two Unicode forms of one article (composed and decomposed accents) have
    different offsets and must stay different documents.
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Label:
    """An entity or relation label of the project schema."""

    name: str
    kind: LabelKind = LabelKind.ENTITY
    color: str = "#9ecae1"
    hotkey: str = ""
    description: str = ""


@dataclass(frozen=True)
class Document:
    """One article.

    ``tokens`` and ``sents`` are character offsets (end exclusive) into ``text``; whitespace
    tokens (spaCy's ``is_space``) are included so that a spaCy ``Doc`` can be rebuilt with the
    exact text. ``id`` is ``None`` until the store assigns one.

    Both are sequences of ``(start, end)`` tuples: a tuple when made in memory; a document read
    from a project carries the store's :class:`~corpus.store.rows.StoredOffsets`, which behaves
    as that tuple (equal to it, same hash) and decodes its pairs only when one is first read.
    """

    text: str
    name: str = ""
    meta: Mapping[str, Any] = field(default_factory=dict)
    tokens: Sequence[Offsets] = ()
    sents: Sequence[Offsets] = ()
    id: int | None = None
    hash: str = ""

    def __post_init__(self) -> None:
        if not self.hash:
            object.__setattr__(self, "hash", content_hash(self.text))

    def with_id(self, doc_id: int) -> Document:
        """A copy carrying the id the store assigned."""
        return replace(self, id=doc_id)


@dataclass(frozen=True)
class Span:
    """A labelled stretch of a document's text in one layer.

    ``start``/``end`` are character offsets, end exclusive. ``source`` says where a span came
    from (``"manual"``, ``"accepted:model:en_core_web_sm@3.8.0"``, an importer...), ``score`` is
    the suggester's confidence when it has one.

    ``kb_id`` is a knowledge-base identifier (Prodigy NEL's accepted option, brat's ``N`` line
    as ``DB:ID``, spaCy's ``Span.kb_id_``), empty when none; ``attributes`` are named values
    (brat ``A`` lines, Label Studio per-region choices), given as a mapping or pairs and kept as
    sorted pairs (:data:`Attributes`) so the span stays hashable. Neither takes part in
    :attr:`key`: two annotators' spans are the same span whatever their kb ids.
    """

    doc_id: int
    layer: str
    start: int
    end: int
    label: str
    id: int | None = None
    source: str = ""
    score: float | None = None
    kb_id: str = ""
    attributes: Attributes = ()

    def __post_init__(self) -> None:
        if self.start < 0 or self.end <= self.start:
            raise ValueError(f"span offsets must satisfy 0 <= start < end, got {self.start}..{self.end}")
        if not isinstance(self.kb_id, str):
            raise ValueError(f"a span's kb id must be text, got {self.kb_id!r}")
        if self.attributes and not (isinstance(self.attributes, tuple) and self.attributes == normalise_attributes(self.attributes)):
            object.__setattr__(self, "attributes", normalise_attributes(self.attributes))

    @property
    def attrs(self) -> dict[str, AttributeValue]:
        """The attributes as a dict (a copy)."""
        return dict(self.attributes)

    @property
    def key(self) -> tuple[int, int, str]:
        """(start, end, label): what makes two annotators' spans the same span."""
        return (self.start, self.end, self.label)

    def overlaps(self, other: Span) -> bool:
        """True when the two spans share at least one character."""
        return self.start < other.end and other.start < self.end

    def text_in(self, text: str) -> str:
        """The covered text, given the document text."""
        return text[self.start : self.end]


@dataclass(frozen=True)
class Relation:
    """A labelled, directed link from a head span to a child span (span ids) in one layer.

    ``score`` is the suggester's confidence when it has one (the project's relation model
    gives it, :mod:`annotator.training.relations`); ``None`` for a relation a person drew or
    an importer read. Like a span's score it is part of equality: the same link read back from
    the store equals the relation written.
    """

    doc_id: int
    layer: str
    head: int
    child: int
    label: str
    id: int | None = None
    source: str = ""
    score: float | None = None


def token_index_at(tokens: Sequence[Offsets], char: int) -> int:
    """Index of the token containing character ``char`` (or the next token after a gap)."""
    lo, hi = 0, len(tokens)
    while lo < hi:
        mid = (lo + hi) // 2
        if tokens[mid][1] <= char:
            lo = mid + 1
        else:
            hi = mid
    return lo


def snap_to_tokens(tokens: Sequence[Offsets], start: int, end: int) -> Offsets:
    """Expand ``start..end`` outwards to the nearest token boundaries (spaCy's "expand").

    With no tokens the offsets are returned unchanged.
    """
    if not tokens or end <= start:
        return (start, end)
    i = token_index_at(tokens, start)
    j = token_index_at(tokens, max(start, end - 1))
    i = min(i, len(tokens) - 1)
    j = min(j, len(tokens) - 1)
    s = min(start, tokens[i][0]) if tokens[i][0] <= start < tokens[i][1] else start
    e = max(end, tokens[j][1]) if tokens[j][0] < end <= tokens[j][1] else end
    return (s, e)


def is_token_aligned(tokens: Sequence[Offsets], start: int, end: int) -> bool:
    """True when ``start`` begins a token and ``end`` ends one."""
    if not tokens:
        return True
    i = token_index_at(tokens, start)
    if i >= len(tokens) or tokens[i][0] != start:
        return False
    j = token_index_at(tokens, end - 1)
    return j < len(tokens) and tokens[j][1] == end
