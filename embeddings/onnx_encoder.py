"""The query encoder: the build's own model exported to ONNX, run without torch.

Importing sentence-transformers takes 6-8 s on our machines, longer than a whole cold
``quotebot ask`` may take. At build time we export the very model that encoded the corpus
(``torch.onnx.export`` of a thin wrapper around the full sentence-transformers pipeline, so
pooling and normalisation are included), check that it reproduces the torch vectors, and save it
with its tokenizer in the shared encoder store (``embeddings.encoder_store``: once per model,
not once per index). Queries then need only onnxruntime and tokenizers.
"""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from embeddings.encoder import Vectors, normalize_rows
from embeddings.errors import IndexFormatError, ModelError

logger = logging.getLogger(__name__)

ONNX_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
CONFIG_FILE = "encoder.json"
# Sentences whose torch and ONNX vectors must agree before the ONNX encoder is trusted.
PROBE_TEXTS = (
    "How many political prisoners are held in Crimea?",
    "To date, 67 people are in custody.",
    "A much longer sentence, with punctuation; numbers like 10,000-15,000 and $ 100, "
    "and quotation marks “like these” to exercise the tokenizer's less common paths.",
)
MIN_PROBE_COSINE = 0.9999
# The int8 build encoder must agree with the fp32 one at least this well on the probe texts;
# the per-machine calibration checks a real sample against a bound of its own.
MIN_INT8_PROBE_COSINE = 0.95


def export_onnx(st_model: Any, directory: Path) -> None:
    """Export a loaded SentenceTransformer into ``directory`` and verify it.

    Raises ModelError when the model cannot be exported or the export does not reproduce the
    torch vectors, so that the caller can fall back to the torch encoder for queries.
    """
    import torch

    directory.mkdir(parents=True, exist_ok=True)
    tokenizer_source = Path(st_model.tokenizer.name_or_path) / TOKENIZER_FILE
    try:
        st_model.tokenizer.backend_tokenizer.save(str(directory / TOKENIZER_FILE))
    except AttributeError:
        if not tokenizer_source.is_file():
            raise ModelError("the model has no fast tokenizer to export") from None
        (directory / TOKENIZER_FILE).write_bytes(tokenizer_source.read_bytes())
    # sentence-transformers 6 renamed tokenize() to preprocess(); older versions lack the latter.
    tokenize = getattr(st_model, "preprocess", None) or st_model.tokenize
    features = tokenize(list(PROBE_TEXTS))
    input_names = [
        name
        for name in ("input_ids", "attention_mask", "token_type_ids")
        if name in features and isinstance(features[name], torch.Tensor)
    ]

    class _Wrapper(torch.nn.Module):
        def __init__(self, model: Any) -> None:
            super().__init__()
            self.model = model

        def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
            output = self.model(dict(zip(input_names, inputs, strict=True)))
            embedding: torch.Tensor = output["sentence_embedding"]
            return embedding

    wrapper = _Wrapper(st_model).eval()
    axes = {name: {0: "batch", 1: "tokens"} for name in input_names}
    axes["embedding"] = {0: "batch"}
    try:
        with torch.no_grad(), warnings.catch_warnings():
            # Tracing warns about shape-dependent branches that do not apply to this model;
            # the probe comparison below is the real check, and users need not see them.
            warnings.simplefilter("ignore")
            torch.onnx.export(
                wrapper,
                tuple(features[name] for name in input_names),
                str(directory / ONNX_FILE),
                input_names=input_names,
                output_names=["embedding"],
                dynamic_axes=axes,
                opset_version=17,
                dynamo=False,
            )
    except Exception as error:  # the exporter raises many types for unsupported models
        raise ModelError(f"cannot export the model to ONNX: {error}") from error
    config = {"max_seq_length": int(st_model.get_max_seq_length() or 256), "inputs": input_names}
    (directory / CONFIG_FILE).write_text(json.dumps(config), encoding="utf-8")
    reference = normalize_rows(
        st_model.encode(list(PROBE_TEXTS), convert_to_numpy=True, show_progress_bar=False)
    )
    exported = OnnxEncoder(directory).encode(PROBE_TEXTS)
    agreement = float(np.min(np.sum(reference * exported, axis=1)))
    if agreement < MIN_PROBE_COSINE:
        raise ModelError(f"the ONNX export disagrees with torch (cosine {agreement:.6f})")
    logger.debug("ONNX export agrees with torch: min cosine %.6f", agreement)


def quantise_int8(fp32_dir: Path, directory: Path) -> None:
    """Write an int8 copy of the exported encoder in ``fp32_dir`` into ``directory``.

    Dynamic quantisation (``onnxruntime.quantization.quantize_dynamic``) of every MatMul with
    per-channel int8 weights: about 1.9x the sentences per CPU second of fp32 on our machines,
    cosine to fp32 min 0.97, mean 0.993, but some answer quality lost (benchmarks/README.md,
    "The int8 build encoder"), so builds use it only when asked to. Made from the fp32 export
    alone: no torch. Only builds use it, for document vectors; queries stay fp32. Raises
    ModelError when the quantiser fails or the result disagrees with fp32 on the probe texts.
    """
    try:
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as error:  # the quantiser needs the onnx package
        raise ModelError(f"the onnxruntime quantiser cannot be imported: {error}") from error
    directory.mkdir(parents=True, exist_ok=True)
    for name in (TOKENIZER_FILE, CONFIG_FILE):
        (directory / name).write_bytes((fp32_dir / name).read_bytes())
    # The quantiser logs advice (pre-processing) on the root logger; users need not see it.
    logging.disable(logging.WARNING)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            quantize_dynamic(
                fp32_dir / ONNX_FILE,
                directory / ONNX_FILE,
                op_types_to_quantize=["MatMul"],
                per_channel=True,
                weight_type=QuantType.QInt8,
            )
    except Exception as error:  # the quantiser raises many types for graphs it cannot handle
        raise ModelError(f"cannot quantise the encoder to int8: {error}") from error
    finally:
        logging.disable(logging.NOTSET)
    reference = OnnxEncoder(fp32_dir).encode(PROBE_TEXTS)
    quantised = OnnxEncoder(directory).encode(PROBE_TEXTS)
    agreement = float(np.min(np.sum(reference * quantised, axis=1)))
    if agreement < MIN_INT8_PROBE_COSINE:
        raise ModelError(f"the int8 encoder disagrees with fp32 (cosine {agreement:.4f})")
    logger.debug("int8 encoder agrees with fp32: min cosine %.4f", agreement)


class OnnxEncoder:
    """Encodes queries with onnxruntime; cold start well under a second."""

    def __init__(self, directory: Path, threads: int | None = None) -> None:
        try:
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError as error:  # pragma: no cover - dependencies of quotebot
            raise ModelError(f"onnxruntime or tokenizers cannot be imported: {error}") from error
        try:
            config = json.loads((directory / CONFIG_FILE).read_text(encoding="utf-8"))
            self._inputs: list[str] = list(config["inputs"])
            tokenizer = Tokenizer.from_file(str(directory / TOKENIZER_FILE))
            options = onnxruntime.SessionOptions()
            if threads:
                options.intra_op_num_threads = threads
            options.log_severity_level = 3
            # Fuse and constant-fold the exported graph (the default level, stated because
            # the build's throughput depends on it).
            options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
            self._session = onnxruntime.InferenceSession(
                str(directory / ONNX_FILE), options, providers=["CPUExecutionProvider"]
            )
        except Exception as error:  # corrupt files surface as many unrelated types
            raise IndexFormatError(
                f"the query encoder in {directory} is unreadable: {error}"
            ) from error
        tokenizer.enable_truncation(int(config["max_seq_length"]))
        tokenizer.no_padding()
        self._tokenizer = tokenizer
        output = self._session.get_outputs()[0]
        self._dimension = int(output.shape[-1])

    @property
    def dimension(self) -> int:
        return self._dimension

    def encode(self, texts: Sequence[str]) -> Vectors:
        """Encode texts one padded batch at a time; queries come one or a few at once."""
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(list(texts))
        width = max(len(encoding.ids) for encoding in encodings)
        arrays = {name: np.zeros((len(texts), width), dtype=np.int64) for name in self._inputs}
        for row, encoding in enumerate(encodings):
            length = len(encoding.ids)
            values = {
                "input_ids": encoding.ids,
                "attention_mask": encoding.attention_mask,
                "token_type_ids": encoding.type_ids,
            }
            for name in self._inputs:
                arrays[name][row, :length] = values[name]
        (vectors,) = self._session.run(["embedding"], arrays)
        return normalize_rows(vectors)
