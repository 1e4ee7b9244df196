"""benchmarks/quality.py with int8 or bf16 document vectors and fp32 question vectors.

The quality guard of the lower-precision build encoders (benchmarks/README.md, "The int8 build
encoder" and "The bf16 build encoder"): the corpus sentences of every set are encoded with the
build encoder of ``--precision`` into a vector cache of their own
(``/tmp/quotebot-vectors-<precision>``), with a pool cache of their own (pools are keyed by the
questions only); questions keep the fp32 vectors of ``vector_cache.py``. ``int8``: the int8
copy of the stored fp32 export (``--encoder``, an ``encoders/<sha>`` folder; the copy is made
if missing). ``bf16``: the torch model under CPU autocast bfloat16 (no ``--encoder``). Every
other argument is ``quality.py``'s.

    python benchmarks/quality_int8.py --encoder DATA/encoders/53aa51172d142c89 [--no-hidden]
    python benchmarks/quality_int8.py --precision bf16 [--no-hidden]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import quality
import quality_sets
import vector_cache

from embeddings.build_encoder import BatchedOnnxEncoder
from embeddings.encoder import Vectors
from embeddings.encoder_store import ensure_int8_encoder
from embeddings.model import (
    DEFAULT_MODEL,
    Bf16TorchEncoder,
    SentenceTransformerEncoder,
    resolve_model,
)


def document_encoder(
    precision: str, encoder: Path | None
) -> BatchedOnnxEncoder | Bf16TorchEncoder:
    """The build encoder of ``precision`` whose vectors the documents get."""
    if precision == "bf16":
        return Bf16TorchEncoder(SentenceTransformerEncoder(resolve_model(DEFAULT_MODEL)))
    if encoder is None:
        raise SystemExit("--precision int8 needs --encoder DATA/encoders/<sha>")
    from embeddings.onnx_encoder import quantise_int8

    return BatchedOnnxEncoder(ensure_int8_encoder(encoder, quantise_int8))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], add_help=False)
    parser.add_argument("--precision", choices=("int8", "bf16"), default="int8")
    parser.add_argument("--encoder", type=Path)
    args, rest = parser.parse_known_args()
    documents = document_encoder(args.precision, args.encoder)
    cache = vector_cache.VectorCache(root=Path(f"/tmp/quotebot-vectors-{args.precision}"))
    cache._encoder = documents  # type: ignore[assignment]  # encode(texts) is all it calls

    class LowerPrecisionDocuments(quality_sets._CachedEncoder):
        def encode(self, texts: Sequence[str]) -> Vectors:
            return cache.encode(texts)

    quality_sets._CachedEncoder = LowerPrecisionDocuments  # type: ignore[misc]
    quality_sets.POOL_CACHE = quality_sets.POOL_CACHE.with_name(f"pools-{args.precision}")
    sys.argv = [sys.argv[0], *rest]
    return quality.main()


if __name__ == "__main__":
    sys.exit(main())
