"""Where indexes live, and keeping the data directory tidy: verify, list and prune them.

The data directory holds one index per (corpus, model) and the shared query encoders::

    DATA/indexes/<corpus name>-<key>/    an index (see ``embeddings.index_store``)
    DATA/encoders/<weights sha256[:16]>/ an ONNX query encoder (see ``embeddings.encoder_store``)
    DATA/vectors/<weights sha256[:16]>-<dimension>.sqlite  the sentence vectors of a model, kept
                                         so the next build encodes only new sentences
    DATA/vectors/spans.sqlite            the sentence spans of each article (any model)

The key of the corpus shipped with quotebot is "bundled" whatever its path, so ``python -m bot``
run from the repository (corpus ``corpus/``) and the installed ``quotebot`` (corpus
``bot/default_corpus``) share one index; any other corpus is keyed by its resolved path.

Nothing here loads a model or vectors: listing reads manifests and hashes files, pruning
removes folders. Front ends (``quotebot index list``/``prune``/``info``) only render the
results.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import re
import shutil
import time
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from pathlib import Path

from embeddings.encoder_store import (
    ENCODERS_DIR,
    INDEXES_DIR,
    STAGING_PREFIX,
    TRASH_PREFIX,
    encoder_store_dir,
    verify_encoder,
)
from embeddings.errors import IndexFormatError, QuotebotError
from embeddings.index_store import (
    FORMAT_VERSION,
    MANIFEST_FILE,
    STALE_STAGING_SECONDS,
    IndexMissingError,
    current_build,
    last_use,
    read_manifest,
    verify_index_files,
)
from embeddings.stamps import utc_timestamp
from embeddings.vector_cache import SPANS_FILE, VECTORS_DIR

logger = logging.getLogger(__name__)

BUNDLED_KEY = "bundled"
# An encoder this young may belong to a build that has not made its index live yet.
ENCODER_GRACE_SECONDS = 3600
DAY_SECONDS = 24 * 3600

STATUS_OK = "ok"
STATUS_STALE = "stale"
STATUS_DAMAGED = "damaged"
STATUS_CORPUS_MISSING = "corpus missing"
STATUS_EMPTY = "no index"  # a folder without a live build: left by a failed build


def bundled_corpus_dirs() -> tuple[Path, ...]:
    """Where the corpus shipped with quotebot can be: installed, or in the repository.

    Installed, it travels inside the ``bot`` package (``bot/default_corpus``, next to this
    package in site-packages); in a checkout it is the repository's ``corpus/`` folder.
    """
    root = Path(__file__).resolve().parent.parent
    return (root / "bot" / "default_corpus", root / "corpus")


def is_bundled_corpus(corpus_dir: Path) -> bool:
    """Whether ``corpus_dir`` is the corpus shipped with quotebot, wherever it is installed."""
    resolved = corpus_dir.expanduser().resolve()
    return any(resolved == candidate for candidate in bundled_corpus_dirs())


def default_index_dir(data_dir: Path, corpus_dir: Path, model: str) -> Path:
    """One index per (corpus, model), so switching corpora never rebuilds the other's index.

    This is the only place that knows the rule. The bundled corpus is keyed "bundled", so a
    checkout and an installed quotebot share its index; other corpora by resolved path.
    """
    if is_bundled_corpus(corpus_dir):
        corpus_key, name = BUNDLED_KEY, BUNDLED_KEY
    else:
        resolved = corpus_dir.expanduser().resolve()
        corpus_key = str(resolved)
        name = re.sub(r"[^A-Za-z0-9]+", "-", resolved.name).strip("-") or "corpus"
    key = hashlib.sha256(f"{corpus_key}\0{model}".encode()).hexdigest()[:12]
    return data_dir / INDEXES_DIR / f"{name}-{key}"


def verify_index(
    index_dir: Path, encoders_checked: dict[Path, str | None] | None = None
) -> str | None:
    """Why the index in ``index_dir`` cannot be trusted, or None when every hash checks out.

    Hashes every file of the live build and, for an ONNX query encoder, the shared encoder it
    names. Slower than opening the index (which checks sizes only): for ``index info``/``list``.
    ``encoders_checked`` remembers encoders already hashed, so that listing many indexes that
    share one encoder hashes its 90 MB once.
    """
    problem = verify_index_files(index_dir, hashes=True)
    if problem is not None:
        return problem
    manifest = read_manifest(index_dir)
    if manifest.query_encoder == "onnx":
        encoder = encoder_store_dir(index_dir) / manifest.encoder_id
        if not manifest.encoder_id:
            return "the manifest names no query encoder"
        if encoders_checked is None:
            return verify_encoder(encoder)
        if encoder not in encoders_checked:
            encoders_checked[encoder] = verify_encoder(encoder)
        return encoders_checked[encoder]
    return None


@dataclass(frozen=True)
class IndexSummary:
    """One index as ``quotebot index list`` shows it."""

    path: Path
    status: str  # ok, stale, damaged, corpus missing, no index
    detail: str  # why, when the status is not ok
    corpus_dir: str
    model: str
    size_bytes: int
    sentence_count: int | None  # None: unknown (no readable manifest)
    last_used: float | None  # seconds since the epoch
    encoder_id: str
    format_version: int | None
    model_key: str = ""  # the weights' sha256[:16], which names the model's vector cache

    def to_json(self) -> dict[str, object]:
        return {
            "index": str(self.path),
            "status": self.status,
            "detail": self.detail,
            "corpus": self.corpus_dir,
            "model": self.model,
            "size_bytes": self.size_bytes,
            "sentences": self.sentence_count,
            "last_used": _iso(self.last_used),
            "encoder": self.encoder_id,
            "format": self.format_version,
        }


@dataclass(frozen=True)
class EncoderSummary:
    """One shared query encoder, with the indexes that use it."""

    path: Path
    size_bytes: int
    used_by: tuple[Path, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "encoder": str(self.path),
            "size_bytes": self.size_bytes,
            "used_by": [str(path) for path in self.used_by],
        }


@dataclass(frozen=True)
class CacheSummary:
    """One file of the vector cache (``DATA/vectors``), with the indexes whose model it holds.

    ``shared`` marks the span cache, which every model uses and prune never removes.
    """

    path: Path
    size_bytes: int  # with SQLite's -wal and -shm files
    used_by: tuple[Path, ...]
    shared: bool = False

    def to_json(self) -> dict[str, object]:
        return {
            "cache": str(self.path),
            "size_bytes": self.size_bytes,
            "used_by": None if self.shared else [str(path) for path in self.used_by],
        }


@dataclass(frozen=True)
class PruneResult:
    """What ``prune_indexes`` removed (or, in a dry run, would remove), and why; and what it
    kept that looked removable, and why (``kept``: path and reason)."""

    indexes: tuple[tuple[IndexSummary, str], ...] = ()
    encoders: tuple[EncoderSummary, ...] = ()
    kept_current: tuple[Path, ...] = field(default=())
    caches: tuple[CacheSummary, ...] = ()
    kept: tuple[tuple[Path, str], ...] = ()

    @property
    def freed_bytes(self) -> int:
        return (
            sum(s.size_bytes for s, _ in self.indexes)
            + sum(e.size_bytes for e in self.encoders)
            + sum(c.size_bytes for c in self.caches)
        )


def _iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return utc_timestamp(timestamp)


def folder_size(path: Path) -> int:
    """Bytes of every file under ``path`` (what removing it frees)."""
    total = 0
    for entry in path.rglob("*"):
        with contextlib.suppress(OSError):
            if entry.is_file() and not entry.is_symlink():
                total += entry.stat().st_size
    return total


def _raw_manifest(index_dir: Path) -> dict[str, object]:
    """The live manifest as JSON, whatever its format version (for listing old indexes)."""
    path = current_build(index_dir) / MANIFEST_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise IndexFormatError(f"the index manifest {path} is unreadable: {error}") from None
    if not isinstance(data, dict):
        raise IndexFormatError(f"the index manifest {path} is not a JSON object")
    return data


def describe_index(
    index_dir: Path,
    *,
    verify: bool = True,
    encoders_checked: dict[Path, str | None] | None = None,
) -> IndexSummary:
    """Status, corpus, model, size and last use of one index folder.

    ``verify`` hashes every file (and the shared encoder) to tell "damaged"; without it only
    sizes are checked. "stale" means that the corpus or model changed since the build, or that
    an older quotebot built it: ``quotebot ask`` would rebuild it.
    """
    size = folder_size(index_dir)
    used = last_use(index_dir)
    try:
        raw = _raw_manifest(index_dir)
    except IndexMissingError:
        detail = "a folder without a live build (left by a failed or interrupted build)"
        return IndexSummary(index_dir, STATUS_EMPTY, detail, "", "", size, None, used, "", None)
    except IndexFormatError as error:
        return IndexSummary(
            index_dir, STATUS_DAMAGED, str(error), "", "", size, None, used, "", None
        )
    version = raw.get("format_version")
    corpus = str(raw.get("corpus_dir", ""))
    model = str(raw.get("model_name", ""))
    sentences = raw.get("sentence_count")
    summary = IndexSummary(
        path=index_dir,
        status=STATUS_OK,
        detail="",
        corpus_dir=corpus,
        model=model,
        size_bytes=size,
        sentence_count=sentences if isinstance(sentences, int) else None,
        last_used=used,
        encoder_id=str(raw.get("encoder_id", "")),
        format_version=version if isinstance(version, int) else None,
        model_key=str(raw.get("weights_sha256", ""))[:16],
    )
    status, detail = _status(index_dir, summary, verify, encoders_checked)
    return replace(summary, status=status, detail=detail)


def _status(
    index_dir: Path,
    summary: IndexSummary,
    verify: bool,
    encoders_checked: dict[Path, str | None] | None,
) -> tuple[str, str]:
    if not corpus_exists(summary.corpus_dir):
        return STATUS_CORPUS_MISSING, f"the corpus {summary.corpus_dir} is gone"
    if summary.format_version != FORMAT_VERSION:
        return STATUS_STALE, f"built by another quotebot (index format {summary.format_version})"
    if verify:
        problem = verify_index(index_dir, encoders_checked)
    else:
        problem = verify_index_files(index_dir, hashes=False)
    if problem is not None:
        return STATUS_DAMAGED, problem
    from embeddings.service import staleness  # the service imports this module

    try:
        reason = staleness(read_manifest(index_dir), Path(summary.corpus_dir), summary.model)
    except QuotebotError as error:
        return STATUS_STALE, f"cannot compare: {error}"
    if reason is not None:
        return STATUS_STALE, reason
    return STATUS_OK, ""


def corpus_exists(corpus_dir: str) -> bool:
    return bool(corpus_dir) and Path(corpus_dir).is_dir()


def index_dirs(data_dir: Path) -> list[Path]:
    """The index folders of a data directory (hidden folders are work in progress)."""
    root = data_dir / INDEXES_DIR
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def list_indexes(data_dir: Path, *, verify: bool = True) -> list[IndexSummary]:
    """Every index of the data directory, most recently used first."""
    checked: dict[Path, str | None] = {}
    summaries = [
        describe_index(path, verify=verify, encoders_checked=checked)
        for path in index_dirs(data_dir)
    ]
    return sorted(summaries, key=lambda s: (-(s.last_used or 0.0), str(s.path)))


def list_encoders(data_dir: Path, indexes: Collection[IndexSummary]) -> list[EncoderSummary]:
    """The shared query encoders of the data directory, with the indexes that name them."""
    store = data_dir / ENCODERS_DIR
    if not store.is_dir():
        return []
    result = []
    for folder in sorted(p for p in store.iterdir() if p.is_dir() and not p.name.startswith(".")):
        users = tuple(s.path for s in indexes if s.encoder_id == folder.name)
        result.append(EncoderSummary(folder, folder_size(folder), users))
    return result


def _cache_files(folder: Path, name: str) -> list[Path]:
    """A SQLite file and the -wal/-shm files beside it."""
    return [
        p for p in (folder / name, folder / f"{name}-wal", folder / f"{name}-shm") if p.exists()
    ]


def list_vector_caches(data_dir: Path, indexes: Collection[IndexSummary]) -> list[CacheSummary]:
    """The vector cache files of the data directory, with the indexes whose model each holds."""
    folder = data_dir / VECTORS_DIR
    if not folder.is_dir():
        return []
    result = []
    for path in sorted(folder.glob("*.sqlite")):
        size = 0
        for part in _cache_files(folder, path.name):
            with contextlib.suppress(OSError):
                size += part.stat().st_size
        if path.name == SPANS_FILE:
            result.append(CacheSummary(path, size, (), shared=True))
            continue
        key = path.stem.split("-", 1)[0]
        users = tuple(s.path for s in indexes if s.model_key and s.model_key == key)
        result.append(CacheSummary(path, size, users))
    return result


def _hours(seconds: float) -> str:
    return "a day" if seconds >= DAY_SECONDS else "an hour"


def _prune_reason(
    summary: IndexSummary, unused_days: float | None, now: float, kept: list[tuple[Path, str]]
) -> str | None:
    if summary.status == STATUS_CORPUS_MISSING:
        return summary.detail
    if summary.status == STATUS_EMPTY:
        newest = max(
            (p.stat().st_mtime for p in [summary.path, *summary.path.rglob("*")]),
            default=now,
        )
        if now - newest > STALE_STAGING_SECONDS:
            return "no index in it (left by a failed build)"
        kept.append(
            (
                summary.path,
                f"no index in it, but changed less than {_hours(STALE_STAGING_SECONDS)} ago "
                "(a build may be writing it)",
            )
        )
        return None
    if unused_days is not None:
        used = summary.last_used if summary.last_used is not None else 0.0
        if now - used > unused_days * DAY_SECONDS:
            return f"unused for more than {unused_days:g} days"
    return None


def prune_indexes(
    data_dir: Path,
    *,
    keep: Collection[Path] = (),
    unused_days: float | None = None,
    dry_run: bool = False,
    now: float | None = None,
) -> PruneResult:
    """Remove indexes whose corpus is gone or that were unused for ``unused_days`` days.

    Folders in ``keep`` (the index of the current corpus) are never removed. Shared encoders
    that no remaining index names are removed too, unless younger than an hour (a build may
    be about to name one). ``dry_run`` removes nothing and reports what would go.
    """
    now = time.time() if now is None else now
    kept = {path.resolve() for path in keep}
    removed: list[tuple[IndexSummary, str]] = []
    remaining: list[IndexSummary] = []
    spared: list[Path] = []
    kept_young: list[tuple[Path, str]] = []
    for summary in list_indexes(data_dir, verify=False):
        reason = _prune_reason(summary, unused_days, now, kept_young)
        if reason is not None and summary.path.resolve() in kept:
            spared.append(summary.path)
            reason = None
        if reason is None:
            remaining.append(summary)
            continue
        removed.append((summary, reason))
        if not dry_run:
            logger.info("removing the index %s: %s", summary.path, reason)
            shutil.rmtree(summary.path, ignore_errors=True)
    young_reason = (
        f"no index uses it, but it changed less than {_hours(ENCODER_GRACE_SECONDS)} ago "
        "(a build may be about to use it)"
    )
    encoders = []
    for encoder in list_encoders(data_dir, remaining):
        if encoder.used_by:
            continue
        if now - encoder.path.stat().st_mtime < ENCODER_GRACE_SECONDS:
            kept_young.append((encoder.path, young_reason))
            continue
        encoders.append(encoder)
        if not dry_run:
            logger.info("removing the unused query encoder %s", encoder.path)
            shutil.rmtree(encoder.path, ignore_errors=True)
    caches = []
    for cache in list_vector_caches(data_dir, remaining):
        if cache.shared or cache.used_by:
            continue
        if now - cache.path.stat().st_mtime < ENCODER_GRACE_SECONDS:
            kept_young.append((cache.path, young_reason))
            continue
        caches.append(cache)
        if not dry_run:
            logger.info("removing the vector cache of an unused model %s", cache.path)
            for part in _cache_files(cache.path.parent, cache.path.name):
                with contextlib.suppress(OSError):
                    part.unlink()
    if not dry_run:
        _remove_stale_staging(data_dir / ENCODERS_DIR, now)
    return PruneResult(
        tuple(removed), tuple(encoders), tuple(spared), tuple(caches), tuple(kept_young)
    )


def _remove_stale_staging(store: Path, now: float) -> None:
    """Staging folders of exports killed more than a day ago (SIGKILL cannot clean up)."""
    if not store.is_dir():
        return
    for entry in store.iterdir():
        if entry.name.startswith((STAGING_PREFIX, TRASH_PREFIX)):
            with contextlib.suppress(OSError):
                if now - entry.stat().st_mtime > STALE_STAGING_SECONDS:
                    shutil.rmtree(entry, ignore_errors=True)
