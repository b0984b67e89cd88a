"""The agreement measure registry: one place that names the measures the report, the command
and the dashboard show (the dashboard side, with a measure added by a test, is in
tests/ui/test_agreement_measure_plugin.py)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from annotator.agreement import Measure, MeasureRegistry, MeasureValues, measures
from annotator.agreement_report import agreement_report, format_report
from annotator.cli import main
from annotator.tokenize import tokenize
from corpus.model import Document, Span
from corpus.store import Store

BUILT_IN = {
    "span_f1": {"overall", "pair", "label"},
    "span_f1_overlap": {"overall", "pair", "label"},
    "span_f1_macro": {"overall", "pair"},
    "token_kappa": {"pair"},
    "relation_f1": {"overall", "pair"},
    "token_kappa_fleiss": {"overall"},
    "token_alpha": {"overall"},
    "unitizing_alpha": {"overall", "label"},
}


def _nothing(data) -> MeasureValues:
    return MeasureValues()


@pytest.fixture
def report(tmp_path: Path) -> dict:
    text = "Alice met Bob in Paris."
    with Store(tmp_path / "p.db") as store:
        d = store.add_document(Document(text=text, name="d", tokens=tokenize(text)[0]))
        for ann, spans in (("x", [(0, 5, "PER"), (17, 22, "LOC")]), ("y", [(0, 5, "PER"), (10, 13, "PER")])):
            store.add_annotator(ann)
            store.add_spans(Span(d, ann, s, e, lab) for s, e, lab in spans)
            store.set_status(d, ann, "done")
        return agreement_report(store)


def test_the_built_in_measures_and_where_their_values_go(report: dict) -> None:
    assert {m.name: set(m.scopes) for m in measures} == BUILT_IN
    overall = {m.name for m in measures.with_scope("overall")}
    pair = {m.name for m in measures.with_scope("pair")}
    label = {m.name for m in measures.with_scope("label")}
    # every value of the report is a registered measure or one of the report's own counts
    assert set(report["overall"]) == overall | {"tokens"}
    assert set(report["pairs"][0]) == pair | {"a", "b", "documents", "tokens", "tp", "fp", "fn"}
    assert set(report["per_label"]["PER"]) == label | {"tp", "fp", "fn", "spans"}


def test_the_table_has_a_row_per_overall_measure_and_a_column_per_pair_measure(report: dict) -> None:
    text = format_report(report)
    for m in measures.with_scope("overall"):
        row = next(line for line in text.splitlines() if line.strip().startswith(m.title))
        assert row.split()[-1] == m.text(report["overall"][m.name])
    head = next(line for line in text.splitlines() if line.split()[:2] == ["a", "b"])
    assert head.split()[3:] == [w for m in measures.with_scope("pair") for w in m.short.split()]


def test_help_lists_every_measure(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["agreement", "--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    for m in measures:
        assert f"{m.name}: {m.title}, from {m.takes}" in out


def test_registration_refuses_taken_reserved_and_unknown() -> None:
    reg = MeasureRegistry()
    reg.register("mine", title="Mine", takes="spans", scopes=("pair",))(_nothing)
    with pytest.raises(ValueError, match="already registered"):
        reg.register("mine", title="Again", takes="spans", scopes=("pair",))(_nothing)
    with pytest.raises(ValueError, match="count of the agreement report"):
        reg.register("tp", title="TP", takes="spans", scopes=("pair",))(_nothing)
    with pytest.raises(ValueError, match="scopes"):
        reg.register("odd", title="Odd", takes="spans", scopes=("document",))(_nothing)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="scopes"):
        reg.register("none", title="None", takes="spans", scopes=())(_nothing)
    assert [m.name for m in reg] == ["mine"] and "mine" in reg and len(reg) == 1
    with pytest.raises(KeyError, match="known: mine"):
        reg.get("other")
    assert reg.remove("mine").title == "Mine"
    with pytest.raises(KeyError):
        reg.remove("mine")
    assert len(reg) == 0


def test_a_measure_writes_its_values_and_says_when_there_is_none() -> None:
    plain = Measure("m", "M", "m", "spans", ("overall",), _nothing)
    assert plain.text(0.12345) == "0.123"
    assert plain.text(None) == "-" and plain.text(math.nan) == "-" and plain.text(None, missing="n/a") == "n/a"
    percent = Measure("p", "P", "p", "spans", ("overall",), _nothing, format_value=lambda v: f"{100 * v:.0f}%")
    assert percent.text(0.5) == "50%"
    assert percent.has("overall") and not percent.has("pair")
