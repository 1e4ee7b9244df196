"""The shared store of query encoders: written atomically, verified by hash, one per model."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from embeddings.encoder_store import (
    CALIBRATION_FILE,
    encoder_id,
    encoder_store_dir,
    ensure_int8_encoder,
    int8_encoder_dir,
    read_calibrations,
    record_calibration,
    store_encoder,
    verify_encoder,
)

WEIGHTS = "ab" * 32


def _export(content: bytes) -> Callable[[Path], None]:
    def export(staging: Path) -> None:
        (staging / "model.onnx").write_bytes(content)
        (staging / "tokenizer.json").write_text("{}")

    return export


def test_indexes_of_a_data_directory_share_a_store_other_folders_keep_their_own(
    tmp_path: Path,
) -> None:
    assert encoder_store_dir(tmp_path / "data" / "indexes" / "a") == tmp_path / "data" / "encoders"
    assert encoder_store_dir(tmp_path / "mine") == tmp_path / "mine" / "encoders"


def test_a_stored_encoder_verifies_until_a_file_changes(tmp_path: Path) -> None:
    directory = store_encoder(tmp_path, WEIGHTS, _export(b"onnx"))
    assert directory == tmp_path / encoder_id(WEIGHTS)
    assert verify_encoder(directory) is None
    (directory / "model.onnx").write_bytes(b"onnX")
    assert "model.onnx" in str(verify_encoder(directory))
    (directory / "model.onnx").write_bytes(b"onnx")
    (directory / "tokenizer.json").unlink()
    assert "tokenizer.json" in str(verify_encoder(directory))
    assert "missing" in str(verify_encoder(tmp_path / "nothing"))


def test_a_damaged_encoder_is_replaced_whole(tmp_path: Path) -> None:
    directory = store_encoder(tmp_path, WEIGHTS, _export(b"old"))
    (directory / "model.onnx").write_bytes(b"bad")
    again = store_encoder(tmp_path, WEIGHTS, _export(b"new"))
    assert again == directory
    assert verify_encoder(again) is None
    assert (again / "model.onnx").read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == [directory.name]  # no staging, no trash


def test_an_interrupted_export_leaves_nothing_and_keeps_the_previous_encoder(
    tmp_path: Path,
) -> None:
    directory = store_encoder(tmp_path, WEIGHTS, _export(b"old"))

    def interrupted(staging: Path) -> None:
        (staging / "model.onnx").write_bytes(b"half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        store_encoder(tmp_path, WEIGHTS, interrupted)
    assert [p.name for p in tmp_path.iterdir()] == [directory.name]
    assert (directory / "model.onnx").read_bytes() == b"old"


def test_build_calibrations_are_kept_per_machine_beside_a_still_valid_encoder(
    tmp_path: Path,
) -> None:
    directory = store_encoder(tmp_path, WEIGHTS, _export(b"onnx"))
    assert read_calibrations(directory) == {}
    record_calibration(directory, "machine-a", {"chosen": "onnx", "sample": 128})
    record_calibration(directory, "machine-b", {"chosen": "torch", "sample": 128})
    record_calibration(directory, "machine-a", {"chosen": "torch", "sample": 128})
    assert read_calibrations(directory) == {
        "machine-a": {"chosen": "torch", "sample": 128},
        "machine-b": {"chosen": "torch", "sample": 128},
    }
    assert verify_encoder(directory) is None
    assert sorted(p.name for p in directory.iterdir() if p.name.startswith(".")) == []


def test_an_unreadable_calibration_record_counts_as_none(tmp_path: Path) -> None:
    directory = store_encoder(tmp_path, WEIGHTS, _export(b"onnx"))
    (directory / CALIBRATION_FILE).write_text("{broken", encoding="utf-8")
    assert read_calibrations(directory) == {}
    (directory / CALIBRATION_FILE).write_text('{"format": 99, "machines": {}}', encoding="utf-8")
    assert read_calibrations(directory) == {}
    record_calibration(directory, "machine-a", {"chosen": "onnx", "sample": 128})
    assert list(read_calibrations(directory)) == ["machine-a"]


def test_the_int8_encoder_is_made_once_beside_the_fp32_one_and_verified(tmp_path: Path) -> None:
    fp32 = store_encoder(tmp_path, WEIGHTS, _export(b"fp32"))
    made: list[Path] = []

    def quantise(source: Path, staging: Path) -> None:
        made.append(source)
        (staging / "model.onnx").write_bytes((source / "model.onnx").read_bytes() + b" int8")
        (staging / "tokenizer.json").write_text("{}")

    int8 = ensure_int8_encoder(fp32, quantise)
    assert int8 == int8_encoder_dir(fp32) and made == [fp32]
    assert verify_encoder(int8) is None and verify_encoder(fp32) is None
    assert ensure_int8_encoder(fp32, quantise) == int8 and len(made) == 1  # kept, not made again
    (int8 / "model.onnx").write_bytes(b"damaged")
    assert ensure_int8_encoder(fp32, quantise) == int8 and len(made) == 2  # made again
    assert (int8 / "model.onnx").read_bytes() == b"fp32 int8"
    assert sorted(p.name for p in fp32.iterdir() if p.is_dir()) == ["int8"]  # no staging left
