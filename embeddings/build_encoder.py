"""Which encoder a build uses for the sentences it must encode: measured, never assumed.

A build has two encoders of the same weights: torch (sentence-transformers) and the exported
ONNX model that serves queries. Which is faster on batches depends on the machine (CPU
features, threads, versions), so a build that has many sentences to encode first encodes a
sample of them with both, keeps the faster one, and only if the ONNX vectors agree with
torch's (cosine above ``MIN_COSINE`` for every sample sentence). The measurement is logged and
recorded in the manifest. A build with only a few new sentences (one added article) uses the
ONNX encoder when one is stored and verified: loading torch alone would cost more seconds than
encoding them, and that encoder was checked against torch when it was exported.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from embeddings.encoder import Vectors
from embeddings.model import ModelSpec, SentenceTransformerEncoder

logger = logging.getLogger(__name__)

MIN_COSINE = 0.9999
CALIBRATE_FROM = 512  # fewer new sentences than this: no calibration (see the module doc)
SAMPLE_SIZE = 128
ONNX_BATCH = 32

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Calibration:
    """What a build measured, and what it chose: goes into the log and the manifest."""

    chosen: str  # "torch" or "onnx"
    reason: str
    sample: int = 0
    torch_seconds: float = 0.0
    onnx_seconds: float = 0.0
    min_cosine: float = 0.0

    def describe(self) -> str:
        if not self.sample:
            return f"{self.chosen} ({self.reason})"
        ratio = self.torch_seconds / self.onnx_seconds if self.onnx_seconds else 0.0
        return (
            f"{self.chosen} ({self.reason}; {self.sample} sentences: torch "
            f"{self.torch_seconds:.2f} s, onnx {self.onnx_seconds:.2f} s, torch/onnx "
            f"{ratio:.2f}, min cosine {self.min_cosine:.6f})"
        )


class BatchedOnnxEncoder:
    """The ONNX encoder over many texts: batches of similar length, progress per batch."""

    def __init__(self, directory: Path, batch_size: int = ONNX_BATCH) -> None:
        from embeddings.onnx_encoder import OnnxEncoder

        self._encoder = OnnxEncoder(directory)
        self.batch_size = batch_size

    @property
    def dimension(self) -> int:
        return self._encoder.dimension

    def encode(self, texts: Sequence[str], progress: Progress | None = None) -> Vectors:
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        result = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            chosen = order[start : start + self.batch_size]
            result[chosen] = self._encoder.encode([texts[i] for i in chosen])
            if progress is not None:
                progress(len(chosen))
        return result


class BuildEncoders:
    """The encoders of one build, loaded only when needed (torch costs seconds to load)."""

    def __init__(self, spec: ModelSpec, onnx_dir: Callable[[], Path | None]) -> None:
        self.spec = spec
        self._onnx_dir = onnx_dir
        self._torch: SentenceTransformerEncoder | None = None
        self._onnx: BatchedOnnxEncoder | None = None
        self._onnx_checked = False
        self.calibration: Calibration | None = None
        self._chosen: SentenceTransformerEncoder | BatchedOnnxEncoder | None = None

    @property
    def torch(self) -> SentenceTransformerEncoder:
        if self._torch is None:
            self._torch = SentenceTransformerEncoder(self.spec)
        return self._torch

    @property
    def loaded_torch(self) -> SentenceTransformerEncoder | None:
        return self._torch

    def onnx(self) -> BatchedOnnxEncoder | None:
        """The stored, verified ONNX encoder of these weights, or None."""
        if not self._onnx_checked:
            self._onnx_checked = True
            directory = self._onnx_dir()
            if directory is not None:
                try:
                    self._onnx = BatchedOnnxEncoder(directory)
                except Exception as error:  # an unreadable encoder: torch will do
                    logger.warning("the ONNX encoder cannot encode this build: %s", error)
        return self._onnx

    @property
    def dimension(self) -> int:
        onnx = self.onnx()
        return onnx.dimension if onnx is not None else self.torch.dimension

    def choose(self, texts: Sequence[str]) -> Calibration:
        """Pick the encoder for these texts (the ones a build must encode)."""
        onnx = self.onnx()
        if onnx is None:
            calibration = Calibration("torch", "no ONNX encoder stored yet")
        elif len(texts) < CALIBRATE_FROM:
            calibration = Calibration(
                "onnx", f"{len(texts)} sentences to encode: fewer than {CALIBRATE_FROM}"
            )
        else:
            calibration = calibrate(self.torch, onnx, sample_of(texts, SAMPLE_SIZE))
        self._chosen = onnx if calibration.chosen == "onnx" else self.torch
        self.calibration = calibration
        logger.info("build encoder: %s", calibration.describe())
        return calibration

    def encode(self, texts: Sequence[str], progress: Progress | None = None) -> Vectors:
        if self._chosen is None:
            self.choose(texts)
        assert self._chosen is not None
        return self._chosen.encode(texts, progress=progress)


def sample_of(texts: Sequence[str], size: int) -> list[str]:
    """Up to ``size`` texts spread evenly over ``texts`` (short and long ones alike)."""
    if len(texts) <= size:
        return list(texts)
    step = len(texts) / size
    return [texts[int(n * step)] for n in range(size)]


def calibrate(
    torch_encoder: SentenceTransformerEncoder, onnx: BatchedOnnxEncoder, sample: Sequence[str]
) -> Calibration:
    """Time both encoders on the same sample (after one warm-up batch each) and compare."""
    warm = list(sample[:8])
    torch_encoder.encode(warm)
    onnx.encode(warm)
    started = time.perf_counter()
    reference = torch_encoder.encode(sample)
    torch_seconds = time.perf_counter() - started
    started = time.perf_counter()
    exported = onnx.encode(sample)
    onnx_seconds = time.perf_counter() - started
    min_cosine = float(np.min(np.sum(reference * exported, axis=1)))

    def choice(chosen: str, reason: str) -> Calibration:
        return Calibration(chosen, reason, len(sample), torch_seconds, onnx_seconds, min_cosine)

    if min_cosine <= MIN_COSINE:
        return choice("torch", "the ONNX vectors disagree with torch")
    if onnx_seconds < torch_seconds:
        return choice("onnx", "faster here")
    return choice("torch", "faster here")
