"""Caches that make an index build incremental: sentence vectors and sentence spans.

Encoding is nearly all of a build (about 100 sentences/s on a small CPU), so a build keeps
every vector it computes, keyed by the SHA-256 of the sentence text, in one SQLite file per
model (named after the model's weight hash): the next build re-encodes only the sentences that
no earlier build saw. Splitting with pysbd is the next cost (about 3,000 sentences/s), so the
spans of each article are kept too, keyed by its text, its language and the splitter version.

Both live beside the shared query encoders (``vector_cache_dir``): ``DATA/vectors/`` for the
indexes of a data directory, ``INDEX/vectors/`` for an index in a folder of the user's
choosing. Vectors of the int8 build encoder (``embeddings.build_encoder``) have a file of their
own (``<weights>-<dimension>-int8.sqlite``): int8 and fp32 vectors never mix, and the fp32 file
of older versions stays valid. SQLite gives atomic, crash-safe writes: vectors are committed
in chunks while a long build runs, so an interrupted build loses at most one chunk, and a torn
write never surfaces as a wrong vector. A cache file that SQLite cannot read is logged, removed
and started again: it is a cache, never the only copy of anything. Each cache is bounded: past
``max_entries``, the entries that the fewest recent builds used go first.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np

from embeddings.encoder import Vectors
from embeddings.encoder_store import INDEXES_DIR

logger = logging.getLogger(__name__)

VECTORS_DIR = "vectors"
SPANS_FILE = "spans.sqlite"
# About 1.6 KB per 384-dimension vector: a million sentences is about 1.6 GB on disk.
DEFAULT_MAX_VECTORS = 1_000_000
DEFAULT_MAX_SPANS = 200_000
_CHUNK = 500  # keys per SQL statement (SQLite allows 999 parameters in old builds)
# An entry's "last used" mark is rewritten only when older than this: rewriting every mark cost
# more than reading the vectors (0.28 s against 0.18 s CPU per 10,000), on every build, for an
# eviction order that an hour's resolution serves as well.
USE_RESOLUTION_NS = 3600 * 10**9
_SCHEMA = 1


def vector_cache_dir(index_dir: Path) -> Path:
    """Where the caches of the index in ``index_dir`` live (beside its query encoder)."""
    if index_dir.parent.name == INDEXES_DIR:
        return index_dir.parent.parent / VECTORS_DIR
    return index_dir / VECTORS_DIR


def text_key(*parts: str) -> bytes:
    """The cache key of a text (with whatever else decides the cached value)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.digest()


def _chunks(items: Sequence[bytes], size: int = _CHUNK) -> Iterator[Sequence[bytes]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class BlobCache:
    """A bounded key -> bytes map in one SQLite file.

    ``used`` records the last build that needed an entry (to ``USE_RESOLUTION_NS``);
    eviction removes the least recently used entries first, never the ones the current build
    just needed unless they alone exceed the bound.
    """

    def __init__(self, path: Path, kind: str, max_entries: int) -> None:
        self.path = path
        self.kind = kind
        self.max_entries = max_entries
        self._generation = time.time_ns()
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = self._open()
        except sqlite3.DatabaseError as error:
            logger.warning("starting the cache %s again: %s", path, error)
            for suffix in ("", "-wal", "-shm", "-journal"):
                with contextlib.suppress(FileNotFoundError):
                    Path(f"{path}{suffix}").unlink()
            self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)"
            )
            db.execute(
                "CREATE TABLE IF NOT EXISTS entries "
                "(key BLOB PRIMARY KEY, value BLOB NOT NULL, used INTEGER NOT NULL)"
                " WITHOUT ROWID"
            )
            db.execute("CREATE INDEX IF NOT EXISTS entries_used ON entries (used)")
            row = db.execute("SELECT value FROM meta WHERE name = 'kind'").fetchone()
            if row is None:
                db.execute(
                    "INSERT INTO meta VALUES ('kind', ?), ('schema', ?)",
                    (self.kind, str(_SCHEMA)),
                )
            elif row[0] != self.kind:
                raise sqlite3.DatabaseError(f"it holds {row[0]!r}, not {self.kind!r}")
            db.execute("SELECT count(*) FROM entries").fetchone()
        except BaseException:
            db.close()
            raise
        return db

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> BlobCache:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def __len__(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM entries").fetchone()[0])

    def get_many(self, keys: Sequence[bytes]) -> dict[bytes, bytes]:
        """The cached values of those keys that are cached; marks them used by this build."""
        found: dict[bytes, bytes] = {}
        unique = list(dict.fromkeys(keys))
        stale = self._generation - USE_RESOLUTION_NS
        self._db.execute("BEGIN")
        try:
            for chunk in _chunks(unique):
                marks = ",".join("?" * len(chunk))
                old: list[bytes] = []
                for key, value, used in self._db.execute(
                    f"SELECT key, value, used FROM entries WHERE key IN ({marks})", chunk
                ):
                    found[key] = value
                    if used < stale:
                        old.append(key)
                for part in _chunks(old):
                    self._db.execute(
                        f"UPDATE entries SET used = ? WHERE key IN ({','.join('?' * len(part))})",
                        (self._generation, *part),
                    )
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        return found

    def put_many(self, items: Iterable[tuple[bytes, bytes]]) -> None:
        """Store values in one transaction, then evict past the bound."""
        rows = [(key, value, self._generation) for key, value in items]
        if not rows:
            return
        self._db.execute("BEGIN")
        try:
            self._db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?)", rows)
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._evict()

    def _evict(self) -> None:
        excess = len(self) - self.max_entries
        if excess <= 0:
            return
        self._db.execute(
            "DELETE FROM entries WHERE key IN (SELECT key FROM entries ORDER BY used LIMIT ?)",
            (excess,),
        )
        logger.info("cache %s: removed %d least recently used entries", self.path, excess)


class VectorCache:
    """Sentence vectors of one model and precision, keyed by the sentence text."""

    def __init__(
        self,
        directory: Path,
        weights_sha256: str,
        dimension: int,
        max_entries: int = DEFAULT_MAX_VECTORS,
        precision: str = "fp32",
    ) -> None:
        self.dimension = dimension
        self.directory = directory
        self.weights_sha256 = weights_sha256
        self.max_entries = max_entries
        self._stores: dict[str, BlobCache] = {}
        self.precision = precision
        self._store = self._store_of(precision)

    def _store_of(self, precision: str) -> BlobCache:
        if precision not in self._stores:
            name = f"{self.weights_sha256[:16]}-{self.dimension}"
            kind = f"vectors:{self.weights_sha256}:{self.dimension}"
            if precision != "fp32":
                name, kind = f"{name}-{precision}", f"{kind}:{precision}"
            self._stores[precision] = BlobCache(
                self.directory / f"{name}.sqlite", kind, self.max_entries
            )
        return self._stores[precision]

    @property
    def path(self) -> Path:
        """The file of the vectors of the current precision."""
        return self._store.path

    def close(self) -> None:
        for store in self._stores.values():
            store.close()

    def __enter__(self) -> VectorCache:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def __len__(self) -> int:
        return len(self._store)

    def encode(
        self,
        texts: Sequence[str],
        encode: Callable[[list[str]], Vectors],
        chunk: int = 2048,
        before_encoding: Callable[[list[str]], str | None] | None = None,
    ) -> tuple[Vectors, int]:
        """The vectors of ``texts``, encoding (with ``encode``) only those not cached.

        New vectors are committed every ``chunk`` texts, so an interrupted build keeps what it
        encoded. ``before_encoding`` is told the texts to encode first (for progress and the
        choice of encoder); it may return the precision of the encoder it chose, and when
        that is not the cache's, the texts are looked up again among that precision's
        vectors. Returns the vectors and how many texts were encoded.
        """
        keys = [text_key(text) for text in texts]
        result, missing = self._lookup(keys, texts)
        if missing and before_encoding is not None:
            precision = before_encoding(list(missing.values()))
            if precision is not None and precision != self.precision:
                logger.info("vector cache: the build encodes in %s: looking again", precision)
                self.precision = precision
                self._store = self._store_of(precision)
                result, missing = self._lookup(keys, texts)
        if missing:
            new_keys = list(missing)
            new_texts = [missing[key] for key in new_keys]
            computed: dict[bytes, Vectors] = {}
            for start in range(0, len(new_keys), chunk):
                part = new_texts[start : start + chunk]
                vectors = np.ascontiguousarray(encode(part), dtype=np.float32)
                if vectors.shape != (len(part), self.dimension):
                    raise ValueError(
                        f"encoder returned shape {vectors.shape}, "
                        f"expected {(len(part), self.dimension)}"
                    )
                pairs = list(zip(new_keys[start : start + chunk], vectors, strict=True))
                self._store.put_many((key, vector.tobytes()) for key, vector in pairs)
                computed.update(pairs)
            for row, key in enumerate(keys):
                if key in computed:
                    result[row] = computed[key]
        return result, len(missing)

    def _lookup(
        self, keys: Sequence[bytes], texts: Sequence[str]
    ) -> tuple[Vectors, dict[bytes, str]]:
        """The cached vectors (zero rows where there are none) and the texts not cached."""
        found = self._store.get_many(keys)
        result = np.zeros((len(texts), self.dimension), dtype=np.float32)
        missing: dict[bytes, str] = {}
        for row, (key, text) in enumerate(zip(keys, texts, strict=True)):
            value = found.get(key)
            if value is not None and len(value) == 4 * self.dimension:
                result[row] = np.frombuffer(value, dtype=np.float32)
            else:
                missing.setdefault(key, text)
        logger.info(
            "vector cache (%s): %d of %d sentences cached",
            self.precision,
            len(texts) - len(missing),
            len(texts),
        )
        return result, missing


class SpanCache:
    """Sentence spans of articles, keyed by the text, its language and the splitter."""

    def __init__(
        self, directory: Path, splitter_version: str, max_entries: int = DEFAULT_MAX_SPANS
    ) -> None:
        self.splitter_version = splitter_version
        self._store = BlobCache(directory / SPANS_FILE, "spans", max_entries)

    def close(self) -> None:
        self._store.close()

    def __enter__(self) -> SpanCache:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def split_all(
        self,
        items: Sequence[tuple[str, str]],
        split: Callable[[str, str], list[tuple[int, int]]],
    ) -> list[list[tuple[int, int]]]:
        """Spans of each (text, language), calling ``split`` only for texts not cached."""
        keys = [text_key(self.splitter_version, language, text) for text, language in items]
        found = self._store.get_many(keys)
        result: list[list[tuple[int, int]]] = []
        new: dict[bytes, bytes] = {}
        for key, (text, language) in zip(keys, items, strict=True):
            value = found.get(key)
            if value is None:
                value = new.get(key)
            if value is not None:
                flat = np.frombuffer(value, dtype=np.int64)
                spans = [(int(a), int(b)) for a, b in zip(flat[0::2], flat[1::2], strict=True)]
            else:
                spans = split(text, language)
                new[key] = np.array(spans, dtype=np.int64).reshape(-1).tobytes()
            result.append(spans)
        self._store.put_many(new.items())
        logger.info("span cache: %d of %d articles split anew", len(new), len(items))
        return result
