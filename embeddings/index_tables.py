"""Documents and sentences on disk as arrays, read lazily: opening costs the same at any size.

A loaded index must not parse a JSON document per sentence at every start (a million
sentences took seconds and hundreds of megabytes). Instead:

- ``sentences.npy``: one int64 row ``(doc, position, start, end)`` per sentence, memory-mapped;
- ``texts.bin`` + ``texts.npy``: every article body in UTF-8, one after the other, and the byte
  offset where each starts (n + 1 entries); a body is decoded when a sentence of it is shown;
- ``documents.jsonl`` + ``documents.npy``: each article's metadata as one JSON line, and the
  byte offset of each line; parsed on first access;
- ``speakers.npy`` and the speaker name table: each sentence's speaker, computed at build
  (embeddings/speaker_table.py).

``DocumentTable`` and ``SentenceTable`` are read-only sequences of ``Document`` and
``Sentence`` over those files, so the searcher works the same on a fresh and a loaded index.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar, overload

import numpy as np
import numpy.typing as npt

from embeddings.speaker_table import StoredSpeakers, load_speakers, save_speakers
from embeddings.types import Document, Sentence

T = TypeVar("T")

logger = logging.getLogger(__name__)

SENTENCES_FILE = "sentences.npy"
TEXTS_FILE = "texts.bin"
TEXT_OFFSETS_FILE = "texts.npy"
DOCUMENTS_FILE = "documents.jsonl"
DOCUMENT_OFFSETS_FILE = "documents.npy"
DECODED_DOCUMENTS = 256  # article bodies kept decoded (the ones being quoted)

IntArray = npt.NDArray[np.int64]


class TableError(ValueError):
    """The arrays disagree with each other: the index is damaged."""


def save_tables(
    directory: Path,
    documents: Sequence[Document],
    sentences: Sequence[Sentence],
    previous_speakers: StoredSpeakers | None = None,
) -> None:
    """Write the files above for these documents and their sentences; the speakers of an
    article that ``previous_speakers`` (the live index's) has are taken from there."""
    text_offsets = np.zeros(len(documents) + 1, dtype=np.int64)
    meta_offsets = np.zeros(len(documents) + 1, dtype=np.int64)
    with (
        (directory / TEXTS_FILE).open("wb") as texts,
        (directory / DOCUMENTS_FILE).open("wb") as metadata,
    ):
        for n, document in enumerate(documents):
            body = document.text.encode("utf-8")
            texts.write(body)
            text_offsets[n + 1] = text_offsets[n] + len(body)
            fields = asdict(document)
            fields["text_length"] = len(document.text)
            del fields["text"]
            line = json.dumps(fields, ensure_ascii=False).encode("utf-8") + b"\n"
            metadata.write(line)
            meta_offsets[n + 1] = meta_offsets[n] + len(line)
    np.save(directory / TEXT_OFFSETS_FILE, text_offsets, allow_pickle=False)
    np.save(directory / DOCUMENT_OFFSETS_FILE, meta_offsets, allow_pickle=False)
    spans = np.array(
        [(s.doc, s.position, s.start, s.end) for s in sentences], dtype=np.int64
    ).reshape(-1, 4)
    np.save(directory / SENTENCES_FILE, spans, allow_pickle=False)
    save_speakers(directory, documents, spans, previous_speakers)


def load_tables(directory: Path) -> tuple[DocumentTable, SentenceTable]:
    """Open the tables (memory-mapped); TableError when they disagree with each other."""
    documents = DocumentTable(
        _map(directory / TEXTS_FILE),
        _load(directory / TEXT_OFFSETS_FILE),
        _map(directory / DOCUMENTS_FILE),
        _load(directory / DOCUMENT_OFFSETS_FILE),
    )
    spans = _load(directory / SENTENCES_FILE)
    if spans.ndim != 2 or spans.shape[1] != 4:
        raise TableError(f"sentence table of shape {spans.shape}")
    if len(spans):
        docs, starts, ends = spans[:, 0], spans[:, 2], spans[:, 3]
        if docs.min() < 0 or docs.max() >= len(documents) or np.any(np.diff(docs) < 0):
            raise TableError("sentence document numbers out of range or out of order")
        if starts.min() < 0 or np.any(ends <= starts):
            raise TableError("sentence offsets out of order")
    try:
        speakers = load_speakers(directory, spans[:, 0], len(documents))
    except ValueError as error:
        raise TableError(str(error)) from None
    return documents, SentenceTable(spans, documents, speakers)


def _map(path: Path) -> npt.NDArray[np.uint8]:
    if path.stat().st_size == 0:
        return np.zeros(0, dtype=np.uint8)
    # A plain ndarray over the mapping: np.memmap's own indexing costs microseconds a call.
    return np.asarray(np.memmap(path, dtype=np.uint8, mode="r"))


def _load(path: Path) -> IntArray:
    array: IntArray = np.asarray(np.load(path, mmap_mode="r", allow_pickle=False))
    return array


class _Rows(Sequence[T]):
    """A read-only sequence of rows made on access: slicing, negative indices and iteration
    once, for both tables."""

    def _row(self, n: int) -> T:
        raise NotImplementedError

    @overload
    def __getitem__(self, n: int) -> T: ...

    @overload
    def __getitem__(self, n: slice) -> tuple[T, ...]: ...

    def __getitem__(self, n: int | slice) -> T | tuple[T, ...]:
        if isinstance(n, slice):
            return tuple(self._row(i) for i in range(*n.indices(len(self))))
        if n < 0:
            n += len(self)
        if not 0 <= n < len(self):
            raise IndexError(n)
        return self._row(n)

    def __iter__(self) -> Iterator[T]:
        return (self._row(n) for n in range(len(self)))


class DocumentTable(_Rows[Document]):
    """The articles of a loaded index; metadata and bodies read on access, recent ones kept."""

    def __init__(
        self,
        texts: npt.NDArray[np.uint8],
        text_offsets: IntArray,
        metadata: npt.NDArray[np.uint8],
        metadata_offsets: IntArray,
    ) -> None:
        if len(text_offsets) != len(metadata_offsets) or len(text_offsets) < 1:
            raise TableError("document tables of different lengths")
        if int(text_offsets[-1]) != len(texts) or int(metadata_offsets[-1]) != len(metadata):
            raise TableError("document tables do not match their offsets")
        self._texts = texts
        self._text_offsets = text_offsets
        self._metadata = metadata
        self._metadata_offsets = metadata_offsets
        self.text = lru_cache(maxsize=DECODED_DOCUMENTS)(self._text)
        self._document = lru_cache(maxsize=DECODED_DOCUMENTS)(self._read)

    def __len__(self) -> int:
        return len(self._text_offsets) - 1

    def _row(self, n: int) -> Document:
        return self._document(n)

    def _text(self, n: int) -> str:
        """The body of document ``n``, decoded."""
        start, end = int(self._text_offsets[n]), int(self._text_offsets[n + 1])
        return bytes(self._texts[start:end]).decode("utf-8")

    def title_and_date(self, n: int) -> tuple[str, str | None]:
        """Document ``n``'s title and date from its metadata line alone, the body not decoded:
        ordering every article of a large index by date (the bot's /sources) then reads a few
        megabytes instead of decoding every body."""
        if not 0 <= n < len(self):
            raise IndexError(n)
        fields = self._fields(n)
        return str(fields["title"]), fields.get("date")

    def _fields(self, n: int) -> dict[str, Any]:
        start, end = int(self._metadata_offsets[n]), int(self._metadata_offsets[n + 1])
        fields: dict[str, Any] = json.loads(bytes(self._metadata[start:end]))
        return fields

    def _read(self, n: int) -> Document:
        fields = self._fields(n)
        length = fields.pop("text_length")
        text = self.text(n)
        if len(text) != length:
            raise TableError(f"document {n} has {len(text)} characters, {length} expected")
        return Document(**fields, text=text)


class SentenceTable(_Rows[Sentence]):
    """The sentences of a loaded index, each made from its row and its article's body."""

    def __init__(
        self, spans: IntArray, documents: DocumentTable, speakers: StoredSpeakers | None = None
    ) -> None:
        self._spans = spans
        self._documents = documents
        self.speakers = speakers  # each sentence's speaker, as stored at build

    @property
    def doc_of(self) -> IntArray:
        """The document of every sentence, ascending (a view, nothing copied)."""
        return self._spans[:, 0]

    def __len__(self) -> int:
        return len(self._spans)

    def _row(self, n: int) -> Sentence:
        doc, position, start, end = self._spans[n].tolist()
        text = self._documents.text(doc)
        if end > len(text):
            raise TableError(f"sentence offsets {start}:{end} fall outside document {doc}")
        return Sentence(doc, position, start, end, text[start:end])
