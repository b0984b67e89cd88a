"""Domain types: offsets, token snapping, layer kinds, content identity."""

from __future__ import annotations

import pytest

from corpus.model import (
    Document, LayerKind, Span, content_hash, is_token_aligned, layer_kind, snap_to_tokens,
)

TOKENS = ((0, 5), (6, 9), (10, 13), (14, 16), (17, 22), (22, 23))  # "Alice met Bob in Paris."


@pytest.mark.parametrize(
    ("sel", "expected"),
    [((1, 4), (0, 5)), ((0, 5), (0, 5)), ((2, 11), (0, 13)), ((18, 23), (17, 23)), ((5, 6), (5, 6))],
)
def test_selection_snaps_outwards_to_token_boundaries(sel: tuple[int, int], expected: tuple[int, int]) -> None:
    assert snap_to_tokens(TOKENS, *sel) == expected


def test_token_alignment() -> None:
    assert is_token_aligned(TOKENS, 0, 5)
    assert is_token_aligned(TOKENS, 17, 23)
    assert not is_token_aligned(TOKENS, 1, 5)
    assert not is_token_aligned(TOKENS, 0, 4)


def test_layer_kinds() -> None:
    assert layer_kind("gold") is LayerKind.GOLD
    assert layer_kind("model:en_core_web_sm@3.8.0") is LayerKind.MODEL
    assert layer_kind("patterns") is LayerKind.PATTERNS
    assert layer_kind("match:alice") is LayerKind.MATCH
    assert layer_kind("alice") is LayerKind.PERSON


def test_documents_are_identified_by_their_exact_text() -> None:
    assert Document(text="São Paulo").hash == content_hash("São Paulo")
    # Another Unicode form has other character offsets: it is another document.
    assert content_hash("São Paulo") != content_hash("Sa\u0303o Paulo")


def test_span_offsets_are_validated() -> None:
    with pytest.raises(ValueError):
        Span(1, "alice", 5, 5, "PERSON")
    with pytest.raises(ValueError):
        Span(1, "alice", -1, 5, "PERSON")
    assert Span(1, "a", 0, 5, "X").overlaps(Span(1, "a", 4, 9, "Y"))
    assert not Span(1, "a", 0, 5, "X").overlaps(Span(1, "a", 5, 9, "Y"))
