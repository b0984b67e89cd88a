"""The document view in three rooms: a pure layout, a painter, and the widget.

* :mod:`ui.view.model` and :mod:`ui.view.textlines` and :mod:`ui.view.layout` are Qt-free: given
  the text, its tokens, the spans and relations, a width and a text-measuring function they
  compute line boxes, span boxes, tags and relation arcs (tested without a widget);
* :mod:`ui.view.painter` draws a computed layout with a ``QPainter``;
* :mod:`ui.view.widget` is the ``DocumentView`` widget: selection, caret, mouse, keys, hints, zoom.

``ui.document_view`` re-exports the public names, so ``from ui.document_view import DocumentView``
keeps working.
"""
