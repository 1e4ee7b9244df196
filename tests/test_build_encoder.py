"""The build encoder: ONNX vectors equal torch's, and the choice measured once per machine."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from embeddings.build_encoder import (
    BF16_MIN_COSINE,
    CALIBRATE_FROM,
    INT8_MIN_COSINE,
    MIN_COSINE,
    SAMPLE_SIZE,
    BatchedOnnxEncoder,
    BuildEncoders,
    Calibration,
    machine_key,
)
from embeddings.corpus import read_corpus
from embeddings.encoder_store import (
    CALIBRATION_FILE,
    int8_encoder_dir,
    read_calibrations,
    verify_encoder,
)
from embeddings.index import split_documents
from embeddings.model import (
    DEFAULT_MODEL,
    Bf16TorchEncoder,
    ModelSpec,
    SentenceTransformerEncoder,
    resolve_model,
)

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
REPO = Path(__file__).resolve().parent.parent


def test_the_machine_key_is_stable_and_names_the_cpu_and_versions() -> None:
    key, description = machine_key()
    assert machine_key() == (key, description)
    assert len(key) == 16
    assert "cores" in description and "onnxruntime" in description and "torch" in description


@pytest.fixture(scope="module")
def torch_encoder() -> SentenceTransformerEncoder:
    return SentenceTransformerEncoder(resolve_model(DEFAULT_MODEL))


@pytest.fixture(scope="module")
def stored_encoder(
    torch_encoder: SentenceTransformerEncoder, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    from embeddings.service import ensure_query_encoder

    store = tmp_path_factory.mktemp("encoders")
    yield ensure_query_encoder(store, torch_encoder.spec.weights_sha256, torch_encoder)


def _sentences() -> list[str]:
    texts = [sentence.text for sentence in split_documents(read_corpus(CORPUS))]
    # Enough to be worth a calibration: the bundled sentences, numbered to be distinct.
    return [f"{texts[n % len(texts)]} ({n})" for n in range(CALIBRATE_FROM + 10)]


@pytest.mark.integration
def test_batched_onnx_vectors_equal_torch_fp32(
    torch_encoder: SentenceTransformerEncoder, stored_encoder: Path
) -> None:
    texts = [sentence.text for sentence in split_documents(read_corpus(CORPUS))]
    # Short and long sentences share padded batches; one is cut at the model's 256 tokens.
    texts += ["Yes.", "word " * 400]
    onnx_vectors = BatchedOnnxEncoder(stored_encoder, batch_size=16).encode(texts)
    torch_vectors = torch_encoder.encode(texts)
    assert onnx_vectors.shape == torch_vectors.shape == (len(texts), 384)
    assert np.min(np.sum(onnx_vectors * torch_vectors, axis=1)) >= MIN_COSINE


@pytest.mark.integration
def test_the_choice_is_measured_once_and_then_taken_without_torch(
    torch_encoder: SentenceTransformerEncoder, stored_encoder: Path
) -> None:
    spec: ModelSpec = torch_encoder.spec
    texts = _sentences()
    first = BuildEncoders(spec, lambda: stored_encoder)
    first._torch = torch_encoder  # the loaded model (loading it again costs seconds)
    measured = first.choose(texts)
    assert not measured.cached and measured.sample == SAMPLE_SIZE
    assert measured.min_cosine > MIN_COSINE
    key, _ = machine_key()
    assert read_calibrations(stored_encoder)[key]["chosen"] == measured.chosen
    assert verify_encoder(stored_encoder) is None  # the record is not part of the encoder

    again = BuildEncoders(spec, lambda: stored_encoder).choose(texts)
    assert again.cached and again.chosen == measured.chosen
    assert again.torch_seconds == measured.torch_seconds

    # A new process, as the next build is: it takes the recorded choice, and when that is
    # ONNX it encodes without ever importing torch or sentence-transformers.
    script = f"""
import json, sys
from pathlib import Path
from embeddings.build_encoder import BuildEncoders
from embeddings.model import ModelSpec
spec = ModelSpec({spec.name!r}, Path({str(spec.path)!r}), {spec.weights_sha256!r})
texts = json.loads(sys.stdin.read())
encoders = BuildEncoders(spec, lambda: Path({str(stored_encoder)!r}))
calibration = encoders.choose(texts)
vectors = encoders.encode(texts[:40]) if calibration.chosen == "onnx" else None
print(json.dumps({{
    "chosen": calibration.chosen, "cached": calibration.cached,
    "shape": None if vectors is None else list(vectors.shape),
    "torch": "torch" in sys.modules,
    "sentence_transformers": "sentence_transformers" in sys.modules,
}}))
"""
    child = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
        check=True,
    )
    result = json.loads(child.stdout.strip().splitlines()[-1])
    assert result["cached"] and result["chosen"] == measured.chosen
    if result["chosen"] == "onnx":
        assert result["shape"] == [40, 384]
        assert not result["torch"] and not result["sentence_transformers"]


@pytest.mark.integration
def test_a_damaged_record_is_measured_again(
    torch_encoder: SentenceTransformerEncoder, stored_encoder: Path
) -> None:
    (stored_encoder / CALIBRATION_FILE).write_text("{not json", encoding="utf-8")
    encoders = BuildEncoders(torch_encoder.spec, lambda: stored_encoder)
    encoders._torch = torch_encoder
    calibration = encoders.choose(_sentences())
    assert not calibration.cached and calibration.sample == SAMPLE_SIZE
    assert machine_key()[0] in read_calibrations(stored_encoder)


@pytest.mark.integration
def test_int8_vectors_stay_close_to_fp32_and_auto_records_but_does_not_choose_them(
    torch_encoder: SentenceTransformerEncoder, stored_encoder: Path
) -> None:
    encoders = BuildEncoders(torch_encoder.spec, lambda: stored_encoder, precision="auto")
    int8 = encoders.int8()
    assert int8 is not None and int8.directory == int8_encoder_dir(stored_encoder)
    assert verify_encoder(int8.directory) is None
    texts = [sentence.text for sentence in split_documents(read_corpus(CORPUS))]
    fp32_vectors = BatchedOnnxEncoder(stored_encoder).encode(texts)
    cosine = np.sum(int8.encode(texts) * fp32_vectors, axis=1)
    assert cosine.min() >= INT8_MIN_COSINE

    (stored_encoder / CALIBRATION_FILE).unlink(missing_ok=True)
    encoders._torch = torch_encoder
    measured = encoders.choose(_sentences())
    assert measured.int8_seconds > 0 and measured.int8_min_cosine >= INT8_MIN_COSINE
    assert measured.precision != "int8"  # auto: int8 is timed, not chosen (AUTO_INT8)
    # bf16 is timed too, and chosen only when it is the fastest and agrees with fp32.
    assert measured.bf16_seconds > 0 and measured.bf16_min_cosine >= BF16_MIN_COSINE
    if measured.precision == "bf16":
        assert measured.chosen == "torch"
        assert measured.bf16_seconds <= min(measured.torch_seconds, measured.onnx_seconds)
    record = read_calibrations(stored_encoder)[machine_key()[0]]
    assert record["int8_seconds"] > 0 and record["bf16_seconds"] > 0


@pytest.mark.integration
def test_bf16_vectors_agree_with_fp32_torch_on_the_bundled_corpus(
    torch_encoder: SentenceTransformerEncoder,
) -> None:
    # Correctness does not depend on whether this CPU has fast bfloat16: always checked.
    texts = [sentence.text for sentence in split_documents(read_corpus(CORPUS))]
    texts += ["Yes.", "word " * 400]
    fp32 = torch_encoder.encode(texts)
    bf16 = Bf16TorchEncoder(torch_encoder).encode(texts)
    assert bf16.dtype == np.float32 and bf16.shape == fp32.shape
    np.testing.assert_allclose(np.linalg.norm(bf16, axis=1), 1.0, rtol=1e-5)
    assert np.min(np.sum(bf16 * fp32, axis=1)) >= BF16_MIN_COSINE >= 0.999


def _timings(bf16_seconds: float, bf16_min_cosine: float) -> Calibration:
    return Calibration(
        "torch",
        "",
        SAMPLE_SIZE,
        torch_seconds=4.0,
        onnx_seconds=3.0,
        min_cosine=0.99999,
        int8_seconds=1.0,  # fastest, but int8 is never chosen by auto
        int8_min_cosine=0.97,
        bf16_seconds=bf16_seconds,
        bf16_min_cosine=bf16_min_cosine,
    )


def test_auto_takes_bf16_only_when_it_is_faster_and_its_vectors_agree() -> None:
    chosen = _timings(2.0, 0.99995).decided("auto")
    assert (chosen.chosen, chosen.precision) == ("torch", "bf16")
    # Slower than fp32 ONNX (a CPU that emulates bfloat16): not chosen, whatever its flags.
    slow = _timings(5.0, 0.99995).decided("auto")
    assert (slow.chosen, slow.precision) == ("onnx", "fp32")
    # Vectors too far from fp32's: not eligible however fast.
    far = _timings(2.0, 0.998).decided("auto")
    assert (far.chosen, far.precision) == ("onnx", "fp32")
    # fp32 asked for: the same timings never give bf16.
    assert _timings(2.0, 0.99995).decided("fp32").precision == "fp32"
    assert "torch bf16 2.00 s" in chosen.describe()


@pytest.mark.integration
@pytest.mark.parametrize("precision", ["int8", "bf16"])
def test_a_lower_precision_build_answers_and_a_later_fp32_build_reuses_none_of_its_vectors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, precision: str
) -> None:
    from embeddings.index_store import read_manifest
    from embeddings.service import build, open_searcher

    index = tmp_path / "data" / "indexes" / "bundled"
    monkeypatch.setenv("QUOTEBOT_BUILD_PRECISION", precision)
    build(CORPUS, index, DEFAULT_MODEL)
    encoding = read_manifest(index).build_encoding
    assert encoding["precision"] == precision
    assert encoding["calibration"]["precision"] == precision
    searcher = open_searcher(CORPUS, index, DEFAULT_MODEL)
    answer = searcher.search("How many people are in custody in Crimea?")
    assert answer.outcome == "answered"
    assert "67 people" in answer.quotes[0].text
    if precision == "bf16":  # int8 loses the README's example (benchmarks/README.md); bf16 not
        example = searcher.search("How many political prisoners are held in Crimea?")
        assert example.outcome == "answered" and "67 people" in example.quotes[0].text

    monkeypatch.setenv("QUOTEBOT_BUILD_PRECISION", "fp32")
    build(CORPUS, index, DEFAULT_MODEL)
    encoding = read_manifest(index).build_encoding
    # Every sentence encoded again in fp32: none taken from the other precision's cache or index.
    assert encoding["precision"] == "fp32"
    assert encoding["encoded"] == read_manifest(index).sentence_count
    assert encoding.get("reused", 0) == 0 and encoding["cached"] == 0
    headline = open_searcher(CORPUS, index, DEFAULT_MODEL).search(
        "How many political prisoners are held in Crimea?"
    )
    assert "67 people" in headline.quotes[0].text
