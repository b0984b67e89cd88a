"""Read-only queries the window's dialogs need (labels dialog, export, agreement, review).

Typed functions taking a :class:`~corpus.store.core.Store`; this package is the only place
that writes SQL, so the dialogs ask here instead of opening the database themselves. Labels
and names are always bound as parameters, never formatted into the SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

from corpus.model import LabelKind, is_person_layer
from corpus.store.core import Store

__all__ = ["LabelUsage", "label_usage", "usage_of_label", "person_layers", "layer_span_counts", "done_counts"]


@dataclass(frozen=True)
class LabelUsage:
    """How much one label is used: annotations carrying it, in how many documents and layers."""

    annotations: int = 0
    documents: int = 0
    layers: tuple[str, ...] = ()


def _table(kind: LabelKind | str) -> str:
    return "spans" if LabelKind(kind) is LabelKind.ENTITY else "relations"


def label_usage(store: Store, kind: LabelKind | str) -> dict[str, LabelUsage]:
    """Usage of every label name of ``kind`` found in annotations (schema or not)."""
    table = _table(kind)  # one of two fixed names, never user data
    out: dict[str, LabelUsage] = {}
    rows = store.db.execute(
        f"SELECT label, count(*), count(DISTINCT doc_id), group_concat(DISTINCT layer) "
        f"FROM {table} GROUP BY label"
    ).fetchall()
    for label, n, ndocs, layers in rows:
        out[label] = LabelUsage(int(n), int(ndocs), tuple(sorted((layers or "").split(","))) if layers else ())
    return out


def usage_of_label(store: Store, kind: LabelKind | str, name: str) -> LabelUsage:
    """Usage of one label (zero when unused)."""
    table = _table(kind)
    n, ndocs = store.db.execute(
        f"SELECT count(*), count(DISTINCT doc_id) FROM {table} WHERE label = ?", [name]
    ).fetchone()
    layers = tuple(
        r[0]
        for r in store.db.execute(
            f"SELECT DISTINCT layer FROM {table} WHERE label = ? ORDER BY layer", [name]
        ).fetchall()
    )
    return LabelUsage(int(n), int(ndocs), layers)


def person_layers(store: Store) -> list[str]:
    """People who annotate in this project: registered annotators plus person layers with spans."""
    names = set(store.annotators())
    for (layer,) in store.db.execute("SELECT DISTINCT layer FROM spans").fetchall():
        if is_person_layer(layer):
            names.add(layer)
    return sorted(names)


def layer_span_counts(store: Store) -> dict[str, int]:
    """Spans per layer (layers with none are absent)."""
    return {
        layer: int(n)
        for layer, n in store.db.execute("SELECT layer, count(*) FROM spans GROUP BY layer").fetchall()
    }


def done_counts(store: Store) -> dict[str, int]:
    """Documents each annotator (or layer owner, e.g. ``gold``) marked done."""
    return {
        name: int(n)
        for name, n in store.db.execute(
            "SELECT annotator, count(*) FROM statuses WHERE status = 'done' GROUP BY annotator"
        ).fetchall()
    }
