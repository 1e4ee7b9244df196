"""Each sentence's speaker, computed once at build and stored with the index.

``speakers.speakers`` reads a whole article's attributions with regular expressions: about
5 ms for an article of 200 sentences, which at 100,000 sentences was half of a warm query's
CPU (the quoted articles' speakers). A build computes every article's speakers once and
writes them as a memory-mapped column, so a query reads three integers:

- ``speakers.npy``: per sentence, the number of its speaker in the name table, or -1;
- ``speaker-names.bin`` + ``speaker-names.npy``: the distinct names in UTF-8 and their
  offsets (n + 1 entries), decoded on access;
- ``speaker-keys.npy``: per article, a 16-byte digest of what decides its speakers (its text,
  its language and its sentence spans), so that the next build takes the speakers of an
  unchanged article from the live index instead of reading it again; an article repeated in
  the corpus (syndicated copies) is read once per build.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from embeddings.speakers import speakers
from embeddings.types import Document

logger = logging.getLogger(__name__)

SPEAKERS_FILE = "speakers.npy"
SPEAKER_NAMES_FILE = "speaker-names.bin"
SPEAKER_NAME_OFFSETS_FILE = "speaker-names.npy"
SPEAKER_KEYS_FILE = "speaker-keys.npy"
# Part of every article's key: a change to embeddings/speakers.py that changes its answers
# must bump it, or a build would take the old answers over from the live index.
# 2: occasion phrases, openers (NU8 F8); 3: a title after of/for/to before the name (NU8B S1);
# 4: compound titles before the name ("said the chief executive, Ivan Petrenko");
# 5: more lower-case roles ("said passenger Olena Shevchuk"), a role capitalised at the start of
# a sentence is not part of the name ("Producer Hugh Padgham claimed"), NU17B-6;
# 6: a full name in the attribution wins, a title's head is its own, more roles and forms, NU18.
# 7: the deputy or former holder of an office does not hold it (the deputy mayor is no mayor).
# 8: kinship nouns and councillor are titles ("the mayor's cousin", "Councillor Petro Koval").
# 9: a quotation that runs on over paragraphs is its closing attribution's in every paragraph.
# 10: "master" is a title ("said the harbour master, X"); a pronoun after "The mayor did Y." is
#     the one mayor the article names; after "First Last did Y." right before the quotation.
# 11: not after "First Last did Y." again: a village or a school reads the same (NU19B-1).
# 12: "First Last, an ecologist, did Y." before the quotation: a person by the apposition's
#     noun; an apposition whose noun is no person ("an activist group") gives no title (NU19B-3).
# 13: occupations head titles ("Headteacher Maria Levchenko", "an ecologist"), NU21-5.
# 14: '"...," Savchuk promised.' (promised, vowed, argued, ... after a quotation), NU21B-1.
# 15: "Margaret Dunne, 64, ..." before '"...," she said.': an age makes the name a person.
# 16: "Helen Price, 52, a teacher, said ..."; "MP" is a title ("Local MP Rachel Okafor said").
# 17: 'X said: "A. B."': B, inside the quotation X opened after a colon, is X's (NU23B-4).
# 18: an owner before a title ("Dunmore's provost, X, said"), "X, the secretary, welcomed the
#     fund but said", MacLeod-style names (NU24-6); an interview's answers are the
#     interviewee's, when its introduction names one person interviewed (NU25-11).
# 19: "..., according to his sister, Lenie Asanova." at the end (NU26-12).
# 20: "X denied that ...", "X called the notices "..."", "..., said X, the sister of Y." with no
#     quotation marks, "X, who called them "..."" (NU27-3, NU27-10); "commissar" is a title.
# 27: a description by "is" right after a name gives a title as an apposition does ("Alie
#     Kurtumerova, 19, is the daughter of Enver Kurtumerov."), NU30B-5.
# 28: "..., Umerova said, and ..." midway names the speaker as at the end (NU30B-9).
# 29: "X, who ..." is a person; a pronoun never means a name written after on/at/in/near
#     that no title or description makes a person (NU31-10).
# 30: "the deputy minister of education of Crimea, X": an "of" that names no person keeps
#     the whole title X's (NU31-9).
# 31: a pronoun is not someone first named in its paragraph right after a sentence that
#     says the same pronoun, but whom that pronoun meant (NU32-1).
# 32: an interview's introduction may name the interviewee's kin as "His son, X," and a
#     word used alone only after "in" is a place, not a surname (NU32B-1).
# 33: "<title>, <Full Name>: "..."" introduces the name's words when the title is theirs
#     (NU33-11).
# 34: the kin an interview's introduction names ("Her son, Arsen Ablaev,") is the one
#     interviewed when the sentence that says so names them and not the opener ("QHA spoke
#     to Arsen"); their answers were cited to the opener (NU33B-1).
# 35: "Dancer", "Choreographer", "Composer" ... opening a sentence are roles, not part of the
#     name (NU33B-6).
# 36: "He answered QHA's questions" says an interview (NU33C-1).
# 37: an interview's introduction is split into sentences by the project's splitter, not a
#     regular expression of its own ("Dr. X spoke to QHA" is one sentence).
SPEAKERS_VERSION = b"speakers-37"
KEY_BYTES = 16

IntArray = npt.NDArray[np.int64]
Names = tuple[str | None, ...]


def article_key(document: Document, spans: npt.NDArray[np.int64]) -> bytes:
    """What decides an article's speakers: its text, language and ``(start, end)`` spans."""
    digest = hashlib.blake2b(SPEAKERS_VERSION, digest_size=KEY_BYTES)
    digest.update(b"\0" + (document.language or "").encode("utf-8") + b"\0")
    digest.update(document.text.encode("utf-8", "surrogatepass"))
    digest.update(np.ascontiguousarray(spans, dtype=np.int64).tobytes())
    return digest.digest()


class StoredSpeakers:
    """The stored column: ``speaker(sentence_id)`` and an article's speakers by its key."""

    def __init__(
        self,
        ids: npt.NDArray[np.int32],
        blob: npt.NDArray[np.uint8],
        offsets: IntArray,
        keys: npt.NDArray[np.uint8],
        first: IntArray,
    ) -> None:
        if int(offsets[-1]) != len(blob) or (len(ids) and int(ids.max()) >= len(offsets) - 1):
            raise ValueError("the stored speakers do not match their name table")
        if keys.ndim != 2 or keys.shape[1] != KEY_BYTES or len(keys) + 1 != len(first):
            raise ValueError("the stored speaker keys do not match the documents")
        self._ids = ids
        self._blob = blob
        self._offsets = offsets
        self._keys = keys
        self._first = first  # first sentence of each document, n + 1 entries
        self._names: tuple[str, ...] | None = None

    def __len__(self) -> int:
        return len(self._ids)

    def name(self, number: int) -> str:
        start, end = int(self._offsets[number]), int(self._offsets[number + 1])
        return bytes(self._blob[start:end]).decode("utf-8", "surrogatepass")

    def speaker(self, sentence_id: int) -> str | None:
        """The speaker of one sentence, or None."""
        number = int(self._ids[sentence_id])
        return None if number < 0 else self.name(number)

    def names(self) -> tuple[str, ...]:
        """Every distinct speaker of the index (decoded once: a question that asks what
        someone said reads them all)."""
        if self._names is None:
            self._names = tuple(self.name(number) for number in range(len(self._offsets) - 1))
        return self._names

    def sentences_of(self, names: Iterable[str]) -> IntArray:
        """The ids of the sentences spoken by any of ``names``, ascending."""
        wanted = set(names)
        numbers = [n for n, name in enumerate(self.names()) if name in wanted]
        found: IntArray = np.flatnonzero(np.isin(self._ids, numbers)).astype(np.int64)
        return found

    def by_key(self) -> dict[bytes, int]:
        """Document number of each article key (the first, for repeated articles)."""
        found: dict[bytes, int] = {}
        for doc, key in enumerate(self._keys):
            found.setdefault(key.tobytes(), doc)
        return found

    def of_document(self, doc: int) -> Names:
        """The speakers of every sentence of document ``doc``."""
        ids = self._ids[int(self._first[doc]) : int(self._first[doc + 1])].tolist()
        return tuple(None if n < 0 else self.name(n) for n in ids)


def _first_sentences(doc_of: IntArray, document_count: int) -> IntArray:
    first: IntArray = np.searchsorted(doc_of, np.arange(document_count + 1), side="left").astype(
        np.int64
    )
    return first


def compute_speakers(
    documents: Sequence[Document], spans: IntArray, previous: StoredSpeakers | None = None
) -> tuple[list[Names], list[bytes], int]:
    """Per document its sentences' speakers and its key, and how many articles were read.

    ``spans`` holds a ``(doc, position, start, end)`` row per sentence, ascending by doc.
    An article whose key ``previous`` (the live index's column) or an earlier article of
    this build has is not read again.
    """
    first = _first_sentences(np.asarray(spans[:, 0], dtype=np.int64), len(documents))
    known = previous.by_key() if previous is not None else {}
    done: dict[bytes, Names] = {}
    result: list[Names] = []
    keys: list[bytes] = []
    read = 0
    for doc, document in enumerate(documents):
        rows = spans[int(first[doc]) : int(first[doc + 1]), 2:4]
        key = article_key(document, rows)
        names = done.get(key)
        if names is None and previous is not None and key in known:
            names = previous.of_document(known[key])
        if names is None:
            pairs = [(int(start), int(end)) for start, end in rows.tolist()]
            names = tuple(speakers(document.text, pairs, document.language))
            read += 1
        done[key] = names
        result.append(names)
        keys.append(key)
    return result, keys, read


def save_speakers(
    directory: Path,
    documents: Sequence[Document],
    spans: IntArray,
    previous: StoredSpeakers | None = None,
) -> int:
    """Write the four files above; returns how many articles had to be read."""
    per_document, keys, read = compute_speakers(documents, spans, previous)
    numbers: dict[str, int] = {}
    ids = np.full(len(spans), -1, dtype=np.int32)
    at = 0
    for names in per_document:
        for name in names:
            if name is not None:
                ids[at] = numbers.setdefault(name, len(numbers))
            at += 1
    if at != len(spans):
        raise ValueError("speakers computed for another number of sentences")
    offsets = np.zeros(len(numbers) + 1, dtype=np.int64)
    with (directory / SPEAKER_NAMES_FILE).open("wb") as handle:
        for n, name in enumerate(numbers):
            encoded = name.encode("utf-8", "surrogatepass")
            handle.write(encoded)
            offsets[n + 1] = offsets[n] + len(encoded)
    np.save(directory / SPEAKERS_FILE, ids, allow_pickle=False)
    np.save(directory / SPEAKER_NAME_OFFSETS_FILE, offsets, allow_pickle=False)
    key_array = np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(len(keys), KEY_BYTES)
    np.save(directory / SPEAKER_KEYS_FILE, key_array, allow_pickle=False)
    logger.info("speakers: %d of %d articles read, %d names", read, len(documents), len(numbers))
    return read


def load_speakers(directory: Path, doc_of: IntArray, document_count: int) -> StoredSpeakers:
    """The stored column, memory-mapped; ValueError when it disagrees with the sentences."""
    ids = np.asarray(np.load(directory / SPEAKERS_FILE, mmap_mode="r", allow_pickle=False))
    offsets = np.asarray(np.load(directory / SPEAKER_NAME_OFFSETS_FILE, allow_pickle=False))
    keys = np.asarray(np.load(directory / SPEAKER_KEYS_FILE, mmap_mode="r", allow_pickle=False))
    if ids.dtype != np.int32 or len(ids) != len(doc_of) or len(keys) != document_count:
        raise ValueError("the stored speakers do not match the sentences")
    path = directory / SPEAKER_NAMES_FILE
    blob = (
        np.fromfile(path, dtype=np.uint8) if path.stat().st_size else np.zeros(0, dtype=np.uint8)
    )
    first = _first_sentences(np.asarray(doc_of, dtype=np.int64), document_count)
    return StoredSpeakers(ids, blob, offsets, keys, first)
