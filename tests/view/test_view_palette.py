"""The default label colours are told apart at a glance (CIE76), and the selection is unlike all."""

from __future__ import annotations

import itertools

from corpus.model import LabelKind
from corpus.resources import default_labels
from ui.view.colors import MIN_DISTANCE, SELECTION, SELECTION_FILL, cie76, contrast, lab, over, pattern_levels

WHITE = (255, 255, 255)


def entity_colours() -> dict[str, str]:
    return {lab.name: lab.color for lab in default_labels() if lab.kind is LabelKind.ENTITY}


def test_cie76_matches_published_values():
    assert lab("#ffffff") == pytest_approx((100.0, 0.0, 0.0))
    assert cie76("#000000", "#ffffff") == pytest_approx(100.0)
    # sRGB red is L*a*b* (53.24, 80.09, 67.20)
    assert lab("#ff0000") == pytest_approx((53.24, 80.09, 67.20), 0.05)


def pytest_approx(v, rel=1e-3):
    import pytest

    return pytest.approx(v, rel=rel, abs=0.05)


def test_every_two_default_entity_colours_differ_by_at_least_20():
    colours = entity_colours()
    assert len(colours) == 18
    worst = min(((cie76(a, b), na, nb) for (na, a), (nb, b) in itertools.combinations(colours.items(), 2)))
    assert worst[0] >= MIN_DISTANCE, worst


def test_fills_are_visible_on_white_and_text_stays_readable_on_them():
    for name, c in entity_colours().items():
        assert cie76(c, WHITE) >= 20, name
        assert contrast(c, "#202020") >= 4.5, name


def test_the_selection_differs_from_every_label_colour():
    fill = over(SELECTION_FILL)
    for name, c in entity_colours().items():
        assert cie76(c, fill) >= MIN_DISTANCE, name
        assert cie76(c, SELECTION) >= MIN_DISTANCE, name


def test_labels_of_too_similar_colours_get_a_pattern_as_a_second_cue():
    assert set(pattern_levels(entity_colours()).values()) == {0}  # the defaults need none
    levels = pattern_levels({"A": "#ff9999", "B": "#55bbee", "C": "#ff9a9a", "D": "#fe9898", "E": "#56bbee"})
    assert levels == {"A": 0, "B": 0, "C": 1, "D": 2, "E": 1}
    # never the same look twice: two labels of close colours differ in pattern
    cols = {"A": "#ff9999", "C": "#ff9a9a", "D": "#fe9898"}
    assert len({levels[k] for k in cols}) == 3
