"""Adding an agreement measure is one module plus its registration.

This file is that module: it registers "observed agreement on token labels" and finds it, with
the right values, in the report's JSON, the ``annotator agreement`` table and the window's
agreement dashboard, none of which names it.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from annotator.agreement import AgreementData, MeasureValues, measures, observed_agreement, token_labels
from annotator.agreement_report import agreement_report
from annotator.cli import main
from corpus.store import Store
from test_dialogs_project import make_multi_project
from ui.agreement_dashboard import AgreementDashboard
from ui.state import AppState

NAME = "token_observed"
TITLE = "Observed agreement (tokens)"


def token_observed(data: AgreementData) -> MeasureValues:
    """Per pair, the share of tokens both annotators gave the same label; overall, the mean over
    pairs; per label, the positive specific agreement on that label's tokens, mean over pairs."""
    pairs: dict[tuple[int, int], float | None] = {}
    per_label: dict[str, list[float]] = {lab: [] for lab in data.labels}
    for a, b in data.pairs:
        both = data.pair_tokens(a, b)
        if not both.any():
            pairs[a, b] = None
            continue
        ca, cb = data.token_codes[a][both], data.token_codes[b][both]
        pairs[a, b] = float((ca == cb).mean())
        for k, lab in enumerate(data.labels, start=1):
            n = int((ca == k).sum() + (cb == k).sum())
            if n:
                per_label[lab].append(2 * int(((ca == k) & (cb == k)).sum()) / n)
    defined = [v for v in pairs.values() if v is not None]
    return MeasureValues(
        float(np.mean(defined)) if defined else None,
        pairs,
        {lab: (float(np.mean(v)) if v else None) for lab, v in per_label.items()},
    )


@pytest.fixture
def registered():
    measures.register(NAME, title=TITLE, short="obs", takes="token labels", scopes=("overall", "pair", "label"),
                      description="Share of tokens two annotators labelled the same")(token_observed)
    yield measures.get(NAME)
    measures.remove(NAME)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_multi_project(tmp_path / "multi.db")


def expected_observed(path: Path, a: str, b: str) -> float:
    """Observed agreement of two people straight from the store, with the plain functions."""
    with Store(path) as store:
        la, lb = [], []
        for d in store.document_ids():
            doc = store.get_document(d)
            tokens = [t for t in doc.tokens if not doc.text[t[0] : t[1]].isspace()]
            la += token_labels(tokens, store.spans(d, a))
            lb += token_labels(tokens, store.spans(d, b))
    return observed_agreement(la, lb)


def test_a_registered_measure_reaches_the_json_the_table_and_the_dashboard(
    registered, project: Path, capsys: pytest.CaptureFixture[str], qtbot
) -> None:
    # the report's JSON: overall, each pair, each label; the built-in keys are all still there
    with Store(project) as store:
        report = agreement_report(store)
    pairs = {(p["a"], p["b"]): p for p in report["pairs"]}
    for a, b in pairs:
        assert pairs[a, b][NAME] == pytest.approx(expected_observed(project, a, b))
    assert report["overall"][NAME] == pytest.approx(np.mean([p[NAME] for p in report["pairs"]]))
    assert report["per_label"]["PERSON"][NAME] is not None and 0 < report["per_label"]["PERSON"][NAME] < 1
    assert {"span_f1", "token_kappa_fleiss", "token_alpha", "unitizing_alpha", "relation_f1", "tokens"} < set(
        report["overall"]
    )

    # the command: --json has it, the table has its row and its column, --help lists it
    assert main(["agreement", str(project), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["overall"][NAME] == pytest.approx(report["overall"][NAME])
    assert main(["agreement", str(project)]) == 0
    table = capsys.readouterr().out
    row = next(line for line in table.splitlines() if line.strip().startswith(TITLE))
    assert row.split()[-1] == f"{report['overall'][NAME]:.3f}"
    head = next(line for line in table.splitlines() if line.split()[:2] == ["a", "b"])
    assert head.split()[-1] == "obs"
    with pytest.raises(SystemExit):
        main(["agreement", "--help"])
    assert f"{NAME}: {TITLE}, from token labels" in capsys.readouterr().out

    # the dashboard: an overall card, a heatmap choice, a per-label column
    state = AppState(Store(project), "lead")
    dash = AgreementDashboard(state, None)
    qtbot.addWidget(dash)
    dash.show()
    qtbot.waitUntil(lambda: dash.report is not None and dash.recompute_button.isEnabled(), timeout=60_000)
    assert dash.overall_values[NAME].text() == f"{report['overall'][NAME]:.3f}"
    dash.measure_combo.setCurrentIndex(dash.measure_combo.findData(NAME))
    assert dash.heatmap.measure == TITLE
    assert dash.heatmap.cell_text("alice", "bob") == f"{pairs['alice', 'bob'][NAME]:.2f}"
    headers = [dash.label_table.horizontalHeaderItem(c).text() for c in range(dash.label_table.columnCount())]
    assert TITLE in headers
    col = headers.index(TITLE)
    row = next(r for r in range(dash.label_table.rowCount()) if dash.label_table.item(r, 0).text() == "PERSON")
    assert dash.label_table.item(row, col).text() == f"{report['per_label']['PERSON'][NAME]:.3f}"
    dash.close()
    state.close()


def test_without_the_registration_nothing_shows_it(project: Path, qtbot) -> None:
    with Store(project) as store:
        report = agreement_report(store)
    assert NAME not in report["overall"] and all(NAME not in p for p in report["pairs"])
    state = AppState(Store(project), "lead")
    dash = AgreementDashboard(state, None)
    qtbot.addWidget(dash)
    assert NAME not in dash.overall_values and dash.measure_combo.findData(NAME) < 0
    state.close()
