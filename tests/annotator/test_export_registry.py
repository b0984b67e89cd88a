"""Adding an export format is one module plus its registration: the registry, the command line
and export_job see it, and it runs in the shared staging skeleton with its own typed options."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path

import pytest

from annotator.cli import build_parser, main
from annotator.export import export, export_job
from annotator.export_base import ExportContext
from annotator.progress import Progress
from corpus.errors import ExportError
from corpus.formats.registry import Format, Writer, export_format_names, register, unregister
from corpus.model import Document, Span
from corpus.store import Store


@dataclass(frozen=True)
class ShoutOptions:
    upper: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.upper, bool):
            raise ExportError("upper must be true or false")


def write_shout(ctx: ExportContext, opts: ShoutOptions) -> Generator[Progress, None, None]:
    ids = ctx.select()
    yield ctx.progress(0, len(ids))
    for ad in ctx.annotated(ids):
        labels = " ".join(s.label for s in ad.spans)
        ctx.path(f"doc-{ad.document.id}.shout").write_text(labels.upper() if opts.upper else labels, encoding="utf-8")
        ctx.tally.document(ad.document, len(ad.spans), 0)
    yield ctx.progress(len(ids), len(ids))


@pytest.fixture
def shout():
    fmt = register(Format(name="shout", description="Shouted labels",
                          writer=Writer(write=write_shout, options_type=ShoutOptions, produces="one file per document")))
    yield fmt
    unregister("shout")


def _project(path: Path) -> Store:
    st = Store(path)
    for i, text in enumerate(["Alice met Bob.", "Carol stayed home."]):
        d = st.add_document(Document(text=text, name=f"d{i}"))
        st.add_span(Span(doc_id=d, layer="gold", start=0, end=5, label="person"))
    return st


def _export_choices() -> list[str]:
    sub = next(a for a in build_parser()._actions if getattr(a, "choices", None) and "export" in a.choices)
    return list(next(a for a in sub.choices["export"]._actions if a.dest == "fmt").choices)


def test_a_registered_writer_is_offered_and_runs_in_the_staging_skeleton(shout: Format, tmp_path: Path) -> None:
    assert "shout" in export_format_names() and "shout" in _export_choices()
    st = _project(tmp_path / "p.db")
    out = tmp_path / "out"
    report = export(st, out, "shout", options=ShoutOptions(upper=True))
    assert sorted(p.name for p in out.iterdir()) == ["doc-1.shout", "doc-2.shout"]
    assert (out / "doc-1.shout").read_text() == "PERSON"
    assert report.documents == 2 and report.spans == 2 and report.format == "shout"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no staging left
    with pytest.raises(ExportError, match="options must be ShoutOptions"):
        export(st, out, "shout", options=object())
    st.close()
    assert main(["export", str(tmp_path / "p.db"), str(tmp_path / "cli"), "--format", "shout"]) == 0
    assert (tmp_path / "cli" / "doc-2.shout").read_text() == "person"  # default options


def test_a_failing_writer_leaves_nothing(shout: Format, tmp_path: Path) -> None:
    st = _project(tmp_path / "p.db")

    def broken(ctx, opts):
        yield from write_shout(ctx, opts)
        raise ExportError("disk on fire")

    unregister("shout")
    register(Format(name="shout", description="x", writer=Writer(write=broken, options_type=ShoutOptions)))
    with pytest.raises(ExportError, match="disk on fire"):
        export(st, tmp_path / "out", "shout")
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("p.db")) == []


def test_unknown_export_format_lists_the_registry(tmp_path: Path) -> None:
    st = _project(tmp_path / "p.db")
    with pytest.raises(ExportError, match=r"unknown export format 'shout' \(choose spacy, jsonl, conll, brat, label-studio\)"):
        list(export_job(st, tmp_path / "o", "shout"))
    assert export_format_names()[:4] == ("spacy", "jsonl", "conll", "brat")
