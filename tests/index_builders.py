"""Index folders as `quotebot index build` leaves them, written without the real model.

Listing, verifying and pruning indexes need real folders with real manifests, not minutes of
encoding: these helpers write them from the fake encoder's index.
"""

from __future__ import annotations

from pathlib import Path

from embeddings.index import SentenceIndex
from embeddings.stamps import utc_timestamp


def write_fake_built_index(
    index_dir: Path, corpus_dir: Path, index: SentenceIndex, encoder_bytes: bytes = b"onnx"
) -> Path:
    """An index as `quotebot index build` leaves it, without the minutes of a real model.

    The manifest names the real packaged model (so that freshness checks pass) and a shared
    query encoder whose "ONNX file" is ``encoder_bytes``: enough for listing, verifying and
    pruning, not for answering questions.
    """

    from embeddings.encoder_store import encoder_store_dir, store_encoder
    from embeddings.index_store import Manifest, write_index
    from embeddings.model import DEFAULT_MODEL, DEFAULT_MODEL_SHA256, locate_model, weights_file
    from embeddings.service import corpus_fingerprint

    _, model_dir = locate_model(DEFAULT_MODEL)
    stat = weights_file(model_dir).stat()

    def export(staging: Path) -> None:
        (staging / "model.onnx").write_bytes(encoder_bytes)

    encoder = store_encoder(encoder_store_dir(index_dir), DEFAULT_MODEL_SHA256, export)
    manifest = Manifest(
        model_name=DEFAULT_MODEL,
        model_path=str(model_dir),
        weights_sha256=DEFAULT_MODEL_SHA256,
        weights_stat=(stat.st_size, stat.st_mtime_ns),
        dimension=index.dimension,
        sentence_count=len(index.sentences),
        document_count=len(index.documents),
        corpus_dir=str(corpus_dir.resolve()),
        corpus_fingerprint=corpus_fingerprint(corpus_dir),
        query_encoder="onnx",
        built_at=utc_timestamp(),
        encoder_id=encoder.name,
    )
    write_index(index, index_dir, manifest)
    return index_dir
