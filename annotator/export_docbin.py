"""Write a ``.spacy`` file (spaCy's DocBin format) one doc at a time, in constant memory."""

from __future__ import annotations

import array
import shutil
import struct
import tempfile
import zlib
from pathlib import Path
from typing import IO, Any

__all__ = ["StreamingDocBin"]


def _bin_header(n: int) -> bytes:
    return b"\xc6" + struct.pack(">I", n)


def _array_header(n: int) -> bytes:
    return b"\xdd" + struct.pack(">I", n)


class StreamingDocBin:
    """Write a ``.spacy`` file one doc at a time, in constant memory.

    The file is the format of :meth:`spacy.tokens.DocBin.to_bytes` (a zlib compressed msgpack
    map; a test checks the decoded content equals DocBin's) and loads with
    ``DocBin().from_disk``. :meth:`add` extracts what ``DocBin.add`` extracts (the token array
    for ``DocBin``'s default attributes, spaces, flags, cats, span groups, user data and
    strings) and appends it to temporary files next to ``path``; :meth:`close` streams them
    through zlib into ``path``. Only the string table (the set of distinct strings) stays in
    memory. One msgpack packer serves every item: ``srsly.msgpack_dumps`` (which ``DocBin.add``
    calls per doc) builds a new packer each time, scanning the installed packages' entry points
    for encoders, which costs about half a millisecond per call.
    """

    def __init__(self, path: str | Path, *, store_user_data: bool = True) -> None:
        from spacy.tokens import DocBin
        from srsly.msgpack import Packer

        self.path = Path(path)
        self.store_user_data = store_user_data
        ref = DocBin(store_user_data=store_user_data)
        self.attrs: list[int] = list(ref.attrs)
        self.version: str = ref.version
        self._packer = Packer(use_bin_type=True)
        self._tmp = Path(tempfile.mkdtemp(prefix=".docbin-", dir=self.path.parent))
        self._files: dict[str, IO[bytes]] = {
            k: open(self._tmp / k, "wb")  # noqa: SIM115 - closed in close()/abort()
            for k in ("tokens", "spaces", "cats", "flags", "span_groups", "user_data")
        }
        self._lengths = array.array("i")
        self._strings: set[str] = set()
        self.count = 0

    def add(self, doc: Any) -> None:
        """Add one spaCy ``Doc`` (what ``DocBin.add`` keeps of it)."""
        import numpy
        from spacy.attrs import SPACY

        f, pack, strings = self._files, self._packer.pack, self._strings
        arr = doc.to_array(self.attrs)
        if len(arr.shape) == 1:
            arr = arr.reshape((arr.shape[0], 1))
        spaces = numpy.asarray(doc.to_array(SPACY).reshape((-1, 1)), dtype=bool)
        self._lengths.append(arr.shape[0])
        f["tokens"].write(arr.tobytes("C"))
        f["spaces"].write(spaces.tobytes("C"))
        f["flags"].write(pack({"has_unknown_spaces": doc.has_unknown_spaces}))
        for token in doc:
            strings.add(token.text)
            strings.add(token.tag_)
            strings.add(token.lemma_)
            strings.add(token.norm_)
            strings.add(str(token.morph))
            strings.add(token.dep_)
            strings.add(token.ent_type_)
            strings.add(token.ent_kb_id_)
            strings.add(token.ent_id_)
        f["cats"].write(pack(doc.cats))
        if self.store_user_data:
            f["user_data"].write(pack(pack(doc.user_data)))
        f["span_groups"].write(pack(doc.spans.to_bytes()))
        vocab_strings = doc.vocab.strings
        for group in doc.spans.values():
            for span in group:
                strings.add(span.label_)
                if span.kb_id in vocab_strings:
                    strings.add(span.kb_id_)
                if span.id in vocab_strings:
                    strings.add(span.id_)
        self.count += 1

    def close(self) -> None:
        """Write the ``.spacy`` file and remove the temporary files."""
        pack = self._packer.pack
        try:
            for fh in self._files.values():
                fh.close()
            n = len(self._lengths)
            comp = zlib.compressobj()
            with open(self.path, "wb") as out:

                def put(data: bytes) -> None:
                    if data:
                        out.write(comp.compress(data))

                def put_file(name: str) -> None:
                    with open(self._tmp / name, "rb") as fh:
                        while chunk := fh.read(1 << 20):
                            put(chunk)

                keys = 10 if self.store_user_data else 9
                put(bytes([0x80 | keys]))
                put(pack("version") + pack(self.version))
                put(pack("attrs") + pack(self.attrs))
                for name in ("tokens", "spaces"):
                    put(pack(name) + _bin_header((self._tmp / name).stat().st_size))
                    put_file(name)
                lengths = self._lengths.tobytes()
                put(pack("lengths") + _bin_header(len(lengths)) + lengths)
                put(pack("strings") + _array_header(len(self._strings)))
                for s in sorted(self._strings):
                    put(pack(s))
                for name in ("cats", "flags", "span_groups") + (("user_data",) if self.store_user_data else ()):
                    put(pack(name) + _array_header(n))
                    put_file(name)
                out.write(comp.flush())
        finally:
            self.abort()

    def abort(self) -> None:
        """Drop everything (temporary files); ``path`` is not touched."""
        for fh in self._files.values():
            if not fh.closed:
                fh.close()
        shutil.rmtree(self._tmp, ignore_errors=True)
