"""Our spaCy export reads back through the .spacy importer: the same text, tokens, spans and
relations (doc.spans, doc.ents and doc._.rel as written)."""

from pathlib import Path

from annotator.export import export
from annotator.importing import import_paths
from annotator.tokenize import tokenize
from corpus.model import Document, Relation, Span
from corpus.store import Store

TEXTS = ["Barack Obama visited New York City on Monday.\nHe met Joe Biden.",
         "Apple opened an office in Cupertino. Tim Cook spoke."]


def _words(text: str, words: str) -> tuple[int, int]:
    s = text.index(words)
    return s, s + len(words)


def test_spacy_export_imports_back_exactly(tmp_path: Path) -> None:
    src = Store(tmp_path / "src.db")
    ids = []
    for i, text in enumerate(TEXTS):
        tokens, sents = tokenize(text)
        ids.append(src.add_document(Document(text=text, name=f"d{i}", tokens=tokens, sents=sents)))
    t0, t1 = TEXTS
    a = src.add_spans([Span(ids[0], "gold", *_words(t0, "Barack Obama"), "PERSON"),
                       Span(ids[0], "gold", *_words(t0, "New York City"), "GPE"),
                       Span(ids[0], "gold", *_words(t0, "York City"), "GPE"),  # overlap: doc.spans only
                       Span(ids[0], "gold", *_words(t0, "Joe Biden"), "PERSON")])
    b = src.add_spans([Span(ids[1], "gold", *_words(t1, "Apple"), "ORG"),
                       Span(ids[1], "gold", *_words(t1, "Tim Cook"), "PERSON")])
    src.add_relations([Relation(ids[0], "gold", a[0].id, a[3].id, "MET"),
                       Relation(ids[0], "gold", a[0].id, a[1].id, "LOCATED_IN"),
                       Relation(ids[1], "gold", b[1].id, b[0].id, "WORKS_FOR")])
    export(src, tmp_path / "out", "spacy", layer="gold")

    dst = Store(tmp_path / "dst.db")
    report = import_paths(dst, [tmp_path / "out" / "train.spacy"], annotator="gold")
    assert report.documents_added == 2 and report.spans == 6 and report.relations == 3

    def content(store: Store) -> set:
        out = set()
        for doc_id in store.document_ids():
            doc = store.get_document(doc_id)
            spans = {sp.id: sp for sp in store.spans(doc_id, layers="gold")}
            out.add((doc.text, doc.tokens,
                     frozenset((sp.start, sp.end, sp.label) for sp in spans.values()),
                     frozenset((spans[r.head].key, spans[r.child].key, r.label)
                               for r in store.relations(doc_id, layers="gold"))))
        return out

    assert content(dst) == content(src)
    src.close()
    dst.close()
