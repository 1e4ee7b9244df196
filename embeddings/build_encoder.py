"""Which encoder a build uses for the sentences it must encode: measured, never assumed.

A build has two encoders of the same weights: torch (sentence-transformers) and the exported
ONNX model that serves queries. Which is faster on batches depends on the machine (CPU
features, threads, versions), so a build that has many sentences to encode first encodes a
sample of them with both, keeps the faster one, and only if the ONNX vectors agree with
torch's (cosine above ``MIN_COSINE`` for every sample sentence). The measurement is logged and
recorded in the manifest. A build with only a few new sentences (one added article) uses the
ONNX encoder when one is stored and verified: loading torch alone would cost more seconds than
encoding them, and that encoder was checked against torch when it was exported.

The measurement is made once per machine, not once per build: its result is kept beside the
encoder (``build-calibration.json``, see ``embeddings.encoder_store``) under a key made of the
CPU (model, flags, count) and the versions of Python, onnxruntime, torch, transformers and
sentence-transformers. A later build on the same machine with the same versions takes the
recorded choice; when that is ONNX it never imports torch or sentence-transformers, which alone
cost several seconds. A new CPU or an upgraded library measures again.
"""

from __future__ import annotations

import hashlib
import logging
import os
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, fields
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from embeddings.encoder import Vectors
from embeddings.encoder_store import read_calibrations, record_calibration
from embeddings.model import ModelSpec, SentenceTransformerEncoder
from embeddings.stamps import utc_timestamp

logger = logging.getLogger(__name__)

MIN_COSINE = 0.9999
CALIBRATE_FROM = 512  # fewer new sentences than this: no calibration (see the module doc)
SAMPLE_SIZE = 128
# Batches of 32, 64 and 128 length-sorted sentences were within the noise of one another on
# our 2-core machines (benchmarks/README.md); 64 matches the torch encoder.
ONNX_BATCH = 64
PRECISION = "fp32"  # int8 was measured and not adopted: see benchmarks/README.md
MACHINE_PACKAGES = ("onnxruntime", "torch", "transformers", "sentence-transformers")

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Calibration:
    """What a build measured (or found measured), and what it chose: log and manifest."""

    chosen: str  # "torch" or "onnx"
    reason: str
    sample: int = 0
    torch_seconds: float = 0.0
    onnx_seconds: float = 0.0
    min_cosine: float = 0.0
    cached: bool = False  # taken from an earlier build's measurement on this machine
    machine: str = ""
    onnx_batch: int = ONNX_BATCH
    precision: str = PRECISION

    def describe(self) -> str:
        if not self.sample:
            return f"{self.chosen} ({self.reason})"
        ratio = self.torch_seconds / self.onnx_seconds if self.onnx_seconds else 0.0
        return (
            f"{self.chosen} ({self.reason}; {self.sample} sentences: torch "
            f"{self.torch_seconds:.2f} s, onnx {self.onnx_seconds:.2f} s, torch/onnx "
            f"{ratio:.2f}, min cosine {self.min_cosine:.6f})"
        )

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Calibration | None:
        """A recorded measurement, or None when it is not one (an older or damaged file)."""
        known = {field.name for field in fields(cls)}
        try:
            calibration = cls(**{k: v for k, v in record.items() if k in known})
        except TypeError:
            return None
        if calibration.chosen not in ("torch", "onnx") or not calibration.sample:
            return None
        return calibration


def machine_key() -> tuple[str, str]:
    """A short key for this machine and software, and the description it was made from.

    Only what decides which encoder is faster: the CPU (model, instruction-set flags, how many
    cores this process may use) and the versions of the libraries that run the two encoders.
    Versions are read from the installed metadata, so torch is not imported to ask.
    """
    cpu_model, flags = "", ""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            name, _, value = line.partition(":")
            if name.strip() == "model name" and not cpu_model:
                cpu_model = value.strip()
            elif name.strip() in ("flags", "Features") and not flags:
                flags = " ".join(sorted(value.split()))
    except OSError:  # not Linux: the processor string is what there is
        cpu_model = platform.processor()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    versions = []
    for package in MACHINE_PACKAGES:
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package} none")
    description = (
        f"{cpu_model or platform.machine()}, {cores} cores, Python "
        f"{platform.python_version()}, {', '.join(versions)}"
    )
    digest = hashlib.sha256(f"{description}\n{flags}".encode()).hexdigest()[:16]
    return digest, description


class BatchedOnnxEncoder:
    """The ONNX encoder over many texts: batches of similar length, progress per batch."""

    def __init__(self, directory: Path, batch_size: int = ONNX_BATCH) -> None:
        from embeddings.onnx_encoder import OnnxEncoder

        # Idle threads keep spinning (onnxruntime's default): with them asleep, a build on a
        # loaded machine got about half the CPU share of txtai's spinning torch threads
        # (benchmarks/README.md, "Build throughput against txtai").
        self._encoder = OnnxEncoder(directory)
        self.batch_size = batch_size
        self.directory = directory

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
            calibration = self._measured(onnx, texts)
        self._chosen = onnx if calibration.chosen == "onnx" else self.torch
        self.calibration = calibration
        logger.info("build encoder: %s", calibration.describe())
        return calibration

    def _measured(self, onnx: BatchedOnnxEncoder, texts: Sequence[str]) -> Calibration:
        """This machine's recorded measurement, or a new one (then recorded)."""
        key, description = machine_key()
        recorded = Calibration.from_record(read_calibrations(onnx.directory).get(key, {}))
        if recorded is not None and recorded.onnx_batch == onnx.batch_size:
            reason = f"{recorded.reason}, measured by an earlier build on this machine"
            return Calibration(
                **{**asdict(recorded), "reason": reason, "cached": True, "machine": description}
            )
        measured = calibrate(self.torch, onnx, sample_of(texts, SAMPLE_SIZE))
        measured = Calibration(
            **{**asdict(measured), "machine": description, "onnx_batch": onnx.batch_size}
        )
        record = {**asdict(measured), "measured_at": utc_timestamp()}
        del record["cached"]
        record_calibration(onnx.directory, key, record)
        return measured

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
