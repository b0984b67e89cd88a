"""The document view: an article as plain text with spans, suggestions and relations.

The view lives in :mod:`ui.view` (a pure layout, a painter, the widget); this module keeps the
names importable from where they always were.
"""

from __future__ import annotations

from ui.view.model import ItemKey, Rect, ViewRelation, ViewSpan, item_order
from ui.view.widget import DocumentView

__all__ = ["DocumentView", "ViewSpan", "ViewRelation", "item_order", "ItemKey", "Rect"]
