"""Torch against ONNX for index builds, side by side in one run on this machine.

Encodes the same SQuAD v1.1 dev sentences (``--sentences``, spread over the file) with the
sentence-transformers model on torch and with the exported ONNX encoder in batches (what a
build uses, ``embeddings.build_encoder``), after one warm-up batch each, and prints both
times, their ratio and the smallest cosine between the two vectors of a sentence. This is the
measurement a build makes at its start on a sample, done at a size worth publishing.

    python benchmarks/build_encoders.py [--sentences 2000] [--squad PATH]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from embeddings.build_encoder import BatchedOnnxEncoder, sample_of
from embeddings.index import split_documents
from embeddings.model import SentenceTransformerEncoder, resolve_model
from embeddings.service import ensure_query_encoder
from embeddings.squad import load_squad

SQUAD = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "squad-dev-v1.1.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=2000)
    parser.add_argument("--squad", type=Path, default=SQUAD)
    args = parser.parse_args()
    texts = [s.text for s in split_documents(load_squad(args.squad).documents)]
    texts = sample_of(texts, args.sentences)
    spec = resolve_model("all-MiniLM-L6-v2")
    torch_encoder = SentenceTransformerEncoder(spec)
    with tempfile.TemporaryDirectory() as store:
        onnx = BatchedOnnxEncoder(
            ensure_query_encoder(Path(store), spec.weights_sha256, torch_encoder)
        )
        torch_encoder.encode(texts[:32])
        onnx.encode(texts[:32])
        started = time.perf_counter()
        reference = torch_encoder.encode(texts)
        torch_s = time.perf_counter() - started
        started = time.perf_counter()
        exported = onnx.encode(texts)
        onnx_s = time.perf_counter() - started
    cosine = np.sum(reference * exported, axis=1)
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    print("| encoder | sentences | seconds | sentences/s |")
    print("|---|---:|---:|---:|")
    for name, seconds in (("torch (sentence-transformers)", torch_s), ("ONNX", onnx_s)):
        print(f"| {name} | {len(texts)} | {seconds:.1f} | {len(texts) / seconds:.0f} |")
    print(
        f"torch/ONNX time ratio {torch_s / onnx_s:.2f}; cosine torch vs ONNX: "
        f"min {cosine.min():.7f}, mean {cosine.mean():.7f}"
    )


if __name__ == "__main__":
    main()
