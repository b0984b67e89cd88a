"""What is in a project: the numbers behind ``annotator stats`` and the window's overview.

:func:`project_stats` returns a plain dict whose shape is a contract for scripts
(``annotator stats --json``)::

    {"documents": int, "tokens": int,
     "layers": {"<layer>": {"spans": int, "relations": int, "labels": {"<label>": int},
                            "done": int, "off_token_spans": int, "kind": str}},
     "annotators": {"<name>": {"todo"|"in_progress"|"done"|"skipped": int}},
     "labels": {"entity": [names], "relation": [names]},
     "suggesters": {...}}   # only when annotator.quality is installed

``tokens`` counts non-whitespace tokens; ``done`` counts the documents the layer's annotator
marked done; ``off_token_spans`` the spans whose offsets are not on token boundaries.
"""

from __future__ import annotations

from typing import Any

from corpus.model import LabelKind, layer_kind
from corpus.store import Store
from corpus.store.layers import annotator_status_counts
from corpus.store.reports import off_token_span_counts

__all__ = ["project_stats", "format_stats"]


def project_stats(store: Store) -> dict[str, Any]:
    """The project overview as a JSON-ready dict (see the module docstring)."""
    layers = store.layer_summary()
    off = off_token_span_counts(store)
    for name, entry in layers.items():
        entry["off_token_spans"] = off.get(name, 0)
        entry["kind"] = layer_kind(name).value
        entry["labels"] = dict(sorted(entry["labels"].items()))
    out: dict[str, Any] = {
        "documents": store.count_documents(),
        "tokens": store.count_tokens(),
        "layers": dict(sorted(layers.items())),
        "annotators": annotator_status_counts(store),
        "labels": {
            "entity": store.label_names(LabelKind.ENTITY),
            "relation": store.label_names(LabelKind.RELATION),
        },
    }
    for name in store.annotators():
        out["annotators"].setdefault(name, {})
    try:
        from annotator.quality import suggester_quality  # type: ignore[import-not-found]
    except ImportError:
        pass
    else:
        out["suggesters"] = suggester_quality(store)
    return out


def _pct(value: float | None, width: int = 9) -> str:
    return f"{'-':>{width}}" if value is None else f"{value:>{width}.3f}"


def format_stats(stats: dict[str, Any]) -> str:
    """A readable table of :func:`project_stats` for the terminal."""
    lines = [f"documents  {stats['documents']:>10,}", f"tokens     {stats['tokens']:>10,}", ""]
    layers: dict[str, dict[str, Any]] = stats["layers"]
    if not layers:
        lines.append("no annotation layers yet")
        return "\n".join(lines)
    width = max(12, *(len(n) for n in layers))
    head = f"{'layer':<{width}}  {'kind':<8} {'spans':>8} {'relations':>9} {'done':>6} {'off-token':>9}  labels"
    lines += [head, "-" * len(head)]
    for name, e in layers.items():
        labels = ", ".join(f"{k} {v}" for k, v in sorted(e["labels"].items(), key=lambda kv: (-kv[1], kv[0])))
        lines.append(
            f"{name:<{width}}  {e.get('kind', ''):<8} {e['spans']:>8,} {e['relations']:>9,} {e['done']:>6,} "
            f"{e.get('off_token_spans', 0):>9,}  {labels}"
        )
    quality = stats.get("suggesters") or {}
    rows = [(layer, person, q) for layer, people in quality.items() for person, q in people.items() if q.get("docs")]
    if rows:
        lw = max(len("suggester"), *(len(r[0]) for r in rows))
        pw = max(len("against"), *(len(r[1]) for r in rows))
        head = f"{'suggester':<{lw}}  {'against':<{pw}} {'docs':>6} {'precision':>9} {'recall':>7} {'F1':>6}"
        lines += ["", "suggestion quality on the documents each person marked done", head, "-" * len(head)]
        for layer, person, q in rows:
            lines.append(
                f"{layer:<{lw}}  {person:<{pw}} {q['docs']:>6,} {_pct(q.get('precision'))} "
                f"{_pct(q.get('recall'), 7)} {_pct(q.get('f1'), 6)}"
            )
    return "\n".join(lines)
