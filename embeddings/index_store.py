"""The on-disk index: a directory that describes itself and is replaced atomically.

Layout::

    INDEX_DIR/CURRENT                 name of the live build (replaced with os.replace)
    INDEX_DIR/builds/NAME/manifest.json
    INDEX_DIR/builds/NAME/vectors.npy             the sentence vectors (float32, memory-mapped)
    INDEX_DIR/builds/NAME/vectors-hnsw.faiss      HNSW graph + 8-bit codes, large indexes only
    INDEX_DIR/builds/NAME/vectors-hnsw-nodes.npy  graph node -> sentence (-1: tombstone), idem
    INDEX_DIR/builds/NAME/sentences.npy, texts.*, documents.*, speaker*   see index_tables.py
    INDEX_DIR/builds/NAME/lexical/, lexical-window/             BM25 arrays (embeddings/lexical.py)
    INDEX_DIR/LAST_USED               touched when the index is opened (at most once an hour)

The ONNX query encoder is not part of a build: it lives once per model in the shared encoder
store (see ``embeddings.encoder_store``), and the manifest names it (``encoder_id``) and records
its hash (``encoder_sha256``).

A build is written into a fresh directory and only becomes live when ``CURRENT`` is replaced,
which is atomic on POSIX: an interrupted or failed build never touches the live index. The
manifest lists every file with its size, modification time and SHA-256: opening an index checks
sizes and times (cheap enough for every question at any size; it catches truncation, and a file
whose time changed is hashed), ``verify_index_files`` checks every hash (``quotebot index info``
and ``index list`` use it). Nothing is parsed per sentence at load: the arrays are
memory-mapped, so opening a million sentences costs about what opening ten thousand does.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np

from embeddings.encoder_store import encoder_store_dir
from embeddings.errors import IndexFormatError
from embeddings.file_modes import publish_dir, publish_file
from embeddings.index import SentenceIndex
from embeddings.index_tables import (
    DOCUMENTS_FILE,
    SENTENCES_FILE,
    TableError,
    load_tables,
    save_tables,
)
from embeddings.lazy_traits import load_traits, save_traits
from embeddings.lexical import LexicalIndex
from embeddings.ranking import index_traits
from embeddings.speaker_table import StoredSpeakers, load_speakers
from embeddings.stamps import sha256_file
from embeddings.types import Document, Sentence
from embeddings.vector_store import AnnSettings, VectorStore

logger = logging.getLogger(__name__)

# 3: the query encoder moved out of the build into the shared store; file sizes recorded.
# 4: memory-mapped arrays instead of JSON and .npz; vectors.npy plus an HNSW index when large.
# 5: sentence traits stored with the index (traits*.npy/.bin).
# 6: the HNSW graph numbers its own nodes (vectors-hnsw-nodes.npy), so a build can reuse it.
# 7: each sentence's speaker computed at build (speakers.npy, speaker-*; speaker_table.py).
# 8: the stored traits count durations ("for a week") as numbers (features.py, issue 8).
# 9: ... and times of day ("at eleven sharp") as dates; a fourth flag, a reason ("because").
# 10: a fifth flag, a span of time or distance ("ten days", "4,000 km"): what "how long" asks.
# 11: ... and "to protest", "to demand" give a reason.
# 12: a span's count is a whole word ("media day" is none).
FORMAT_VERSION = 12
CURRENT_FILE = "CURRENT"
BUILDS_DIR = "builds"
MANIFEST_FILE = "manifest.json"
VECTORS_FILE = "vectors.npy"
ANN_FILE = "vectors-hnsw.faiss"
NODES_FILE = "vectors-hnsw-nodes.npy"
LEXICAL_FILE = "lexical"
LEXICAL_WINDOW_FILE = "lexical-window"
LAST_USED_FILE = "LAST_USED"
__all__ = ["DOCUMENTS_FILE", "SENTENCES_FILE"]  # re-exported: tests damage them by name
STAGING_PREFIX = ".building-"


class IndexMissingError(IndexFormatError):
    """There is no index in the folder yet: building one is routine, not a repair."""


class IndexDamagedError(IndexFormatError):
    """The index on disk is truncated, altered or unreadable: it must not be trusted."""


@dataclass(frozen=True)
class Manifest:
    """What an index was built from; loading checks that the files agree with it."""

    model_name: str
    model_path: str
    weights_sha256: str
    dimension: int
    sentence_count: int
    document_count: int
    corpus_dir: str
    corpus_fingerprint: str
    query_encoder: str  # "onnx" (fast cold start) or "torch" (when export was impossible)
    built_at: str
    weights_stat: tuple[int, int] = (0, 0)  # size and mtime_ns, to skip re-hashing weights
    format_version: int = FORMAT_VERSION
    files: dict[str, str] = field(default_factory=dict)  # relative path -> SHA-256
    sizes: dict[str, int] = field(default_factory=dict)  # relative path -> bytes
    encoder_id: str = ""  # folder of the shared ONNX encoder ("" for the torch encoder)
    encoder_sha256: str = ""  # SHA-256 of that encoder's model.onnx when the index was built
    mtimes: dict[str, int] = field(default_factory=dict)  # relative path -> st_mtime_ns
    ann: dict[str, Any] = field(default_factory=dict)  # AnnSettings of the vector search
    # How the build encoded: sentences encoded and cached, the encoder and its calibration.
    build_encoding: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("the manifest is not a JSON object")
        if data.get("format_version") != FORMAT_VERSION:
            raise IndexFormatError(
                f"index format {data.get('format_version')!r} is not the supported "
                f"{FORMAT_VERSION}; rebuild it with `quotebot index build`"
            )
        known = {item.name for item in fields(cls)}
        optional = {
            "weights_stat", "files", "sizes", "encoder_id", "encoder_sha256", "mtimes", "ann",
            "build_encoding",
        }  # fmt: skip
        missing = known - set(data) - optional
        if missing:
            raise ValueError(f"the manifest lacks {', '.join(sorted(missing))}")
        data = {key: value for key, value in data.items() if key in known}
        data["weights_stat"] = tuple(data.get("weights_stat", (0, 0)))
        return cls(**data)


@dataclass(frozen=True)
class StoredIndex:
    """A loaded index with the manifest and directory it came from."""

    index: SentenceIndex
    manifest: Manifest
    path: Path

    @property
    def index_dir(self) -> Path:
        return self.path.parent.parent

    @property
    def encoder_dir(self) -> Path:
        """The shared ONNX encoder this index was built for (meaningful when it is "onnx")."""
        return encoder_store_dir(self.index_dir) / self.manifest.encoder_id


def current_build(index_dir: Path) -> Path:
    """The directory of the live build; IndexFormatError when there is none."""
    pointer = index_dir / CURRENT_FILE
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise IndexMissingError(
            f"no index in {index_dir} (build one with `quotebot index build`)"
        ) from None
    except OSError as error:
        raise IndexDamagedError(
            f"cannot read the index in {index_dir}: {error.strerror}"
        ) from None
    if not name or "/" in name or name.startswith("."):
        raise IndexDamagedError(f"the index pointer {pointer} is corrupted")
    return index_dir / BUILDS_DIR / name


def read_manifest(index_dir: Path) -> Manifest:
    """The live build's manifest, without loading vectors: cheap enough for every query."""
    path = current_build(index_dir) / MANIFEST_FILE
    try:
        return Manifest.from_json(path.read_text(encoding="utf-8"))
    except IndexFormatError:
        raise
    except FileNotFoundError:
        raise IndexDamagedError(f"the index in {index_dir} has no manifest") from None
    except (OSError, ValueError, TypeError) as error:
        raise IndexDamagedError(f"the index manifest {path} is corrupted: {error}") from None


def write_index(index: SentenceIndex, index_dir: Path, manifest: Manifest) -> Path:
    """Write a new build and make it live atomically; returns the build directory.

    Old builds are removed only after the new one is live. A failed or interrupted write
    removes its staging folder, and the folders it created when there was no index before.
    """
    builds = index_dir / BUILDS_DIR
    previous_speakers = load_live_speakers(index_dir)
    builds.mkdir(parents=True, exist_ok=True)
    try:
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=builds))
    except BaseException:
        remove_if_empty(index_dir)
        raise
    try:
        index.vectors.save(staging, VECTORS_FILE, ANN_FILE, NODES_FILE)
        save_tables(staging, index.documents, index.sentences, previous_speakers)
        index.lexical.save(staging / LEXICAL_FILE)
        index.lexical_window.save(staging / LEXICAL_WINDOW_FILE)
        save_traits(staging, index.traits or index_traits(index))
        written = [path for path in sorted(staging.rglob("*")) if path.is_file()]
        hashes = {str(path.relative_to(staging)): sha256_file(path) for path in written}
        stats = {str(path.relative_to(staging)): path.stat() for path in written}
        final_manifest = replace(
            manifest,
            files=hashes,
            sizes={name: stat.st_size for name, stat in stats.items()},
            mtimes={name: stat.st_mtime_ns for name, stat in stats.items()},
            ann={**manifest.ann, **index.vectors.describe()},
        )
        (staging / MANIFEST_FILE).write_text(final_manifest.to_json(), encoding="utf-8")
        name = f"{final_manifest.built_at.replace(':', '').replace('-', '')}-{staging.name[-8:]}"
        final = builds / name
        publish_dir(staging)  # not mkdtemp's 0700: replicas running as another user read it
        staging.rename(final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        remove_if_empty(index_dir)
        raise
    _replace_pointer(index_dir, final.name)
    _remove_old_builds(builds, keep=final.name)
    return final


def _replace_pointer(index_dir: Path, name: str) -> None:
    fd, temporary = tempfile.mkstemp(prefix=".CURRENT-", dir=index_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(name + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        publish_file(Path(temporary))  # not mkstemp's 0600
        Path(temporary).replace(index_dir / CURRENT_FILE)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(temporary).unlink()
        raise


STALE_STAGING_SECONDS = 24 * 3600


def remove_if_empty(index_dir: Path) -> None:
    """Remove an index folder (and its ``builds/``) that holds nothing: no empty leftovers."""
    for folder in (index_dir / BUILDS_DIR, index_dir):
        with contextlib.suppress(OSError):
            folder.rmdir()


def _remove_old_builds(builds: Path, keep: str) -> None:
    """Remove replaced builds, and staging folders that a killed build left a day ago.

    Younger staging folders may belong to a build still running in another process.
    """
    now = time.time()
    for entry in builds.iterdir():
        if entry.name == keep:
            continue
        if entry.name.startswith(STAGING_PREFIX):
            with contextlib.suppress(OSError):
                if now - entry.stat().st_mtime < STALE_STAGING_SECONDS:
                    continue
        shutil.rmtree(entry, ignore_errors=True)


def verify_index_files(index_dir: Path, *, hashes: bool = True) -> str | None:
    """Why the live build's files disagree with its manifest, or None when they agree.

    With ``hashes`` every file is hashed (what ``index info`` does); without, presence and
    size are checked, which is cheap enough for every query and catches truncation, and only a
    file whose modification time differs from the manifest's is hashed (copied or touched).
    """
    try:
        manifest = read_manifest(index_dir)
        build = current_build(index_dir)
    except IndexFormatError as error:
        return str(error)
    for relative, expected in manifest.files.items():
        path = build / relative
        try:
            stat = path.stat()
            size = stat.st_size
        except OSError:
            return f"the index in {index_dir} lacks {relative}"
        if relative in manifest.sizes and size != manifest.sizes[relative]:
            return (
                f"the index file {relative} in {index_dir} is corrupted "
                f"({size} bytes, {manifest.sizes[relative]} expected)"
            )
        changed = relative not in manifest.mtimes or stat.st_mtime_ns != manifest.mtimes[relative]
        if (hashes or changed) and sha256_file(path) != expected:
            return f"the index file {relative} in {index_dir} is corrupted (hash mismatch)"
    return None


def load_index(
    index_dir: Path, *, verify_hashes: bool = False, ef_search: int | None = None
) -> StoredIndex:
    """Load the live build, checking every file's size (and hash, when asked) first.

    ``ef_search`` overrides the HNSW search breadth recorded in the manifest (more recall,
    slower); it has no effect on an exact index.

    Raises IndexMissingError when there is no index, IndexDamagedError when it cannot be
    trusted, IndexFormatError when it has another format version: a message that says what is
    wrong, never a raw traceback.
    """
    manifest = read_manifest(index_dir)
    build = current_build(index_dir)
    problem = verify_index_files(index_dir, hashes=verify_hashes)
    if problem is not None:
        raise IndexDamagedError(problem)  # open_searcher rebuilds it: no advice to give
    settings = AnnSettings.from_dict(manifest.ann or {"kind": "exact"})
    if ef_search is not None:
        settings = replace(settings, ef_search=ef_search)
    try:
        vectors = VectorStore.load(build, VECTORS_FILE, ANN_FILE, NODES_FILE, settings)
        documents, sentences = load_tables(build)
        lexical = LexicalIndex.load(build / LEXICAL_FILE)
        lexical_window = LexicalIndex.load(build / LEXICAL_WINDOW_FILE)
        traits = load_traits(build, sentences.doc_of)
    except IndexFormatError:
        raise
    except (TableError, Exception) as error:  # faiss, numpy, json: assorted types
        raise IndexDamagedError(f"the index in {index_dir} is unreadable: {error}") from None
    problems = _disagreements(manifest, vectors, documents, sentences)
    if problems or not lexical.size == lexical_window.size == len(sentences):
        raise IndexDamagedError(f"the index in {index_dir} is inconsistent: {problems}")
    index = SentenceIndex(documents, sentences, vectors, lexical, lexical_window, traits)
    return StoredIndex(index, manifest, build)


def load_live_vectors(index_dir: Path, manifest: Manifest) -> VectorStore | None:
    """The live build's vector store (for a build to reuse its HNSW graph), or None when
    there is none or it cannot be trusted (a build then starts from nothing, as before).

    Files are checked as every ``ask`` checks them (sizes, and hashes of changed files).
    """
    try:
        build = current_build(index_dir)
        problem = verify_index_files(index_dir, hashes=False)
        if problem is not None:
            logger.info("not reusing the live index's vectors: %s", problem)
            return None
        settings = AnnSettings.from_dict(manifest.ann or {"kind": "exact"})
        return VectorStore.load(build, VECTORS_FILE, ANN_FILE, NODES_FILE, settings)
    except Exception as error:  # faiss, numpy, OS errors: a cache miss, not a failure
        logger.info("not reusing the live index's vectors: %s", error)
        return None


def load_live_speakers(index_dir: Path) -> StoredSpeakers | None:
    """The live build's speaker column (a build takes over its unchanged articles'), or None
    when there is none, it has another format or it cannot be trusted (then every article is
    read, as in a first build)."""
    try:
        manifest = read_manifest(index_dir)
        build = current_build(index_dir)
        problem = verify_index_files(index_dir, hashes=False)
        if problem is not None:
            logger.info("not reusing the live index's speakers: %s", problem)
            return None
        sentences = np.load(build / SENTENCES_FILE, mmap_mode="r", allow_pickle=False)
        return load_speakers(build, np.asarray(sentences[:, 0]), manifest.document_count)
    except Exception as error:  # missing, another format, numpy, OS errors: a cache miss
        logger.info("not reusing the live index's speakers: %s", error)
        return None


LAST_USE_RESOLUTION_SECONDS = 3600


def record_use(index_dir: Path, now: float | None = None) -> None:
    """Note that the index was used, for ``index list`` and ``index prune --unused-days``.

    The file's modification time is the record. It is touched at most once an hour, so a busy
    bot does not write to disk on every question; failures (a read-only folder) are ignored.
    """
    marker = index_dir / LAST_USED_FILE
    now = time.time() if now is None else now
    with contextlib.suppress(OSError):
        if now - marker.stat().st_mtime < LAST_USE_RESOLUTION_SECONDS:
            return
    with contextlib.suppress(OSError):
        marker.touch()
        os.utime(marker, (now, now))


def last_use(index_dir: Path) -> float | None:
    """When the index was last opened or built (seconds since the epoch), if known."""
    for candidate in (index_dir / LAST_USED_FILE, index_dir / CURRENT_FILE):
        with contextlib.suppress(OSError):
            return candidate.stat().st_mtime
    return None


def _disagreements(
    manifest: Manifest,
    vectors: VectorStore,
    documents: Sequence[Document],
    sentences: Sequence[Sentence],
) -> str:
    checks = [
        ("vectors", int(vectors.ntotal), manifest.sentence_count),
        ("dimension", int(vectors.d), manifest.dimension),
        ("sentences", len(sentences), manifest.sentence_count),
        ("documents", len(documents), manifest.document_count),
    ]
    return "; ".join(
        f"{name} {actual} != manifest {expected}"
        for name, actual, expected in checks
        if actual != expected
    )
