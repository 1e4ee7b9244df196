"""Keep a loaded index's memory-mapped files resident in a serving process.

A loaded index maps its tables (BM25 postings, article texts, traits, the HNSW graph) and the
kernel reads a page the first time a question touches it. At a million sentences a new
question touched hundreds of pages that were not resident: page faults were most of its CPU
time (benchmarks/README.md), and on machines that reclaim page cache nobody maps (this one
runs DAMON's reclaim of unmapped file pages after ~30 s) each of them was a disk read. A bot
replica answers many questions, so it pays once, at start, in a background thread: every
file of the build is read sequentially into the page cache and then mapped into the process
(``MADV_POPULATE_READ``), after which a question faults on none of it. A one-shot ``quotebot
ask`` never calls this: it would read a gigabyte to answer one question.

The vector matrix is left out when it is read with ``pread`` (embeddings/vector_rows.py): it is
the largest file (1.5 GB at a million sentences) and keeping it resident would double the
process's memory.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import logging
import os
import threading
import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

logger = logging.getLogger(__name__)

MADV_POPULATE_READ = 22  # Linux 5.14+: fault the range in (read) without touching it
READ_CHUNK = 4 << 20  # bytes read at a time while warming the page cache
_MAPS = Path("/proc/self/maps")


@dataclass(frozen=True)
class Region:
    """One mapping of a file into this process: [start, end) of its address space."""

    start: int
    end: int
    path: Path

    @property
    def size(self) -> int:
        return self.end - self.start


def mapped_regions(directory: Path, skip: Collection[Path] = ()) -> list[Region]:
    """The mappings of files under ``directory`` (none of ``skip``), from /proc/self/maps."""
    root = os.path.realpath(directory)
    skipped = {os.path.realpath(path) for path in skip}
    regions = []
    try:
        lines = _MAPS.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    for line in lines:
        parts = line.split(maxsplit=5)
        if len(parts) < 6 or not parts[5].startswith("/"):
            continue
        path = parts[5]
        if path.endswith(" (deleted)") or path in skipped:
            continue
        if not path.startswith(root + os.sep):
            continue
        start, end = (int(value, 16) for value in parts[0].split("-"))
        regions.append(Region(start, end, Path(path)))
    return regions


@dataclass
class Warming:
    """A background warm-up of an index's mapped files: wait for it, or read what it did."""

    regions: list[Region]
    done: threading.Event = field(default_factory=threading.Event)
    resident_bytes: int = 0  # bytes mapped in (MADV_POPULATE_READ succeeded)
    seconds: float = 0.0
    populated: bool = True  # False where the kernel lacks MADV_POPULATE_READ

    def wait(self, timeout: float | None = None) -> bool:
        """True once the warm-up finished (or failed: it is only ever an optimisation)."""
        return self.done.wait(timeout)


def keep_resident(directory: Path, skip: Collection[Path] = ()) -> Warming:
    """Start reading the mapped files under ``directory`` (but ``skip``) into memory.

    Returns at once; a daemon thread does the work (ctypes and file reads release the GIL,
    so questions are answered meanwhile, a little slower). Failures are logged, never raised.
    """
    warming = Warming(mapped_regions(directory, skip))
    thread = threading.Thread(target=_warm, args=(warming,), name="quotebot-warm", daemon=True)
    thread.start()
    return warming


def _warm(warming: Warming) -> None:
    started = time.perf_counter()
    try:
        madvise = _madvise()
        for path, regions in _by_file(warming.regions):
            _read_file(path)
            for region in regions:
                if madvise is None or not warming.populated:
                    continue
                if madvise(region.start, region.size, MADV_POPULATE_READ) == 0:
                    warming.resident_bytes += region.size
                else:
                    code = ctypes.get_errno()
                    if code in (errno.EINVAL, errno.ENOSYS):  # an older kernel
                        warming.populated = False
                        logger.info("MADV_POPULATE_READ unsupported: index files cached only")
                    else:
                        logger.info("could not populate %s: %s", path, os.strerror(code))
    except Exception:  # an optimisation: a failure must never stop the bot
        logger.warning("warming the index failed", exc_info=True)
    finally:
        warming.seconds = time.perf_counter() - started
        logger.info(
            "index warm: %d MiB resident of %d MiB mapped in %.1f s",
            warming.resident_bytes >> 20,
            sum(region.size for region in warming.regions) >> 20,
            warming.seconds,
        )
        warming.done.set()


def _by_file(regions: list[Region]) -> Iterator[tuple[Path, list[Region]]]:
    by_path: dict[Path, list[Region]] = {}
    for region in regions:
        by_path.setdefault(region.path, []).append(region)
    # Small files first: they are what every question reads (postings offsets, sentences).
    yield from sorted(by_path.items(), key=lambda item: sum(r.size for r in item[1]))


def _read_file(path: Path) -> None:
    """Read ``path`` sequentially into the page cache: readahead makes this fast, whereas
    faulting a mapping in that FAISS advised MADV_RANDOM reads it page by page (62 MiB of
    HNSW took 30 s that way, measured)."""
    buffer = bytearray(READ_CHUNK)
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            with contextlib.suppress(OSError, AttributeError):
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_SEQUENTIAL)
            while os.readv(fd, [buffer]) > 0:
                pass
        finally:
            os.close(fd)


def _madvise() -> Callable[[int, int, int], int] | None:
    """libc's madvise, called through ctypes (which releases the GIL during the call)."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name, use_errno=True)
    except OSError:
        return None
    function = libc.madvise
    function.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    function.restype = ctypes.c_int
    return cast("Callable[[int, int, int], int]", function)
