"""Keeping an index in step with its corpus and model, and opening a searcher over it.

Front ends call ``open_searcher``: it builds the index on first use, rebuilds it when the
corpus or the model changed (the corpus fingerprint and the weights hash tell) or when the
index on disk is damaged, and returns a searcher whose query encoder is the one recorded in
the manifest, so that the index and the query encoder can never drift apart.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from embeddings.abstention import DEFAULT_ABSTAIN_BELOW
from embeddings.corpus import corpus_files, read_corpus
from embeddings.encoder import Encoder
from embeddings.errors import IndexFormatError, ModelError
from embeddings.index import build_index
from embeddings.index_store import (
    FORMAT_VERSION,
    Manifest,
    StoredIndex,
    load_index,
    read_manifest,
    write_index,
)
from embeddings.lexical import LEXICAL_VERSION
from embeddings.model import (
    SentenceTransformerEncoder,
    locate_model,
    resolve_model,
    sha256_file,
    weights_file,
)
from embeddings.search import Searcher
from embeddings.sentences import SPLITTER_VERSION

logger = logging.getLogger(__name__)

# Called with the number of sentences to encode; returns a callback for each batch done.
ProgressFactory = Callable[[int], Callable[[int], None]]


def corpus_fingerprint(corpus_dir: Path) -> str:
    """A hash of every article file (name and bytes) and of the code that splits them.

    Any edit to the corpus, or a new splitter, lexical weighting or index format, gives a new
    fingerprint, which is how ``quotebot ask`` knows its index is stale.
    """
    code = f"format={FORMAT_VERSION};splitter={SPLITTER_VERSION};lexical={LEXICAL_VERSION}"
    digest = hashlib.sha256(code.encode())
    for path in corpus_files(corpus_dir):
        digest.update(b"\0" + path.name.encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def default_index_dir(data_dir: Path, corpus_dir: Path, model: str) -> Path:
    """One index per (corpus folder, model), so switching corpora never rebuilds the other."""
    key = hashlib.sha256(f"{corpus_dir.resolve()}\0{model}".encode()).hexdigest()[:12]
    name = re.sub(r"[^A-Za-z0-9]+", "-", corpus_dir.resolve().name).strip("-") or "corpus"
    return data_dir / "indexes" / f"{name}-{key}"


def staleness(manifest: Manifest, corpus_dir: Path, model: str) -> str | None:
    """Why the index no longer matches the corpus or model, or None when it does."""
    canonical, directory = locate_model(model)
    if manifest.model_name != canonical:
        return f"it was built with model {manifest.model_name}, not {canonical}"
    weights = weights_file(directory)
    stat = weights.stat()
    if (
        str(directory) != manifest.model_path
        or (stat.st_size, stat.st_mtime_ns) != tuple(manifest.weights_stat)
    ) and sha256_file(weights) != manifest.weights_sha256:
        return "the model's weights changed"
    if manifest.corpus_fingerprint != corpus_fingerprint(corpus_dir):
        return "the corpus changed"
    return None


def build(
    corpus_dir: Path, index_dir: Path, model: str, progress: ProgressFactory | None = None
) -> Manifest:
    """Read, split, encode and store the corpus; the previous index stays live until the end."""
    try:
        index_dir.mkdir(parents=True, exist_ok=True)  # fail before minutes of encoding
    except OSError as error:
        raise IndexFormatError(
            f"cannot write the index in {index_dir}: {error.strerror or error}"
        ) from None
    fingerprint = corpus_fingerprint(corpus_dir)
    documents = read_corpus(corpus_dir)
    spec = resolve_model(model)
    encoder = SentenceTransformerEncoder(spec)
    sentence_count: list[int] = []

    def encode_with_progress(texts: list[str]) -> object:
        sentence_count.append(len(texts))
        step = progress(len(texts)) if progress else None
        return encoder.encode(texts, progress=step)

    index = build_index(documents, encoder, encode=encode_with_progress)  # type: ignore[arg-type]
    stat = weights_file(spec.path).stat()
    manifest = Manifest(
        model_name=spec.name,
        model_path=str(spec.path),
        weights_sha256=spec.weights_sha256,
        weights_stat=(stat.st_size, stat.st_mtime_ns),
        dimension=encoder.dimension,
        sentence_count=len(index.sentences),
        document_count=len(index.documents),
        corpus_dir=str(corpus_dir.resolve()),
        corpus_fingerprint=fingerprint,
        query_encoder="onnx",
        built_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )

    def write_query_encoder(directory: Path) -> str:
        from embeddings.onnx_encoder import export_onnx

        try:
            export_onnx(encoder.model, directory)
        except ModelError as error:
            logger.warning("queries will use torch (slower start): %s", error)
            return "torch"
        return "onnx"

    try:
        build_dir = write_index(index, index_dir, manifest, write_query_encoder)
    except OSError as error:
        raise IndexFormatError(
            f"cannot write the index in {index_dir}: {error.strerror or error}"
        ) from None
    logger.info("index built in %s", build_dir)
    return read_manifest(index_dir)


def searcher_for(stored: StoredIndex, abstain_below: float | None = None) -> Searcher:
    """A searcher whose query encoder is exactly the model the index was built with."""
    manifest = stored.manifest
    encoder: Encoder
    if manifest.query_encoder == "onnx":
        from embeddings.onnx_encoder import OnnxEncoder

        encoder = OnnxEncoder(stored.encoder_dir)
    else:
        spec = resolve_model(manifest.model_path)
        if spec.weights_sha256 != manifest.weights_sha256:
            raise IndexFormatError("the model's weights changed since the index was built")
        encoder = SentenceTransformerEncoder(spec)
    return Searcher(
        stored.index,
        encoder,
        model_name=manifest.model_name,
        abstain_below=DEFAULT_ABSTAIN_BELOW if abstain_below is None else abstain_below,
    )


def open_searcher(
    corpus_dir: Path,
    index_dir: Path,
    model: str,
    progress: ProgressFactory | None = None,
    abstain_below: float | None = None,
) -> Searcher:
    """A searcher over an up-to-date index, building or repairing the index as needed.

    ``abstain_below`` overrides the calibrated abstention threshold (None keeps it).
    """
    reason: str | None
    try:
        reason = staleness(read_manifest(index_dir), corpus_dir, model)
    except IndexFormatError as error:
        reason = str(error)
    if reason is None:
        try:
            return searcher_for(load_index(index_dir), abstain_below)
        except IndexFormatError as error:
            reason = str(error)
    logger.info("building the index in %s: %s", index_dir, reason)
    build(corpus_dir, index_dir, model, progress)
    return searcher_for(load_index(index_dir), abstain_below)
