"""A small multi-annotator project for the dialog tests and screenshots (helpers only, no tests)."""

from __future__ import annotations

from pathlib import Path

from annotator.tokenize import tokenize
from corpus.model import Document, DocumentStatus, Relation, Span
from corpus.resources import default_labels
from corpus.store import Store

TEXTS = [
    ("summit.txt", "Barack Obama met Angela Merkel in Berlin on Monday.\n\nThey talked about trade with Siemens."),
    ("markup.txt", "The <b>bold</b> claim by Alice Smith in Paris was denied by <i>Acme Corp</i>."),
    ("nairobi.txt", "Wangari Maathai visited the University of Nairobi in Kenya in 2004."),
]

# (doc index, surface, label) per annotator
ANNOTATIONS: dict[str, list[tuple[int, str, str]]] = {
    "alice": [
        (0, "Barack Obama", "PERSON"), (0, "Angela Merkel", "PERSON"), (0, "Berlin", "GPE"),
        (0, "Monday", "DATE"), (0, "Siemens", "ORG"),
        (1, "Alice Smith", "PERSON"), (1, "Paris", "GPE"), (1, "Acme Corp", "ORG"),
        (2, "Wangari Maathai", "PERSON"), (2, "University of Nairobi", "ORG"), (2, "Kenya", "GPE"),
    ],
    "bob": [
        (0, "Barack Obama", "PERSON"), (0, "Angela Merkel", "PERSON"), (0, "Berlin", "LOC"),
        (0, "Siemens", "ORG"),
        (1, "Alice Smith", "PERSON"), (1, "Paris", "GPE"), (1, "<b>bold</b>", "WORK_OF_ART"),
        (2, "Wangari Maathai", "PERSON"), (2, "Nairobi", "GPE"), (2, "Kenya", "GPE"), (2, "2004", "DATE"),
    ],
    "carol": [
        (0, "Obama", "PERSON"), (0, "Angela Merkel", "PERSON"), (0, "Berlin", "GPE"),
        (0, "Monday", "DATE"),
        (1, "Alice Smith", "PERSON"), (1, "Acme Corp", "ORG"),
        (2, "Wangari Maathai", "PERSON"), (2, "University of Nairobi", "ORG"),
    ],
}

RELATIONS: dict[str, list[tuple[int, str, str, str]]] = {
    "alice": [(0, "Barack Obama", "Angela Merkel", "MET_WITH"), (2, "Wangari Maathai", "University of Nairobi", "AFFILIATED_WITH")],
    "bob": [(0, "Barack Obama", "Angela Merkel", "MET_WITH")],
    "carol": [(2, "Wangari Maathai", "University of Nairobi", "AFFILIATED_WITH")],
}


def make_multi_project(path: Path, *, done: bool = True) -> Path:
    """Three documents, three annotators (alice, bob, carol) who partly agree, default labels."""
    with Store(path) as store:
        store.set_labels(default_labels())
        rel_names = store.label_names("relation")
        docs = []
        for name, text in TEXTS:
            toks, sents = tokenize(text)
            docs.append(Document(text=text, name=name, tokens=toks, sents=sents))
        ids = [d for d, _ in store.add_documents(docs)]
        for person, items in ANNOTATIONS.items():
            store.add_annotator(person)
            by_surface: dict[tuple[int, str], int] = {}
            for di, surface, label in items:
                text = TEXTS[di][1]
                i = text.index(surface)
                sp = store.add_span(Span(doc_id=ids[di], layer=person, start=i, end=i + len(surface), label=label, source="manual"))
                by_surface[(di, surface)] = sp.id
            for di, head, child, label in RELATIONS.get(person, []):
                if label not in rel_names:
                    label = rel_names[0]
                store.add_relation(Relation(doc_id=ids[di], layer=person, head=by_surface[(di, head)],
                                            child=by_surface[(di, child)], label=label))
            if done:
                for d in ids:
                    store.set_status(d, person, DocumentStatus.DONE)
    return path
