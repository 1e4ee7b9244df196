"""The shared store of ONNX query encoders: one copy per model, not one per index.

An exported encoder is about 90 MB; every index built with the same weights can share it. The
store keeps each encoder in a folder named after the SHA-256 of the weights it was exported
from, with its own manifest of file hashes::

    STORE/<weights sha256, first 16 hex>/model.onnx, tokenizer.json, encoder.json
    STORE/<weights sha256, first 16 hex>/encoder-manifest.json
    STORE/<weights sha256, first 16 hex>/build-calibration.json (torch or ONNX, per machine)
    STORE/<weights sha256, first 16 hex>/int8/model.onnx, ... and its own encoder-manifest.json

The ``int8`` folder holds a quantised copy of the encoder, made from the fp32 export (no
torch) the first time a build wants it, and verified like the fp32 one. Only builds use it,
to encode document sentences when it measures faster (``embeddings.build_encoder``); queries
always use the fp32 encoder, so the query path never reads or hashes it.

An encoder is written into a staging folder and renamed into place, so a crash never leaves a
half-written encoder under its final name, and it is checked against its manifest every time it
is opened: a missing or altered encoder is exported again, never trusted.

Where the store lives follows from the index folder (``encoder_store_dir``): the indexes of a
data directory (``DATA/indexes/NAME``) share ``DATA/encoders``; an index in a folder of the
user's choosing keeps its encoder inside that folder, so that it can be copied or moved whole.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from embeddings.file_modes import publish_dir
from embeddings.stamps import sha256_file

logger = logging.getLogger(__name__)

INDEXES_DIR = "indexes"
ENCODERS_DIR = "encoders"
ENCODER_MANIFEST = "encoder-manifest.json"
ENCODER_FORMAT = 1
CALIBRATION_FILE = "build-calibration.json"
CALIBRATION_FORMAT = 1
STAGING_PREFIX = ".exporting-"
INT8_DIR = "int8"
TRASH_PREFIX = ".replaced-"


def encoder_store_dir(index_dir: Path) -> Path:
    """Where the query encoders of the index in ``index_dir`` live.

    ``DATA/indexes/NAME`` (the default layout) shares ``DATA/encoders`` with the other indexes
    of that data directory; any other folder keeps its own ``encoders/`` inside itself.
    """
    if index_dir.parent.name == INDEXES_DIR:
        return index_dir.parent.parent / ENCODERS_DIR
    return index_dir / ENCODERS_DIR


def encoder_id(weights_sha256: str) -> str:
    """The folder name of the encoder exported from weights with this hash."""
    return weights_sha256[:16]


def verify_encoder(directory: Path) -> str | None:
    """Why the encoder in ``directory`` cannot be trusted, or None when every file checks out."""
    try:
        manifest = json.loads((directory / ENCODER_MANIFEST).read_text(encoding="utf-8"))
        files: dict[str, str] = dict(manifest["files"])
        if manifest.get("format") != ENCODER_FORMAT or not files:
            return f"the query encoder in {directory} has an unknown format"
    except FileNotFoundError:
        return f"the query encoder {directory} is missing"
    except (OSError, ValueError, TypeError, KeyError) as error:
        return f"the query encoder manifest in {directory} is unreadable: {error}"
    for name, expected in files.items():
        path = directory / name
        if not path.is_file():
            return f"the query encoder in {directory} lacks {name}"
        if sha256_file(path) != expected:
            return f"the query encoder file {name} in {directory} is corrupted (hash mismatch)"
    return None


def encoder_model_sha256(directory: Path) -> str:
    """The recorded hash of the encoder's ONNX file, as its manifest states it."""
    manifest = json.loads((directory / ENCODER_MANIFEST).read_text(encoding="utf-8"))
    return str(manifest["files"].get("model.onnx", ""))


def store_encoder(store: Path, weights_sha256: str, export: Callable[[Path], None]) -> Path:
    """Export an encoder into the store atomically and return its folder.

    ``export`` fills an empty staging folder (and raises when it cannot). A previous encoder
    under the same name, damaged or not, is replaced only once the new one is complete; a
    failed or interrupted export leaves no staging folder behind.
    """
    final = _store_atomically(store / encoder_id(weights_sha256), weights_sha256, export)
    logger.info("query encoder stored in %s", final)
    return final


def int8_encoder_dir(encoder_dir: Path) -> Path:
    """Where the int8 build encoder made from the fp32 encoder in ``encoder_dir`` lives."""
    return encoder_dir / INT8_DIR


def ensure_int8_encoder(encoder_dir: Path, quantise: Callable[[Path, Path], None]) -> Path:
    """The verified int8 copy of the (verified) fp32 encoder in ``encoder_dir``, made if needed.

    ``quantise(fp32_dir, staging)`` writes the int8 encoder; it is stored atomically with its
    own manifest, like an export, and replaced whole when it does not verify.
    """
    final = int8_encoder_dir(encoder_dir)
    problem = verify_encoder(final)
    if problem is None:
        return final
    if final.exists():
        logger.warning("making the int8 encoder again: %s", problem)
    manifest = json.loads((encoder_dir / ENCODER_MANIFEST).read_text(encoding="utf-8"))
    weights = str(manifest.get("weights_sha256", ""))
    _store_atomically(final, weights, lambda staging: quantise(encoder_dir, staging))
    logger.info("int8 build encoder stored in %s", final)
    return final


def _store_atomically(final: Path, weights_sha256: str, fill: Callable[[Path], None]) -> Path:
    """Fill a staging folder beside ``final``, hash its files into a manifest, rename it."""
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=final.parent))
    try:
        fill(staging)
        files = {
            str(path.relative_to(staging)): sha256_file(path)
            for path in sorted(staging.rglob("*"))
            if path.is_file()
        }
        manifest = {"format": ENCODER_FORMAT, "weights_sha256": weights_sha256, "files": files}
        (staging / ENCODER_MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        publish_dir(staging)  # not mkdtemp's 0700: replicas running as another user read it
        if final.exists():
            trash = Path(tempfile.mkdtemp(prefix=TRASH_PREFIX, dir=final.parent))
            final.rename(trash / final.name)
            staging.rename(final)
            shutil.rmtree(trash, ignore_errors=True)
        else:
            staging.rename(final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return final


def remove_store_if_empty(store: Path) -> None:
    """Remove an encoder store that holds nothing, so that failed runs leave no empty folder."""
    with contextlib.suppress(OSError):
        store.rmdir()


def read_calibrations(directory: Path) -> dict[str, dict[str, Any]]:
    """The build-encoder measurements recorded beside an encoder, by machine key.

    The file is a cache: unreadable or of another format, it is as if there were none (the
    next large build measures again and rewrites it).
    """
    try:
        data = json.loads((directory / CALIBRATION_FILE).read_text(encoding="utf-8"))
        if data.get("format") != CALIBRATION_FORMAT:
            return {}
        machines = data["machines"]
        return {str(key): dict(value) for key, value in machines.items()}
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as error:
        logger.warning("ignoring the build calibration in %s: %s", directory, error)
        return {}


def record_calibration(directory: Path, machine: str, measured: dict[str, Any]) -> None:
    """Add (or replace) this machine's measurement, atomically; failures only warn.

    The file is not in the encoder's manifest (it is not part of the encoder and changes
    after the export), so writing it never makes the encoder fail verification.
    """
    machines = read_calibrations(directory)
    machines[machine] = measured
    content = json.dumps({"format": CALIBRATION_FORMAT, "machines": machines}, indent=2)
    staging = directory / f".calibration-{os.getpid()}.json"
    try:
        staging.write_text(content, encoding="utf-8")
        staging.replace(directory / CALIBRATION_FILE)
    except OSError as error:
        with contextlib.suppress(OSError):
            staging.unlink()
        logger.warning("cannot record the build calibration in %s: %s", directory, error)
