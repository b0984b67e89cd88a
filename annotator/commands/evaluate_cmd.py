"""``annotator evaluate PROJECT.db --model NAME|PATH|project``: P/R/F of a model on done documents.

A thin command over :func:`annotator.training.evaluate.evaluate_job`; ``--json`` prints
``{"documents", "entities": {p, r, f, per_label}, "relations": {...}, "relations_given_entities": {...}}``.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from annotator.progress import run_with_bar

__all__ = ["register", "run", "summary_lines"]


def register(subparsers: Any) -> None:
    """Add the ``evaluate`` command."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "evaluate",
        help="precision, recall and F1 of a model on a layer's done documents",
        description=(
            "Score a model against the documents marked done in a layer (default: gold when it has "
            "any, else every person's done documents): entities (exact spans, per label), relations "
            "end to end, and relations given the layer's own entities."
        ),
    )
    p.add_argument("project", metavar="PROJECT.db", help="the project file")
    p.add_argument("--model", required=True, metavar="NAME|PATH|project",
                   help="'project' (latest trained model), 'project@N', a pipeline folder or a package")
    p.add_argument("--layer", metavar="NAME", help="score against this layer's done documents")
    p.add_argument("--json", action="store_true", help="print the scores as JSON")
    p.set_defaults(func=run, interrupted="nothing was changed")


def summary_lines(report: Any) -> list[str]:
    """The scores for a person."""
    d = report.as_dict()
    lines = [f"{d['model']} on {d['documents']} done documents ({d['layer']})"
             + (f"; {d['seen_documents']} of them were training documents" if d["seen_documents"] else "")]
    for key, title in (("entities", "entities"), ("relations", "relations (end to end)"),
                       ("relations_given_entities", "relations given the layer's entities")):
        s = d[key]
        lines.append(f"{title}: P {s['p']:.3f} R {s['r']:.3f} F {s['f']:.3f} "
                     f"({s['gold']} in the layer, {s['predicted']} predicted)")
        if key == "entities":
            for label, prf in s.get("per_label", {}).items():
                lines.append(f"  {label}: P {prf['p']:.3f} R {prf['r']:.3f} F {prf['f']:.3f}")
    return lines


def run(args: argparse.Namespace) -> int:
    """Run the command; returns the exit status."""
    from corpus.store import open_store

    from annotator.training.evaluate import evaluate_job

    with open_store(args.project) as store:
        report = run_with_bar(evaluate_job(store, args.model, args.layer), "evaluate")
    if args.json:
        json.dump(report.as_dict(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print("\n".join(summary_lines(report)))
    return 0
