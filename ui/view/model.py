"""What the view shows (spans, relations, visual lines) and plain geometry. No Qt.

The window hands the view :class:`ViewSpan` and :class:`ViewRelation` lists; the layout fills in
their geometry fields (document coordinates: x from the view's left edge, y from the top of the
document).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

__all__ = ["ItemKey", "Rect", "Line", "ViewSpan", "ViewRelation", "Metrics", "item_order"]

ItemKey = tuple
Point = tuple[float, float]


class Rect(NamedTuple):
    """An axis-aligned box: left, top, width, height."""

    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    @property
    def center(self) -> Point:
        return (self.x + self.w / 2, self.y + self.h / 2)

    def contains(self, px: float, py: float) -> bool:
        return self.x <= px <= self.x + self.w and self.y <= py <= self.y + self.h

    def moved(self, dx: float, dy: float) -> Rect:
        return Rect(self.x + dx, self.y + dy, self.w, self.h)

    def united(self, o: Rect) -> Rect:
        x, y = min(self.x, o.x), min(self.y, o.y)
        return Rect(x, y, max(self.right, o.right) - x, max(self.bottom, o.bottom) - y)


@dataclass(frozen=True)
class Metrics:
    """Sizes of the layout (scaled by the zoom): text line height, tags, arcs, margins."""

    line_height: float = 18.0
    tag_h: float = 14.0
    arc_h: float = 15.0
    arc_pad: float = 6.0
    row_gap: float = 3.0
    left: float = 14.0
    gutter: float = 46.0
    blank_ratio: float = 0.4  # a blank line's row height, as a part of a text row

    def scaled(self, f: float, line_height: float) -> Metrics:
        """The same proportions at zoom ``f`` with the zoomed font's ``line_height``."""
        return Metrics(line_height, self.tag_h * f, self.arc_h * f, self.arc_pad * f, self.row_gap * f,
                       self.left * f, self.gutter * f, self.blank_ratio)


@dataclass(slots=True)
class Line:
    """One visual line (a row): its text offsets and its vertical extent."""

    start: int
    end: int
    blank: bool = False  # a line with no visible characters: a short row
    arc_levels: int = 0
    tag_levels: int = 1
    top: float = 0.0  # row top (document y)
    text_y: float = 0.0  # top of the text
    bottom: float = 0.0  # row bottom


@dataclass(slots=True)
class ViewSpan:
    """A span or suggestion as the view shows it."""

    key: ItemKey  # ("span", id) or ("sugg", layer, start, end, label)
    start: int
    end: int
    label: str
    color: str
    layer: str
    source: str = ""
    score: float | None = None
    suggestion: bool = False
    id: int | None = None
    # layout results
    frags: list[tuple[int, float, float]] | tuple = ()  # (line index, x1, x2)
    depth: int = 0
    tag_level: int = 0
    tag_x: float = -1.0  # tag box left (x) and width; -1 when the span has no tag
    tag_w: float = 0.0
    tag_line: Line | None = None  # the row the tag hangs under, and its offset below the text top
    tag_dy: float = 0.0
    tag_h: float = 12.0

    @property
    def tag_y(self) -> float:
        return self.tag_line.text_y + self.tag_dy if self.tag_line is not None else 0.0

    @property
    def tag_rect(self) -> Rect | None:
        """The label tag's box (document coordinates; follows its row when rows move)."""
        if self.tag_x < 0 or self.tag_line is None:
            return None
        return Rect(self.tag_x, self.tag_line.text_y + self.tag_dy, self.tag_w, self.tag_h)


@dataclass
class ViewRelation:
    """A relation as the view shows it.

    Its ends are span ids (``head``, ``child``) or, when ``head_key``/``child_key`` are given,
    the keys of any shown item (a suggested relation may link suggestions). ``suggestion``
    draws it dashed (a relation from a suggester layer).
    """

    id: int
    head: int
    child: int
    label: str
    color: str = "#555555"
    suggestion: bool = False
    head_key: ItemKey | None = None
    child_key: ItemKey | None = None
    preview: bool = False  # the relation being made (drawn dashed, not hit by the mouse)
    # layout results
    points: list[Point] | None = None  # the elbow line from the head to the child
    label_rects: list[Rect] = field(default_factory=list)
    bounds: Rect | None = None
    arrow: tuple[Point, Point, Point] | None = None
    lo_line: Line | None = None  # the rows of its two ends (top first) and their line numbers
    hi_line: Line | None = None
    line_range: tuple[int, int] = (0, 0)
    gutter: tuple[float, float, float] | None = None  # (x, y top, y bottom) of its line in the gutter

    @property
    def y_range(self) -> tuple[float, float] | None:
        """Document y from the top of its upper row to the bottom of its lower row."""
        if self.lo_line is None or self.hi_line is None:
            return None
        return (self.lo_line.top, self.hi_line.bottom)


def item_order(s: ViewSpan) -> tuple:
    """The view's order of spans and suggestions: by start, longer first (tables use it too)."""
    return (s.start, -s.end, s.suggestion, s.label)
