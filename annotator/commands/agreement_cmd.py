"""``annotator agreement PROJECT.db [--annotators a,b] [--labels X,Y] [--all-docs] [--json]``.

A thin command over :func:`annotator.agreement_report.agreement_job`: a readable table by
default (one row or column per registered measure, :data:`annotator.agreement.measures`), the
report's JSON contract with ``--json``. ``--help`` lists the registered measures (read only when
help is printed, so the command starts without numpy). Errors are one line and a non-zero exit
(handled by :func:`annotator.cli.main`).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

__all__ = ["register", "run", "measures_help"]

#: Stands for the list of measures in the help text (filled in when help is printed).
_MEASURES_EPILOG = "measures: the registered agreement measures"


def measures_help() -> str:
    """The registered measures as help text: name, title, what it takes and where it has values."""
    from annotator.agreement import measures

    lines = ["measures (JSON key: title, computed from; levels):"]
    for m in measures:
        lines.append(f"  {m.name}: {m.title}, from {m.takes}; {', '.join(m.scopes)}")
        if m.description:
            lines.append(f"      {m.description}")
    return "\n".join(lines)


class _HelpWithMeasures(argparse.RawDescriptionHelpFormatter):
    """Help whose epilog is the list of registered measures, read when help is printed."""

    def add_text(self, text: str | None) -> None:
        super().add_text(measures_help() if text is _MEASURES_EPILOG else text)


def _split(value: str | None) -> list[str] | None:
    if value is None:
        return None
    items = [v.strip() for v in value.split(",") if v.strip()]
    return items or None


def register(subparsers: Any) -> None:
    """Add the ``agreement`` command to the ``annotator`` parser."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "agreement",
        help="how much the annotators agree (its --help lists the measures)",
        description=(
            "Inter-annotator agreement over the documents at least two of the compared annotators "
            "marked done. Any layer can be compared, e.g. a suggester such as model:en_core_web_sm."
        ),
        epilog=_MEASURES_EPILOG,
        formatter_class=_HelpWithMeasures,
    )
    p.add_argument("project", metavar="PROJECT.db", help="the project file")
    p.add_argument(
        "--annotators", metavar="A,B,...", help="annotators or layers to compare (default: every person)"
    )
    p.add_argument("--labels", metavar="X,Y,...", help="only these entity labels")
    p.add_argument("--all-docs", action="store_true", help="compare every document, done or not")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument(
        "--disagreements", type=int, default=0, metavar="N",
        help="also list the first N disagreements in the table (the JSON always has them all)",
    )
    p.set_defaults(func=run, interrupted="the project was not changed")


def run(args: argparse.Namespace) -> int:
    """Run the command; returns the exit status."""
    from annotator.agreement_report import agreement_job, format_report
    from annotator.progress import run_with_bar
    from corpus.store import open_store

    store = open_store(args.project, read_only=True)  # agreement only reads
    try:
        job = agreement_job(
            store,
            annotators=_split(args.annotators),
            labels=_split(args.labels),
            all_docs=args.all_docs,
        )
        report: dict[str, Any] = run_with_bar(job, "agreement")  # type: ignore[assignment]  # bar on a terminal
    finally:
        store.close()
    if args.json:
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    print(format_report(report))
    for d in report["disagreements"][: max(0, args.disagreements)]:
        labels = ", ".join(f"{a}={lab or '-'}" for a, lab in d["labels"].items())
        print(f"  {d['doc_name'] or d['doc_id']} [{d['start']}:{d['end']}] {d['text']!r}: {labels}")
    return 0
