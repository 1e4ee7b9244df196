"""Model resolution offline, the weight hash check, and the ONNX query encoder's fidelity."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from embeddings.errors import ModelError
from embeddings.model import (
    DEFAULT_MODEL,
    DEFAULT_MODEL_SHA256,
    SentenceTransformerEncoder,
    locate_model,
    resolve_model,
    weights_file,
)


def test_the_default_model_resolves_offline_with_the_official_hash() -> None:
    spec = resolve_model("all-MiniLM-L6-v2")
    assert spec.name == DEFAULT_MODEL
    assert spec.weights_sha256 == DEFAULT_MODEL_SHA256
    assert "site-packages" in str(spec.path) or (spec.path / "model.safetensors").is_file()
    assert resolve_model("sentence-transformers/all-MiniLM-L6-v2").path == spec.path


def test_tampered_default_weights_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "model"
    fake.mkdir()
    (fake / "model.safetensors").write_bytes(b"not the official weights")
    monkeypatch.setattr("embeddings.model._packaged_model_dir", lambda: fake)
    with pytest.raises(ModelError, match="do not match the official hash"):
        resolve_model("all-MiniLM-L6-v2")


def test_an_unknown_model_name_is_a_clear_offline_error() -> None:
    with pytest.raises(ModelError, match="cannot download"):
        locate_model("no-such-org/no-such-model-anywhere")


def test_a_directory_without_weights_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="no model weights"):
        resolve_model(str(tmp_path))


def test_another_model_by_path_is_accepted_with_its_own_hash(tmp_path: Path) -> None:
    copy = tmp_path / "my-model"
    shutil.copytree(locate_model(DEFAULT_MODEL)[1], copy)
    spec = resolve_model(str(copy))
    assert spec.name == str(copy)
    assert spec.path == copy.resolve()
    assert spec.weights_sha256 == DEFAULT_MODEL_SHA256
    assert weights_file(copy).name == "model.safetensors"


@pytest.mark.integration
def test_onnx_export_reproduces_the_torch_vectors(tmp_path: Path) -> None:
    from embeddings.onnx_encoder import OnnxEncoder, export_onnx

    encoder = SentenceTransformerEncoder(resolve_model(DEFAULT_MODEL))
    export_onnx(encoder.model, tmp_path)
    texts = [
        "How many political prisoners are held in Crimea?",
        "They impose a fine in the amount of 10,000-15,000 rubles.",
        "word " * 400,  # longer than the model's 256 tokens: both must truncate alike
    ]
    torch_vectors = encoder.encode(texts)
    onnx_vectors = OnnxEncoder(tmp_path).encode(texts)
    assert onnx_vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(onnx_vectors, axis=1), 1.0, atol=1e-5)
    assert np.min(np.sum(torch_vectors * onnx_vectors, axis=1)) > 0.9999
