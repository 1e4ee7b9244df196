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

The ONNX encoder comes in two precisions: the fp32 export, and an int8 copy of it (dynamic
quantisation of every MatMul, made once from the export and kept in the encoder store). The
int8 one encodes about twice as many sentences per CPU second where the CPU has fast int8
instructions, with vectors a little further from torch's (cosine min 0.97, mean 0.993). The
calibration times it beside the others and records it, but ``auto`` (the default) never
chooses it (``AUTO_INT8``): with int8 document vectors and fp32
questions, the bundled corpus's reader-tune set lost 4.9 points of P@1 (3 of 62 questions,
the README's own example among the flips), more than the 0.5 point that issue 11 allows
(benchmarks/README.md, "The int8 build encoder"). ``QUOTEBOT_BUILD_PRECISION=int8`` asks for
it anyway; queries are always encoded in fp32. Vectors of the two precisions never share a
cache (``embeddings.vector_cache``) or a live index reused by a build.

The torch encoder also runs in bfloat16 (``bf16``: the same loaded model under CPU autocast,
vectors returned in fp32 and normalised). Where the CPU has native bfloat16 instructions
(AVX512-BF16, AMX) it encoded SQuAD sentences about 1.8 times as fast as fp32 torch, with
vectors at cosine 0.9999 or more to fp32's; elsewhere bfloat16 is emulated and slower. No CPU
flag decides it: the calibration times it beside the others and checks that its vectors agree
with fp32 torch's on every sample sentence (``BF16_MIN_COSINE``), and ``auto`` takes it when it
is the fastest (``AUTO_BF16``; its answer quality is measured in benchmarks/README.md).
``QUOTEBOT_BUILD_PRECISION=bf16`` forces it. A build with few sentences to encode whose
planned precision is bf16 (this machine's recorded choice) loads torch to encode them in bf16
rather than mix fp32 ONNX vectors into a bf16 index.
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

from embeddings.build_precision import PRECISION_SETTING, requested_precision, vectors_precision
from embeddings.encoder import Vectors
from embeddings.encoder_store import ensure_int8_encoder, read_calibrations, record_calibration
from embeddings.model import Bf16TorchEncoder, ModelSpec, SentenceTransformerEncoder
from embeddings.stamps import utc_timestamp

logger = logging.getLogger(__name__)

MIN_COSINE = 0.9999
CALIBRATE_FROM = 512  # fewer new sentences than this: no calibration (see the module doc)
SAMPLE_SIZE = 128
# Batches of 32, 64 and 128 length-sorted sentences were within the noise of one another on
# our 2-core machines (benchmarks/README.md); 64 matches the torch encoder.
ONNX_BATCH = 64
# The int8 encoder's vectors must agree with torch's this well on every sample sentence (the
# SQuAD trial's minimum was 0.97; quality with them is measured in benchmarks/README.md).
INT8_MIN_COSINE = 0.95
# Whether "auto" may choose int8 when it measures fastest: not while it costs answer quality
# (see the module doc). Its timing is still recorded, so that the choice can be revisited.
AUTO_INT8 = False
# bf16 vectors must agree with fp32 torch's this well on every sample sentence to be eligible.
BF16_MIN_COSINE = 0.999
# Whether "auto" may choose bf16 when it measures fastest (its quality guard passed:
# benchmarks/README.md, "The bf16 build encoder").
AUTO_BF16 = True
CALIBRATION_VERSION = 3  # 2: int8 timed too; 3: bf16 too; older records are measured again
MACHINE_PACKAGES = ("onnxruntime", "torch", "transformers", "sentence-transformers")

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Calibration:
    """What a build measured (or found measured), and what it chose: log and manifest."""

    chosen: str  # "torch" (fp32 or bf16) or "onnx" (fp32 or int8)
    reason: str
    sample: int = 0
    torch_seconds: float = 0.0
    onnx_seconds: float = 0.0
    min_cosine: float = 0.0
    cached: bool = False  # taken from an earlier build's measurement on this machine
    machine: str = ""
    onnx_batch: int = ONNX_BATCH
    precision: str = "fp32"  # of the chosen encoder: int8 (ONNX) or bf16 (torch) or fp32
    int8_seconds: float = 0.0  # 0: not measured (no int8 encoder)
    int8_min_cosine: float = 0.0  # against torch
    bf16_seconds: float = 0.0  # 0: not measured
    bf16_min_cosine: float = 0.0  # against fp32 torch
    version: int = CALIBRATION_VERSION

    def describe(self) -> str:
        chosen = f"{self.chosen} {self.precision}"
        if not self.sample:
            return f"{chosen} ({self.reason})"
        int8 = (
            f", onnx int8 {self.int8_seconds:.2f} s (min cosine {self.int8_min_cosine:.4f})"
            if self.int8_seconds
            else ""
        )
        if self.bf16_seconds:
            int8 += (
                f", torch bf16 {self.bf16_seconds:.2f} s (min cosine {self.bf16_min_cosine:.5f})"
            )
        return (
            f"{chosen} ({self.reason}; {self.sample} sentences: torch "
            f"{self.torch_seconds:.2f} s, onnx fp32 {self.onnx_seconds:.2f} s (min cosine "
            f"{self.min_cosine:.6f}){int8})"
        )

    def decided(self, allowed: str) -> Calibration:
        """The fastest encoder these timings allow under ``allowed`` ("auto" or "fp32")."""
        int8_allowed = allowed == "auto" and AUTO_INT8
        bf16_allowed = allowed == "auto" and AUTO_BF16
        candidates = [(self.torch_seconds, "torch", "fp32")]
        if self.min_cosine > MIN_COSINE:
            candidates.append((self.onnx_seconds, "onnx", "fp32"))
        if int8_allowed and self.int8_seconds and self.int8_min_cosine >= INT8_MIN_COSINE:
            candidates.append((self.int8_seconds, "onnx", "int8"))
        if bf16_allowed and self.bf16_seconds and self.bf16_min_cosine >= BF16_MIN_COSINE:
            candidates.append((self.bf16_seconds, "torch", "bf16"))
        _, chosen, precision = min(candidates)
        if self.min_cosine <= MIN_COSINE and chosen == "torch":
            reason = "the ONNX vectors disagree with torch"
        else:
            reason = "fastest here" if allowed == "auto" else "fastest in fp32 here"
        if self.cached:
            reason += ", measured by an earlier build on this machine"
        return Calibration(
            **{**asdict(self), "chosen": chosen, "precision": precision, "reason": reason}
        )

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Calibration | None:
        """A recorded measurement, or None when it is not one (older, or damaged)."""
        known = {field.name for field in fields(cls)}
        if record.get("version") != CALIBRATION_VERSION:
            return None
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


Encoder = SentenceTransformerEncoder | Bf16TorchEncoder | BatchedOnnxEncoder


class BuildEncoders:
    """The encoders of one build, loaded only when needed (torch costs seconds to load)."""

    def __init__(
        self, spec: ModelSpec, onnx_dir: Callable[[], Path | None], precision: str | None = None
    ) -> None:
        self.spec = spec
        self._onnx_dir = onnx_dir
        self.requested = precision or requested_precision()  # auto, fp32 or int8
        self._torch: SentenceTransformerEncoder | None = None
        self._onnx: BatchedOnnxEncoder | None = None
        self._onnx_checked = False
        self._int8: BatchedOnnxEncoder | None = None
        self._int8_checked = False
        self._bf16: Bf16TorchEncoder | None = None
        self._recorded: Calibration | None = None
        self._recorded_read = False
        self.calibration: Calibration | None = None
        self._chosen: Encoder | None = None

    @property
    def torch(self) -> SentenceTransformerEncoder:
        if self._torch is None:
            self._torch = SentenceTransformerEncoder(self.spec)
        return self._torch

    @property
    def bf16(self) -> Bf16TorchEncoder:
        """The torch encoder's model under bfloat16 autocast (the same loaded weights)."""
        if self._bf16 is None:
            self._bf16 = Bf16TorchEncoder(self.torch)
        return self._bf16

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

    def int8(self) -> BatchedOnnxEncoder | None:
        """The int8 copy of the ONNX encoder (made from it the first time), or None."""
        if not self._int8_checked:
            self._int8_checked = True
            onnx = self.onnx()
            if onnx is not None:
                from embeddings.onnx_encoder import quantise_int8

                try:
                    directory = ensure_int8_encoder(onnx.directory, quantise_int8)
                    self._int8 = BatchedOnnxEncoder(directory, onnx.batch_size)
                except Exception as error:  # no quantiser, or a bad result: fp32 will do
                    logger.warning("no int8 build encoder, fp32 it is: %s", error)
        return self._int8

    @property
    def dimension(self) -> int:
        onnx = self.onnx()
        return onnx.dimension if onnx is not None else self.torch.dimension

    @property
    def planned_precision(self) -> str:
        """The precision of the vectors this build will encode, as far as known before it
        sees what it must encode: its choice once made, else the setting, else this
        machine's recorded measurement, else fp32 (a first large build may measure int8 the
        faster and switch: the vector cache then looks again under int8)."""
        if self.calibration is not None:
            return self.calibration.precision
        if self.requested == "bf16":
            return "bf16"
        if self.onnx() is None:
            return "fp32"
        if self.requested != "auto":
            return self.requested
        recorded = self.recorded()
        return recorded.decided("auto").precision if recorded is not None else "fp32"

    @property
    def precision(self) -> str:
        """The precision of this build's document vectors (for the manifest)."""
        return self.planned_precision

    def recorded(self) -> Calibration | None:
        """This machine's recorded measurement for the stored ONNX encoder, if any."""
        onnx = self.onnx()
        if not self._recorded_read and onnx is not None:
            self._recorded_read = True
            key, _ = machine_key()
            recorded = Calibration.from_record(read_calibrations(onnx.directory).get(key, {}))
            if recorded is not None and recorded.onnx_batch == onnx.batch_size:
                self._recorded = recorded
        return self._recorded

    def will_measure(self, count: int) -> bool:
        """Whether ``choose`` for ``count`` new sentences times the encoders here first: only
        its last branch (auto or fp32, an ONNX encoder stored, enough sentences) with no
        measurement recorded for this machine; a build says so before the wait."""
        return (
            self.requested not in ("bf16", "int8")
            and self.onnx() is not None
            and count >= CALIBRATE_FROM
            and self.recorded() is None
        )

    def choose(self, texts: Sequence[str]) -> Calibration:
        """Pick the encoder for these texts (the ones a build must encode)."""
        onnx = self.onnx()
        if self.requested == "bf16":
            calibration = Calibration("torch", f"{PRECISION_SETTING}=bf16", precision="bf16")
        elif onnx is None:
            calibration = Calibration("torch", "no ONNX encoder stored yet")
        elif self.requested == "int8":
            calibration = Calibration("onnx", f"{PRECISION_SETTING}=int8", precision="int8")
        elif len(texts) < CALIBRATE_FROM:
            precision = self.planned_precision
            calibration = Calibration(
                "torch" if precision == "bf16" else "onnx",
                f"{len(texts)} sentences to encode: fewer than {CALIBRATE_FROM}",
                precision=precision,
            )
        else:
            calibration = self._measured(onnx, texts).decided(self.requested)
        encoder: Encoder | None = onnx
        if calibration.chosen == "torch":
            encoder = self.bf16 if calibration.precision == "bf16" else self.torch
        elif calibration.precision == "int8":
            encoder = self.int8()
            if encoder is None:
                encoder = onnx
                calibration = Calibration(
                    **{**asdict(calibration), "precision": "fp32"},
                )
        self._chosen = encoder
        self.calibration = calibration
        logger.info("build encoder: %s", calibration.describe())
        return calibration

    def _measured(self, onnx: BatchedOnnxEncoder, texts: Sequence[str]) -> Calibration:
        """This machine's recorded measurement, or a new one (then recorded)."""
        key, description = machine_key()
        recorded = self.recorded()
        if recorded is not None:
            return Calibration(**{**asdict(recorded), "cached": True, "machine": description})
        # int8 is timed whatever the setting, so that the record serves every later build.
        measured = calibrate(
            self.torch, onnx, sample_of(texts, SAMPLE_SIZE), self.int8(), self.bf16
        )
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


def built_precision(index_dir: Path) -> str | None:
    """The precision of the document vectors of the live index in ``index_dir`` (None: none)."""
    from embeddings.errors import IndexFormatError
    from embeddings.index_store import read_manifest

    try:
        return vectors_precision(read_manifest(index_dir).build_encoding)
    except IndexFormatError:
        return None


def sample_of(texts: Sequence[str], size: int) -> list[str]:
    """Up to ``size`` texts spread evenly over ``texts`` (short and long ones alike)."""
    if len(texts) <= size:
        return list(texts)
    step = len(texts) / size
    return [texts[int(n * step)] for n in range(size)]


def calibrate(
    torch_encoder: SentenceTransformerEncoder,
    onnx: BatchedOnnxEncoder,
    sample: Sequence[str],
    int8: BatchedOnnxEncoder | None = None,
    bf16: Bf16TorchEncoder | None = None,
    rounds: int = 2,
) -> Calibration:
    """Time the encoders on the same sample and compare (fastest of ``rounds`` each).

    One warm-up batch each first; the rounds alternate the encoders, so that other work on
    a shared machine weighs on all of them. Chosen: the fastest whose vectors agree with
    torch's (see ``Calibration.decided``).
    """
    encoders: dict[str, Encoder] = {
        "torch": torch_encoder,
        "onnx": onnx,
    }
    if int8 is not None:
        encoders["int8"] = int8
    if bf16 is not None:
        encoders["bf16"] = bf16
    warm = list(sample[:8])
    for encoder in encoders.values():
        encoder.encode(warm)
    seconds = dict.fromkeys(encoders, float("inf"))
    vectors: dict[str, Vectors] = {}
    for _ in range(rounds):
        for name, encoder in encoders.items():
            started = time.perf_counter()
            vectors[name] = encoder.encode(sample)
            seconds[name] = min(seconds[name], time.perf_counter() - started)
    reference = vectors["torch"]

    def agreement(name: str) -> float:
        return float(np.min(np.sum(reference * vectors[name], axis=1)))

    measured = Calibration(
        "torch",
        "",
        len(sample),
        seconds["torch"],
        seconds["onnx"],
        agreement("onnx"),
        int8_seconds=seconds.get("int8", 0.0) if int8 is not None else 0.0,
        int8_min_cosine=agreement("int8") if int8 is not None else 0.0,
        bf16_seconds=seconds.get("bf16", 0.0) if bf16 is not None else 0.0,
        bf16_min_cosine=agreement("bf16") if bf16 is not None else 0.0,
    )
    return measured.decided("auto")
