"""Colour arithmetic for the palette: sRGB to CIE L*a*b*, CIE76 distance, contrast. No Qt.

The default label colours (resources/labels.json) are chosen so that any two entity colours
are at least :data:`MIN_DISTANCE` apart (CIE76) and the selection differs from all of them.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["MIN_DISTANCE", "SELECTION", "SELECTION_FILL", "hex_rgb", "lab", "cie76", "over", "contrast",
           "pattern_levels"]

#: the least CIE76 distance between two default entity colours ("told apart at a glance")
MIN_DISTANCE = 20.0
#: the selection's outline and its text-selection fill (RGBA)
SELECTION = "#1f4fd1"
SELECTION_FILL = (40, 90, 255, 110)

RGB = tuple[float, float, float]

#: how many hatch patterns there are to tell apart labels of too similar colours
PATTERNS = 3


def hex_rgb(color: str) -> RGB:
    """``#rrggbb`` as three 0-255 numbers."""
    c = color.lstrip("#")
    if len(c) != 6:
        raise ValueError(f"not a #rrggbb colour: {color!r}")
    return (int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16))


def over(rgba: tuple[float, float, float, float], bg: RGB = (255, 255, 255)) -> RGB:
    """An RGBA colour (alpha 0-255) painted over ``bg``."""
    a = rgba[3] / 255
    return tuple(rgba[i] * a + bg[i] * (1 - a) for i in range(3))  # type: ignore[return-value]


def _linear(v: float) -> float:
    v /= 255
    return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4


def lab(rgb: RGB | str) -> RGB:
    """CIE L*a*b* (D65) of an sRGB colour."""
    r, g, b = (_linear(v) for v in (hex_rgb(rgb) if isinstance(rgb, str) else rgb))
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    fx, fy, fz = f(x), f(y), f(z)
    return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))


def cie76(c1: RGB | str, c2: RGB | str) -> float:
    """The CIE76 colour difference (Euclidean distance in L*a*b*)."""
    a, b = lab(c1), lab(c2)
    return sum((a[i] - b[i]) ** 2 for i in range(3)) ** 0.5


def _luminance(rgb: RGB | str) -> float:
    r, g, b = (_linear(v) for v in (hex_rgb(rgb) if isinstance(rgb, str) else rgb))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(c1: RGB | str, c2: RGB | str) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""
    l1, l2 = sorted((_luminance(c1), _luminance(c2)), reverse=True)
    return (l1 + 0.05) / (l2 + 0.05)


def pattern_levels(colours: Mapping[str, str]) -> dict[str, int]:
    """A second cue for labels whose colours are too alike: label -> hatch pattern (0 none).

    In the given order (the palette's), a label whose colour is closer than
    :data:`MIN_DISTANCE` to that of earlier labels gets the next pattern not used by them, so
    two labels that look alike never look the same. Labels of the default palette get none.
    """
    out: dict[str, int] = {}
    seen: list[tuple[RGB, int]] = []
    for name, colour in colours.items():
        try:
            c = lab(colour)
        except ValueError:
            out[name] = 0
            continue
        taken = {level for other, level in seen if sum((c[i] - other[i]) ** 2 for i in range(3)) < MIN_DISTANCE ** 2}
        level = next((k for k in range(PATTERNS + 1) if k not in taken), PATTERNS)
        out[name] = level
        seen.append((c, level))
    return out
