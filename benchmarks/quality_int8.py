"""benchmarks/quality.py with int8 document vectors and fp32 question vectors.

The quality guard of the int8 build encoder (benchmarks/README.md, "The int8 build encoder"):
the corpus sentences of every set are encoded with the int8 encoder made from the stored fp32
export (``--encoder``, an ``encoders/<sha>`` folder; its ``int8`` copy is made if missing),
into a vector cache of their own (``/tmp/quotebot-vectors-int8``), with a pool cache of their
own (pools are keyed by the questions only); questions keep the fp32 vectors of
``vector_cache.py``. Every other argument is ``quality.py``'s.

    python benchmarks/quality_int8.py --encoder DATA/encoders/53aa51172d142c89 [--no-hidden]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import quality
import quality_sets
import vector_cache

from embeddings.build_encoder import BatchedOnnxEncoder
from embeddings.encoder_store import ensure_int8_encoder
from embeddings.onnx_encoder import quantise_int8

INT8_VECTORS = Path("/tmp/quotebot-vectors-int8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], add_help=False)
    parser.add_argument("--encoder", type=Path, required=True)
    args, rest = parser.parse_known_args()
    int8 = BatchedOnnxEncoder(ensure_int8_encoder(args.encoder, quantise_int8))
    cache = vector_cache.VectorCache(root=INT8_VECTORS)
    cache._encoder = int8  # type: ignore[assignment]  # encode(texts) is all it calls

    class Int8Documents(quality_sets._CachedEncoder):
        def encode(self, texts: Sequence[str]) -> np.ndarray:
            return cache.encode(texts)

    quality_sets._CachedEncoder = Int8Documents  # type: ignore[misc]
    quality_sets.POOL_CACHE = quality_sets.POOL_CACHE.with_name("pools-int8")
    sys.argv = [sys.argv[0], *rest]
    return quality.main()


if __name__ == "__main__":
    sys.exit(main())
