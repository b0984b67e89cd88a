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
        if m == n or measure(s[pos:pos + m + 1]) > width:  # the last line's count fits exactly
            return m
        lo, step = m + 1, max(1, m // 8)
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


class _CharWidths(dict):
    """Widths of single characters, measured once each."""

    def __init__(self, measure: Measure) -> None:
        super().__init__()
        self.measure = measure

    def __missing__(self, ch: str) -> float:
        w = self[ch] = self.measure(ch)
        return w

    def width(self, s: str) -> float:
        """``s``'s width as the sum of its characters' (no shaping: a cut needs no more)."""
        return sum(map(self.__getitem__, s))


def _cut(chars: _CharWidths, word: str, a: int, width: float, guess: int, lines: list[Line],
         stops: list) -> tuple[int, int]:
    """Cut ``word`` (at offset ``a``), wider than a line, into lines of its own; the last piece
    stays open for what follows. Returns the offset within ``word`` of that piece and the next
    guess of characters per line.

    The pieces are measured as sums of character widths (each character measured once), with
    a small margin for what shaping adds: linear in the length of the word, with no call into
    the font per line.
    """
    i = 0
    width *= 0.97
    while len(word) - i > 0:
        k = _fit(chars.width, word, i, width, guess)
        guess = k
        if i + k >= len(word):
            break
        lines.append(Line(a + i, a + i + k))
        stops.append(([a + i], [0.0]))
        i += k
    return i, guess


def break_text(text: str, measure: Measure, width: float, avg_char: float | None = None,
               stops: list[tuple[list[int], list[float]]] | None = None,
               widths: dict[str, tuple[float, float]] | None = None) -> list[Line]:
    """The visual lines of ``text`` at ``width`` (document offsets; ``\\n`` ends a paragraph).

    An empty or all-space paragraph is one ``blank`` line. When ``stops`` is given, it gets one
    entry per line: the offsets where its words start and their x (so that positions on the
    line are measured from the nearest word, not from the line's start). When ``widths`` is
    given, it gets each word measured: ``{chunk: (width, width without trailing spaces)}``.
    """
    disp = display_text(text)
    width = max(1.0, width)
    if avg_char is None:
        avg_char = max(0.5, measure("abcdefghijklmnopqrstuvwxyz") / 26)
    too_long = int(width / (0.25 * avg_char)) + 2  # a chunk this long cannot fit: cut it unmeasured
    guess = max(1, int(width / avg_char))
    widths = {} if widths is None else widths
    chars = _CharWidths(measure)
    lines: list[Line] = []
    stops = [] if stops is None else stops
    pos = 0
    for para in disp.split("\n"):
        end = pos + len(para)
        if not para or para.isspace():
            lines.append(Line(pos, end, blank=True))
            stops.append(([pos], [0.0]))
            pos = end + 1
            continue
        line_start, x, a = pos, 0.0, pos
        at: list[int] = []
        xs: list[float] = []
        for chunk in _CHUNK.findall(para):  # the chunks cover the paragraph: offsets add up
            n = len(chunk)
            wt = widths.get(chunk) if n <= too_long else (width + 1.0, width + 1.0)
            if wt is None:
                stripped = chunk.rstrip()
                full = measure(chunk)
                wt = widths[chunk] = (full, full if len(stripped) == n else measure(stripped))
            if x + wt[1] <= width:
                at.append(a)
                xs.append(x)
                x += wt[0]
            elif a > line_start and wt[1] <= width:  # the chunk starts a new line
                lines.append(Line(line_start, a))
                stops.append((at, xs))
                line_start, x, at, xs = a, wt[0], [a], [0.0]
            else:  # wider than a line: cut it (display only; the text is unchanged)
                if a > line_start:
                    lines.append(Line(line_start, a))
                    stops.append((at, xs))
                i, guess = _cut(chars, chunk.rstrip(), a, width, guess, lines, stops)
                line_start = a + i
                at, xs = [line_start], [0.0]
                x = chars.width(chunk[i:]) if n - i <= too_long else width
            a += n
        lines.append(Line(line_start, end))
        stops.append((at or [line_start], xs or [0.0]))
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
        self.stops: list[tuple[list[int], list[float]]] = []
        widths: dict[str, tuple[float, float]] = {}
        self.lines: list[Line] = break_text(text, measure, width, stops=self.stops, widths=widths)
        self.starts = [ln.start for ln in self.lines]
        # a word's width from its start is what breaking the lines measured (a span that ends
        # at a word's end asks for exactly that): not measured twice
        self._piece: dict[str, float] = {chunk.rstrip(): w for chunk, (_full, w) in widths.items()}

    def line_of(self, pos: int) -> int:
        """The index of the line holding text position ``pos``."""
        return max(0, bisect.bisect_right(self.starts, pos) - 1)

    def x_of(self, pos: int, li: int | None = None) -> float:
        """The x of the position just before character ``pos`` (on line ``li``)."""
        if li is None:
            li = self.line_of(pos)
        ln = self.lines[li]
        pos = max(ln.start, min(pos, ln.end))
        at, xs = self.stops[li]
        k = bisect.bisect_right(at, pos) - 1
        if k < 0:
            k, a, x = 0, ln.start, 0.0
        else:
            a, x = at[k], xs[k]
        if pos == a:
            return self.left + x
        piece = self.disp[a:pos]
        w = self._piece.get(piece)
        if w is None:
            w = self.measure(piece)
            if len(piece) < 64:
                self._piece[piece] = w
        return self.left + x + w

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
