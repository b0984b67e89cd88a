"""Project settings and the label schema: the :class:`LabelMethods` of a Store, and label usage.

The module-level functions only read; every write is a Store method running in a transaction.
Labels and names are always bound as parameters, never formatted into the SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from corpus.errors import AnnotationError
from corpus.model import Label, LabelKind
from corpus.store.base import StoreBase, writes
from corpus.store.rows import decode_json, encode_json

__all__ = ["LabelMethods", "LabelUsage", "label_usage", "usage_of_label"]


def _table(kind: LabelKind | str) -> str:
    """The table holding annotations of this label kind (one of two fixed names)."""
    return "spans" if LabelKind(kind) is LabelKind.ENTITY else "relations"


class LabelMethods(StoreBase):
    """Project settings (JSON values by key) and the entity and relation labels."""

    # -- settings ----------------------------------------------------------------------------
    def get_setting(self, key: str, default: Any = None) -> Any:
        """A project setting (JSON value), or ``default``."""
        row = self.db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
        return default if row is None else decode_json(row[0], f"{self.path}: settings table, setting {key!r}")

    @writes
    def set_setting(self, key: str, value: Any) -> None:
        """Store a project setting as JSON."""
        self.db.execute(
            "INSERT INTO settings(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, encode_json(value, f"setting {key!r}")],
        )

    # -- labels ------------------------------------------------------------------------------
    def labels(self, kind: LabelKind | str | None = None) -> list[Label]:
        """The label schema in palette order (optionally only one kind)."""
        sql = "SELECT name, kind, color, hotkey, description FROM labels"
        params: list[Any] = []
        if kind is not None:
            sql += " WHERE kind = ?"
            params.append(LabelKind(kind).value)
        sql += " ORDER BY kind, position, name"
        return [
            Label(name=r[0], kind=LabelKind(r[1]), color=r[2], hotkey=r[3], description=r[4])
            for r in self.db.execute(sql, params).fetchall()
        ]

    def label_names(self, kind: LabelKind | str) -> list[str]:
        """Names of the labels of one kind."""
        return [lab.name for lab in self.labels(kind)]

    @writes
    def set_labels(self, labels: Iterable[Label]) -> None:
        """Add or update labels (keyed by name and kind), keeping the given order."""
        base = int(self.db.execute("SELECT coalesce(max(position), -1) + 1 FROM labels").fetchone()[0])
        for i, lab in enumerate(labels):
            self.db.execute(
                "INSERT INTO labels(name, kind, color, hotkey, description, position)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(name, kind) DO UPDATE SET"
                " color = excluded.color, hotkey = excluded.hotkey,"
                " description = excluded.description",
                [lab.name, LabelKind(lab.kind).value, lab.color, lab.hotkey, lab.description, base + i],
            )

    @writes
    def rename_label(self, kind: LabelKind | str, old: str, new: str) -> None:
        """Rename a label and every annotation carrying it, in one transaction."""
        kind = LabelKind(kind)
        if old == new:
            return
        if new in self.label_names(kind):
            raise AnnotationError(f"a {kind.value} label named {new!r} already exists")
        self.db.execute("UPDATE labels SET name = ? WHERE name = ? AND kind = ?", [new, old, kind.value])
        self.db.execute(f"UPDATE {_table(kind)} SET label = ? WHERE label = ?", [new, old])
        if kind is LabelKind.ENTITY:
            self.db.execute("UPDATE rejections SET label = ? WHERE label = ?", [new, old])
            self.db.execute("UPDATE patterns SET label = ? WHERE label = ?", [new, old])

    @writes
    def delete_label(self, kind: LabelKind | str, name: str) -> int:
        """Remove a label from the schema; refuses while annotations use it. Returns 0."""
        kind = LabelKind(kind)
        used = self.db.execute(f"SELECT count(*) FROM {_table(kind)} WHERE label = ?", [name]).fetchone()[0]
        if used:
            raise AnnotationError(f"label {name!r} is used by {used} annotations; rename it instead")
        self.db.execute("DELETE FROM labels WHERE name = ? AND kind = ?", [name, kind.value])
        return 0

    @writes
    def reorder_labels(self, kind: LabelKind | str, names: Sequence[str]) -> None:
        """Set the palette order of one kind's labels."""
        for i, n in enumerate(names):
            self.db.execute(
                "UPDATE labels SET position = ? WHERE name = ? AND kind = ?", [i, n, LabelKind(kind).value]
            )


# -- reads: label usage ----------------------------------------------------------------------
@dataclass(frozen=True)
class LabelUsage:
    """How much one label is used: annotations carrying it, in how many documents and layers."""

    annotations: int = 0
    documents: int = 0
    layers: tuple[str, ...] = ()


def label_usage(store: StoreBase, kind: LabelKind | str) -> dict[str, LabelUsage]:
    """Usage of every label name of ``kind`` found in annotations (schema or not)."""
    out: dict[str, LabelUsage] = {}
    rows = store.db.execute(
        f"SELECT label, count(*), count(DISTINCT doc_id), group_concat(DISTINCT layer) "
        f"FROM {_table(kind)} GROUP BY label"
    ).fetchall()
    for label, n, ndocs, layers in rows:
        out[label] = LabelUsage(int(n), int(ndocs), tuple(sorted((layers or "").split(","))) if layers else ())
    return out


def usage_of_label(store: StoreBase, kind: LabelKind | str, name: str) -> LabelUsage:
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
