"""Breaking a text into visual lines with a text-measuring function. No Qt.

``measure(s) -> width`` is all this module knows of fonts (the widget passes
``QFontMetricsF.horizontalAdvance``; tests pass a fake monospace measure). Lines break after
the spaces that follow a word, like a word processor; a run too wide for a line (a URL, a
megabyte-long token) is cut for display only, in work linear in its length: each cut measures
a few pieces about one line long, never the whole run.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable

from ui.view.model import Line

__all__ = ["Measure", "TextLines", "break_text"]

Measure = Callable[[str], float]

_CHUNK = re.compile(r"[^\S\n]*[^\s]+[^\S\n]*|[^\S\n]+")


def display_text(text: str) -> str:
    """The text as drawn: tabs as spaces (the same length, so offsets line up)."""
    return text.replace("\t", " ") if "\t" in text else text


def _fit(measure: Measure, s: str, pos: int, width: float, guess: int) -> int:
    """The most characters of ``s`` from ``pos`` that fit ``width`` (at least one).

    Starts at ``guess`` and gallops, then bisects: a few measures of about one line each.
    """
    n = len(s) - pos
    m = min(max(1, guess), n)
    if measure(s[pos:pos + m]) <= width:
        lo, step = m, max(1, m // 8)
        while True:
            if lo >= n:
                return n
            hi = min(n, lo + step)
            if measure(s[pos:pos + hi]) > width:
                break
            lo, step = hi, step * 2
    else:
        hi, step = m, max(1, m // 8)
        while True:
            lo = max(1, hi - step)
            if lo == 1 and hi == 1:
                return 1
            if measure(s[pos:pos + lo]) <= width or lo == 1:
                if lo == 1 and measure(s[pos:pos + 1]) > width:
                    return 1
                break
            hi, step = lo, step * 2
    while hi - lo > 1:  # lo fits, hi does not
        mid = (lo + hi) // 2
        if measure(s[pos:pos + mid]) <= width:
            lo = mid
        else:
            hi = mid
    return lo


def break_text(text: str, measure: Measure, width: float, avg_char: float | None = None) -> list[Line]:
    """The visual lines of ``text`` at ``width`` (document offsets; ``\\n`` ends a paragraph).

    An empty or all-space paragraph is one ``blank`` line.
    """
    disp = display_text(text)
    width = max(1.0, width)
    if avg_char is None:
        avg_char = max(0.5, measure("abcdefghijklmnopqrstuvwxyz") / 26)
    # a chunk longer than this cannot fit: cut it without measuring it whole
    too_long = int(width / (0.25 * avg_char)) + 2
    guess = max(1, int(width / avg_char))
    widths: dict[str, tuple[float, float]] = {}
    lines: list[Line] = []
    pos = 0
    for para in disp.split("\n"):
        end = pos + len(para)
        if not para or para.isspace():
            lines.append(Line(pos, end, blank=True))
            pos = end + 1
            continue
        line_start, x = pos, 0.0
        for m in _CHUNK.finditer(para):
            chunk = m.group()
            a = pos + m.start()
            if len(chunk) > too_long:
                w_trim = width + 1.0
            else:
                wt = widths.get(chunk)
                if wt is None:
                    stripped = chunk.rstrip()
                    full = measure(chunk)
                    wt = widths[chunk] = (full, full if stripped == chunk else measure(stripped))
                w_full, w_trim = wt
            if x + w_trim <= width:
                x += w_full
                continue
            if a > line_start:  # the chunk starts a new line
                lines.append(Line(line_start, a))
                line_start, x = a, 0.0
                if w_trim <= width:
                    x = w_full
                    continue
            # one chunk wider than a line: cut it (display only; the text is unchanged)
            word = chunk.rstrip()
            i = 0
            while len(word) - i > 0:
                k = _fit(measure, word, i, width, guess)
                guess = k
                if i + k >= len(word):
                    break
                lines.append(Line(a + i, a + i + k))
                i += k
            line_start = a + i
            x = measure(chunk[i:]) if len(chunk) - i <= too_long else width
        lines.append(Line(line_start, end))
        pos = end + 1
    return lines


class TextLines:
    """A text's visual lines at a width, with positions in x (``left`` is the text's margin)."""

    def __init__(self, text: str, measure: Measure, width: float, left: float = 0.0) -> None:
        self.text = text
        self.disp = display_text(text)
        self.measure = measure
        self.width = width
        self.left = left
        self.lines: list[Line] = break_text(text, measure, width)
        self.starts = [ln.start for ln in self.lines]

    def line_of(self, pos: int) -> int:
        """The index of the line holding text position ``pos``."""
        return max(0, bisect.bisect_right(self.starts, pos) - 1)

    def x_of(self, pos: int, li: int | None = None) -> float:
        """The x of the position just before character ``pos`` (on line ``li``)."""
        if li is None:
            li = self.line_of(pos)
        ln = self.lines[li]
        pos = max(ln.start, min(pos, ln.end))
        return self.left + (self.measure(self.disp[ln.start:pos]) if pos > ln.start else 0.0)

    def cursor_at_x(self, li: int, x: float) -> int:
        """The text position on line ``li`` nearest ``x`` (between characters)."""
        ln = self.lines[li]
        x -= self.left
        lo, hi = ln.start, ln.end
        if x <= 0 or hi == lo:
            return lo
        if self.measure(self.disp[lo:hi]) <= x:
            return hi
        # the last position whose x is <= x, then the nearer of it and the next
        a, b = lo, hi
        while b - a > 1:
            mid = (a + b) // 2
            if self.measure(self.disp[lo:mid]) <= x:
                a = mid
            else:
                b = mid
        xa = self.measure(self.disp[lo:a]) if a > lo else 0.0
        xb = self.measure(self.disp[lo:b])
        return a if x - xa <= xb - x else b

    def char_at_x(self, li: int, x: float) -> int | None:
        """The character under ``x`` on line ``li`` (``None`` past the line's end)."""
        ln = self.lines[li]
        if x < self.left or ln.end == ln.start:
            return None
        p = self.cursor_at_x(li, x)
        # the character whose box holds x: the one before p when x is left of p's x
        if p > ln.start and self.x_of(p, li) > x:
            p -= 1
        return p if p < ln.end else None
