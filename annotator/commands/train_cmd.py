"""``annotator train PROJECT.db``: train the project's own model on its done documents.

A thin command over :func:`annotator.training.train_job` (and :func:`curve_job` for
``--curve``): a progress bar of training steps showing the best dev score so far, then one line
per label. Ctrl-C keeps the best model evaluated so far (recorded as interrupted) and exits 130.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Generator
from typing import Any

from annotator.progress import Progress, run_with_bar

__all__ = ["register", "run", "run_keeping_best"]


def register(subparsers: Any) -> None:
    """Add the ``train`` command."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "train",
        help="train the project's own model (entities and relations) on its done documents",
        description=(
            "Train a spaCy pipeline (ner; spancat too when the project allows overlapping spans) and, "
            "when the documents have relations, a relation model, on the documents marked done in a "
            "layer (default: gold when it has any, else every person's done documents, each once). "
            "The model is written to PROJECT.db.models/project-N and recorded in the project; "
            "`annotator suggest --model project` then suggests with it."
        ),
    )
    p.add_argument("project", metavar="PROJECT.db", help="the project file")
    p.add_argument("--layer", metavar="NAME|gold", help="learn from this layer's done documents")
    p.add_argument("--base", default="blank", metavar="MODEL|blank",
                   help="start from the tok2vec of an installed spaCy pipeline (default: blank)")
    p.add_argument("--dev-fraction", type=float, default=0.2, metavar="F",
                   help="share of the documents held out to score the model (0.2)")
    p.add_argument("--max-steps", type=int, default=None, metavar="N",
                   help="stop after N steps (default: spaCy's 20000, or earlier when the dev score stops improving)")
    p.add_argument("--eval-frequency", type=int, default=None, metavar="N",
                   help="score on the dev documents every N steps (default: spaCy's 200)")
    p.add_argument("--seed", type=int, default=0, help="random seed of the split and the training (0)")
    p.add_argument("--no-relations", action="store_true", help="do not train the relation model")
    p.add_argument("--curve", action="store_true",
                   help="train on 25, 50, 75 and 100 %% of the training documents and print each dev score "
                        "(nothing is recorded)")
    p.add_argument("--json", action="store_true", help="print path, version and dev scores per label as JSON")
    p.set_defaults(func=run, interrupted="no model was written (stopped before its first evaluation)")


def run_keeping_best(job: Generator[Progress, None, Any], desc: str) -> Any:
    """Run ``job`` with a progress bar; Ctrl-C is passed into the job, which finishes with the
    best model so far (its return value) or re-raises when there is none."""
    try:
        return run_with_bar(job, desc)
    except KeyboardInterrupt:
        try:
            job.throw(KeyboardInterrupt)
        except StopIteration as stop:
            return stop.value
        raise


def run(args: argparse.Namespace) -> int:
    """Run the command; returns the exit status."""
    from corpus.store import open_store

    from annotator.training.spacy_train import TrainReport, curve_job, train_job

    options = dict(layer=args.layer, base=args.base, dev_fraction=args.dev_fraction, max_steps=args.max_steps,
                   eval_frequency=args.eval_frequency, seed=args.seed, relations=not args.no_relations)
    with open_store(args.project) as store:
        if args.curve:
            rows = run_with_bar(curve_job(store, **options), "train --curve")
            _print_curve(rows, args.json)
            return 0
        report = run_keeping_best(train_job(store, **options), "train")
    assert isinstance(report, TrainReport)
    if args.json:
        json.dump(report.as_dict(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for line in summary_lines(report):
            print(line)
    if report.interrupted:
        assert report.record is not None
        print(f"annotator train: interrupted; the best model so far was kept as {report.record.name}", file=sys.stderr)
        return 130
    return 0


def _print_curve(rows: Any, as_json: bool) -> None:
    if as_json:
        json.dump(rows, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    for row in rows:
        print(f"{row['fraction'] * 100:5.0f} %  {row['train_documents']:6d} documents  "
              f"dev score {row['score']:.3f}  (entity F1 {row['ents_f'] or 0.0:.3f})")


def summary_lines(report: Any) -> list[str]:
    """What a training run wrote and how it scored, for a person."""
    rec = report.record
    state = " (interrupted: best model so far)" if report.interrupted else ""
    lines = [f"trained {rec.name}{state}: {rec.path}",
             f"  {report.train_documents} training / {report.dev_documents} dev documents, {report.steps} steps, "
             f"{report.seconds:.1f} s; suggestions go to {rec.suggestion_layer}"]
    s = rec.scores
    lines.append(f"  dev entities P {s.get('ents_p', 0):.3f} R {s.get('ents_r', 0):.3f} F {s.get('ents_f', 0):.3f}")
    for label, prf in s.get("per_label", {}).items():
        lines.append(f"    {label}: P {prf['p']:.3f} R {prf['r']:.3f} F {prf['f']:.3f}")
    rel = s.get("relations")
    if rel:
        if rel.get("dev_relations"):
            lines.append(f"  dev relations P {rel['p']:.3f} R {rel['r']:.3f} F {rel['f']:.3f} "
                         f"(threshold {rel['threshold']:.2f})")
        else:
            lines.append("  relations: no dev relation to score (threshold 0.5)")
    lines.extend(f"warning: {w}" for w in report.warnings)
    return lines
