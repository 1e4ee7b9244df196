"""A question's few vector rows read from ``vectors.npy`` with ``pread``, not through a mapping.

Re-scoring reads a hundred or two rows of 1.5 KB per question from a matrix of 1.5 GB (a
million sentences). Through a memory mapping every touched row stays mapped into the process,
and the kernel maps 64 KB around each (fault-around; ``MADV_RANDOM`` does not stop it on the
kernels we run: 58 KB resident per random row read, measured): a bot replica at a million
sentences held 785 MiB of the matrix after 266 questions, and more as questions came. ``pread``
copies just the rows into a small array and leaves the file to the page cache, which the kernel
shares and reclaims, so the serving process's resident memory stays flat.

The page cache is not always there: a machine may reclaim file pages that no process maps
(this one does after ~30 s), and then every row is a disk read. Read one after the other, a
hundred rows were a hundred round trips to the disk (8.9 ms CPU and 18 ms wall per question at
a million sentences, measured); so the rows in the page cache are read first without waiting
(``RWF_NOWAIT``), every other row is asked for with ``POSIX_FADV_WILLNEED``, which queues the
reads without waiting, and the ``pread`` calls then wait for all of them at once.

The bytes are the file's, so the rows (and the cosines computed from them) are bit for bit
the mapped ones. Safe to share between threads: ``pread`` takes its offset per call.
"""

from __future__ import annotations

import contextlib
import errno
import os
import threading
from pathlib import Path

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float32]
_ADVISE = getattr(os, "posix_fadvise", None)  # not on every platform
_WILLNEED = getattr(os, "POSIX_FADV_WILLNEED", 3)
_NOWAIT = getattr(os, "RWF_NOWAIT", 0)  # a read that fails rather than wait for the disk


class RowFile:
    """Rows of a C-ordered float32 ``(rows, dimension)`` matrix stored at ``offset`` in a file.

    ``reader[ids]`` is ``matrix[ids]`` for an integer array (or sequence) of row numbers.
    """

    def __init__(self, path: Path, offset: int, shape: tuple[int, int]) -> None:
        self.path = path
        self.offset = offset
        self.shape = shape
        self.dtype = np.dtype(np.float32)
        self.ndim = 2
        self._row_bytes = shape[1] * self.dtype.itemsize
        self._fd: int | None = None
        self._lock = threading.Lock()

    @classmethod
    def of(cls, mapped: np.memmap) -> RowFile | None:
        """The reader over the file behind a memory-mapped matrix (None when it has none)."""
        filename = getattr(mapped, "filename", None)
        if filename is None or mapped.ndim != 2 or mapped.dtype != np.float32:
            return None
        if not mapped.flags.c_contiguous:
            return None
        shape = (int(mapped.shape[0]), int(mapped.shape[1]))
        return cls(Path(filename), int(mapped.offset), shape)

    def __len__(self) -> int:
        return self.shape[0]

    def _descriptor(self) -> int:
        if self._fd is None:
            with self._lock:
                if self._fd is None:
                    self._fd = os.open(self.path, os.O_RDONLY)
        return self._fd

    def __getitem__(self, ids: npt.ArrayLike) -> Matrix:
        numbers = np.asarray(ids, dtype=np.int64).reshape(-1)
        if len(numbers) and (numbers.min() < -self.shape[0] or numbers.max() >= self.shape[0]):
            raise IndexError(f"row out of range for {self.shape[0]} rows")
        numbers = np.where(numbers < 0, numbers + self.shape[0], numbers)
        out = np.empty((len(numbers), self.shape[1]), dtype=np.float32)
        if not out.size:
            return out
        view = memoryview(out.reshape(-1).view(np.uint8))  # type: ignore[arg-type]
        fd = self._descriptor()
        size = self._row_bytes
        rows = numbers.tolist()
        waiting = self._read_cached(fd, view, rows) if len(rows) > 1 else list(range(len(rows)))
        if len(waiting) > 1 and _ADVISE is not None:
            for n in waiting:  # queue every missing row's read before waiting for the first
                _ADVISE(fd, self.offset + rows[n] * size, size, _WILLNEED)
        for n in waiting:
            got = os.preadv(fd, [view[n * size : (n + 1) * size]], self.offset + rows[n] * size)
            if got != size:
                raise OSError(f"short read of row {rows[n]} from {self.path}")
        return out

    def _read_cached(self, fd: int, view: memoryview, rows: list[int]) -> list[int]:
        """Read the rows already in the page cache (``RWF_NOWAIT``: never waits for the
        disk); the positions in ``rows`` of those that were not (or all, where the flag is
        not supported)."""
        global _NOWAIT
        if not _NOWAIT:
            return list(range(len(rows)))
        size = self._row_bytes
        waiting = []
        for n, row in enumerate(rows):
            try:
                got = os.preadv(
                    fd, [view[n * size : (n + 1) * size]], self.offset + row * size, _NOWAIT
                )
            except BlockingIOError:
                got = -1
            except OSError as error:
                if error.errno not in (errno.EOPNOTSUPP, errno.EINVAL):
                    raise
                _NOWAIT = 0  # this file system or kernel cannot: read every row the plain way
                return list(range(len(rows)))
            if got != size:  # not cached, or only part of it: read again, waiting
                waiting.append(n)
        return waiting

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None

    def __del__(self) -> None:
        fd = getattr(self, "_fd", None)
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)
