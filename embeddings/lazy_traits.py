"""The ranking's per-sentence traits: stored with the index, or computed on first use.

``features.sentence_traits`` runs five regular expressions over every sentence: 1.2 s for ten
thousand sentences, two minutes and gigabytes of sets for a million, at every start. A question
only ever looks at a few hundred candidates and their neighbours, so ``lazy_traits`` returns a
``SentenceTraits`` whose per-sentence parts are computed on first access (by the very same
``sentence_traits``, so the values are identical) and kept. Only the document structure
(document, previous and next sentence) is computed up front, with numpy. A built index stores
its traits (``save_traits``/``load_traits`` below), so a loaded one computes nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import overload

import numpy as np
import numpy.typing as npt

from embeddings.features import SentenceTraits, sentence_traits

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_UNKNOWN, _NO, _YES = -1, 0, 1
# The per-sentence flags of ``SentenceTraits``; "leans" last: a lazy view sets it last, to mark
# a sentence done.
FLAG_NAMES = ("has_date", "has_number", "has_reason", "has_span", "leans")


class _Computed:
    """The traits of the sentences computed so far (shared by the lazy views below)."""

    def __init__(self, count: int, text: Callable[[int], str]) -> None:
        self._text = text
        self._lock = threading.Lock()
        self.flags = {name: np.full(count, _UNKNOWN, dtype=np.int8) for name in FLAG_NAMES}
        self.sets: dict[str, dict[int, frozenset[str]]] = {"names": {}, "full_names": {}}

    def ensure(self, ids: IntArray) -> None:
        missing = np.unique(ids[self.flags["leans"][ids] == _UNKNOWN])
        if not len(missing):
            return
        with self._lock:
            numbers = missing.tolist()
            traits = sentence_traits([self._text(n) for n in numbers], [0] * len(numbers))
            for name in ("names", "full_names"):
                self.sets[name].update(zip(numbers, getattr(traits, name), strict=True))
            for name in FLAG_NAMES:
                self.flags[name][missing] = getattr(traits, name).astype(np.int8)


class _LazyFlags:
    """``flags[ids]`` as a boolean array, computing unknown sentences first."""

    def __init__(self, computed: _Computed, name: str) -> None:
        self._computed = computed
        self._name = name

    def __getitem__(self, ids: IntArray) -> BoolArray:
        ids = np.asarray(ids, dtype=np.int64)
        self._computed.ensure(ids)
        result: BoolArray = self._computed.flags[self._name][ids] == _YES
        return result


class _LazySets(Sequence[frozenset[str]]):
    """``names[i]``, computing sentence ``i`` first."""

    def __init__(self, computed: _Computed, name: str, count: int) -> None:
        self._computed = computed
        self._name = name
        self._count = count

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, i: int) -> frozenset[str]: ...

    @overload
    def __getitem__(self, i: slice) -> Sequence[frozenset[str]]: ...

    def __getitem__(self, i: int | slice) -> frozenset[str] | Sequence[frozenset[str]]:
        if isinstance(i, slice):
            return [self[n] for n in range(*i.indices(self._count))]
        found = self._computed.sets[self._name].get(i)
        if found is None:
            self._computed.ensure(np.array([i], dtype=np.int64))
            found = self._computed.sets[self._name][i]
        return found


def neighbours_of(doc_of: IntArray) -> tuple[IntArray, IntArray]:
    """Per sentence, the id of the previous and of the next sentence of its document, or -1."""
    count = len(doc_of)
    ids = np.arange(count, dtype=np.int64)
    same = np.asarray(doc_of[1:] == doc_of[:-1]) if count else np.zeros(0, dtype=np.bool_)
    previous = np.full(count, -1, dtype=np.int64)
    following = np.full(count, -1, dtype=np.int64)
    previous[1:][same] = ids[:-1][same]
    following[:-1][same] = ids[1:][same]
    return previous, following


def lazy_traits(doc_of: IntArray, text: Callable[[int], str]) -> SentenceTraits:
    """Traits of ``len(doc_of)`` sentences; ``text(i)`` is sentence i's text."""
    count = len(doc_of)
    computed = _Computed(count, text)
    previous, following = neighbours_of(doc_of)
    return SentenceTraits(
        has_date=_LazyFlags(computed, "has_date"),  # type: ignore[arg-type]
        has_number=_LazyFlags(computed, "has_number"),  # type: ignore[arg-type]
        has_reason=_LazyFlags(computed, "has_reason"),  # type: ignore[arg-type]
        has_span=_LazyFlags(computed, "has_span"),  # type: ignore[arg-type]
        names=_LazySets(computed, "names", count),  # type: ignore[arg-type]
        full_names=_LazySets(computed, "full_names", count),  # type: ignore[arg-type]
        leans=_LazyFlags(computed, "leans"),  # type: ignore[arg-type]
        doc=np.asarray(doc_of, dtype=np.int64),
        previous=previous,
        following=following,
    )


# --- traits stored with the index ----------------------------------------------------------
#
# Computing traits for a question's candidates costs ~0.1 ms of regular expressions per
# sentence, several hundred sentences per question at a million: too slow on the query path.
# So a build computes them once and stores them: five flags per sentence in one byte, and the
# name sets as text ("names<TAB>full names", words separated by spaces), split on access.

TRAITS_FILE = "traits.npy"
NAMES_FILE = "traits-names.bin"
NAME_OFFSETS_FILE = "traits-names.npy"
_DATE_BIT, _NUMBER_BIT, _LEANS_BIT, _REASON_BIT, _SPAN_BIT = 1, 2, 4, 8, 16


def save_traits(directory: Path, traits: SentenceTraits) -> None:
    flags = (
        np.asarray(traits.has_date, dtype=np.uint8) * _DATE_BIT
        + np.asarray(traits.has_number, dtype=np.uint8) * _NUMBER_BIT
        + np.asarray(traits.leans, dtype=np.uint8) * _LEANS_BIT
        + np.asarray(traits.has_reason, dtype=np.uint8) * _REASON_BIT
        + np.asarray(traits.has_span, dtype=np.uint8) * _SPAN_BIT
    ).astype(np.uint8)
    np.save(directory / TRAITS_FILE, flags, allow_pickle=False)
    offsets = np.zeros(len(flags) + 1, dtype=np.int64)
    with (directory / NAMES_FILE).open("wb") as handle:
        for n, (names, full) in enumerate(zip(traits.names, traits.full_names, strict=True)):
            line = (" ".join(sorted(names)) + "\t" + " ".join(sorted(full))).encode("utf-8")
            handle.write(line)
            offsets[n + 1] = offsets[n] + len(line)
    np.save(directory / NAME_OFFSETS_FILE, offsets, allow_pickle=False)


class _StoredSets(Sequence[frozenset[str]]):
    """One of the two name sets of each sentence, parsed from the stored text on access."""

    def __init__(self, blob: npt.NDArray[np.uint8], offsets: IntArray, part: int) -> None:
        self._blob = blob
        self._offsets = offsets
        self._part = part

    def __len__(self) -> int:
        return len(self._offsets) - 1

    @overload
    def __getitem__(self, i: int) -> frozenset[str]: ...

    @overload
    def __getitem__(self, i: slice) -> Sequence[frozenset[str]]: ...

    def __getitem__(self, i: int | slice) -> frozenset[str] | Sequence[frozenset[str]]:
        if isinstance(i, slice):
            return [self[n] for n in range(*i.indices(len(self)))]
        start, end = int(self._offsets[i]), int(self._offsets[i + 1])
        text = bytes(self._blob[start:end]).decode("utf-8")
        return frozenset(text.split("\t")[self._part].split())


def load_traits(directory: Path, doc_of: IntArray) -> SentenceTraits:
    """The stored traits; the arrays are memory-mapped, nothing is parsed up front."""
    flags = np.asarray(np.load(directory / TRAITS_FILE, mmap_mode="r", allow_pickle=False))
    offsets = np.asarray(np.load(directory / NAME_OFFSETS_FILE, mmap_mode="r"))
    if len(flags) != len(doc_of) or len(offsets) != len(doc_of) + 1:
        raise ValueError("the stored traits do not match the sentences")
    path = directory / NAMES_FILE
    blob = (
        np.asarray(np.memmap(path, dtype=np.uint8, mode="r"))
        if path.stat().st_size
        else np.zeros(0, dtype=np.uint8)
    )
    if int(offsets[-1]) != len(blob):
        raise ValueError("the stored names do not match their offsets")
    previous, following = neighbours_of(doc_of)
    return SentenceTraits(
        has_date=(flags & _DATE_BIT) != 0,
        has_number=(flags & _NUMBER_BIT) != 0,
        has_reason=(flags & _REASON_BIT) != 0,
        has_span=(flags & _SPAN_BIT) != 0,
        names=_StoredSets(blob, offsets, 0),  # type: ignore[arg-type]
        full_names=_StoredSets(blob, offsets, 1),  # type: ignore[arg-type]
        leans=(flags & _LEANS_BIT) != 0,
        doc=np.asarray(doc_of, dtype=np.int64),
        previous=previous,
        following=following,
    )
