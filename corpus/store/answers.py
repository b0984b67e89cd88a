"""What an annotator answered for a whole document: accept, reject or ignore, and whether an
accept is partial (binary: only the spans present are known, the rest of the text is unknown).

Prodigy's ``answer`` and Label Studio's cancelled annotations mean something that the document
statuses (todo / in progress / done / skipped) cannot say: a *rejected* example is a different
thing from an *ignored* one, and a binary ``ner.teach`` accept confirms one span without saying
that the other tokens are outside an entity. The exports read these answers so that a declined
example is never written as a negative and a partial one leaves the unknown tokens missing.

Answers are written with ``Store.set_answers`` (:mod:`corpus.store.layers`); these functions
only read. The ``answers`` table is additive: new files have it, an older file gets it with the
first answer written (the schema version does not change, and a program that does not know the
table ignores it). Reading a file without the table gives no answers.
"""

from __future__ import annotations

from dataclasses import dataclass

from corpus.store.base import StoreBase

__all__ = [
    "ANSWERS",
    "Answer",
    "answers",
    "declined_document_ids",
    "partial_document_ids",
]

#: The whole-document answers (Prodigy's vocabulary); written by ``Store.set_answers``.
ANSWERS = ("accept", "reject", "ignore")


@dataclass(frozen=True)
class Answer:
    """One layer's answer for one document."""

    answer: str
    partial: bool = False


def _has_table(store: StoreBase) -> bool:
    row = store.db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'answers'").fetchone()
    return row is not None


def answers(store: StoreBase, layer: str) -> dict[int, Answer]:
    """Every recorded answer of ``layer``, by document id."""
    if not _has_table(store):
        return {}
    return {
        int(r[0]): Answer(r[1], bool(r[2]))
        for r in store.db.execute("SELECT doc_id, answer, partial FROM answers WHERE layer = ?", [layer])
    }


def declined_document_ids(store: StoreBase, layer: str) -> set[int]:
    """Documents the layer's owner rejected or ignored (an answer, or the status *skipped*):
    they are not examples of anything and must never be exported as negatives. A document the
    owner marked *done* after answering is not declined (they changed their mind)."""
    out = {
        int(r[0]) for r in store.db.execute(
            "SELECT doc_id FROM statuses WHERE annotator = ? AND status = 'skipped'", [layer]
        )
    }
    if _has_table(store):
        out.update(
            int(r[0]) for r in store.db.execute(
                "SELECT a.doc_id FROM answers a WHERE a.layer = ? AND a.answer IN ('reject', 'ignore')"
                " AND NOT EXISTS (SELECT 1 FROM statuses s WHERE s.doc_id = a.doc_id"
                " AND s.annotator = a.layer AND s.status = 'done')", [layer]
            )
        )
    return out


def partial_document_ids(store: StoreBase, layer: str) -> set[int]:
    """Documents whose accept is partial (binary): tokens outside the layer's spans are unknown."""
    if not _has_table(store):
        return set()
    return {
        int(r[0]) for r in store.db.execute(
            "SELECT doc_id FROM answers WHERE layer = ? AND answer = 'accept' AND partial = 1", [layer]
        )
    }
