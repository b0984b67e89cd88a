"""Suggestion bookkeeping and patterns: the :class:`SuggestionMethods` of a Store.

Which documents each suggester layer has processed (so a run resumes where it stopped) and the
stored EntityRuler patterns. The module-level function only reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from corpus.store.base import StoreBase, writes
from corpus.store.layers import LayerMethods
from corpus.store.rows import decode_json, encode_json, marks, now

__all__ = ["SuggestionMethods", "suggested_documents_by_layer"]


class SuggestionMethods(LayerMethods):
    """What the suggesters have done, and the patterns the pattern suggester uses."""

    @writes
    def mark_suggested(self, doc_ids: Iterable[int], layer: str) -> None:
        """Record that ``layer``'s suggester has processed these documents (for resuming)."""
        stamp = now()
        self.ensure_layer(layer)
        for d in doc_ids:
            self.db.execute(
                "INSERT OR REPLACE INTO suggested(doc_id, layer, created_at) VALUES (?, ?, ?)", [d, layer, stamp]
            )

    def suggested_documents(self, layer: str) -> set[int]:
        """Documents already processed by ``layer``'s suggester."""
        return {r[0] for r in self.db.execute("SELECT doc_id FROM suggested WHERE layer = ?", [layer]).fetchall()}

    def suggested_layers(self, doc_id: int) -> list[str]:
        """Suggester layers that have processed this document."""
        return [r[0] for r in self.db.execute(
            "SELECT layer FROM suggested WHERE doc_id = ? ORDER BY layer", [doc_id]
        ).fetchall()]

    def patterns(self) -> list[dict[str, Any]]:
        """Stored EntityRuler patterns (``{"label", "pattern", "id"?}``)."""
        out = []
        for row_id, label, pattern, pid in self.db.execute(
            "SELECT id, label, pattern, pattern_id FROM patterns ORDER BY id"
        ).fetchall():
            d: dict[str, Any] = {"label": label, "pattern": decode_json(pattern, f"{self.path}: patterns table, pattern {row_id}")}
            if pid:
                d["id"] = pid
            out.append(d)
        return out

    @writes
    def set_patterns(self, patterns: Iterable[dict[str, Any]], replace_all: bool = True) -> int:
        """Store EntityRuler patterns (replacing the current ones by default); returns the count."""
        n = 0
        if replace_all:
            self.db.execute("DELETE FROM patterns")
        for p in patterns:
            self.db.execute(
                "INSERT INTO patterns(label, pattern, pattern_id) VALUES (?, ?, ?)",
                [p["label"], encode_json(p["pattern"], f"pattern for {p['label']!r}"), str(p.get("id", ""))],
            )
            n += 1
        return n


def suggested_documents_by_layer(store: StoreBase, layers: Sequence[str]) -> dict[str, set[int]]:
    """For each layer, the documents its suggester has processed (every given layer gets a set)."""
    out: dict[str, set[int]] = {layer: set() for layer in layers}
    if layers:
        for layer, doc_id in store.db.execute(
            f"SELECT layer, doc_id FROM suggested WHERE layer IN ({marks(len(layers))})", list(layers)
        ):
            out[layer].add(doc_id)
    return out
