"""SetSpanInfo: an edit with its inverse and its change report, like every other edit."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.edits import DeleteSpan, SetSpanInfo, apply_edit
from corpus.errors import AnnotationError
from corpus.model import Document, Relation, Span
from corpus.store import Store


def test_set_span_info_undoes_and_reports_the_span(tmp_path: Path) -> None:
    with Store(tmp_path / "p.db") as s:
        d = s.add_document(Document(text="Ada met Bob."))
        ada, bob = s.add_spans([Span(d, "alice", 0, 3, "PER", kb_id="Q7259"), Span(d, "alice", 8, 11, "PER")])
        s.add_relation(Relation(d, "alice", ada.id, bob.id, "met"))
        inverse, changes = apply_edit(s, SetSpanInfo(ada.id, "Q1", (("Negated", True),)))
        assert s.get_span(ada.id).kb_id == "Q1" and s.get_span(ada.id).attrs == {"Negated": True}
        assert changes.spans == {d} and changes.span_ids == {ada.id} and changes.written == {(d, "alice")}
        assert len(s.relations(d)) == 1  # relations stay attached
        again, _ = apply_edit(s, inverse)
        assert s.get_span(ada.id).kb_id == "Q7259" and s.get_span(ada.id).attributes == ()
        apply_edit(s, again)
        assert s.get_span(ada.id).kb_id == "Q1"
        # deleting and undoing the delete brings the kb id and attributes back
        restore, _ = apply_edit(s, DeleteSpan(ada.id))
        apply_edit(s, restore)
        assert s.get_span(ada.id).attrs == {"Negated": True} and s.get_span(ada.id).kb_id == "Q1"
        with pytest.raises(AnnotationError, match="no longer exists"):
            apply_edit(s, SetSpanInfo(9999, "Q2"))
