"""Keeping an index in step with its corpus and model, and opening a searcher over it.

Front ends call ``open_searcher``: it builds the index on first use, rebuilds it when the
corpus or the model changed (the corpus fingerprint and the weights hash tell) or when the
index on disk is damaged (logged at WARNING: that is not routine), and returns a searcher whose
query encoder is the one recorded in the manifest, so that the index and the query encoder can
never drift apart. The ONNX query encoder lives once per model in the shared encoder store; a
missing or damaged one is exported again from the weights the manifest names.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from embeddings.abstention import DEFAULT_ABSTAIN_BELOW, DEFAULT_RELATED_BELOW
from embeddings.build_encoder import BuildEncoders, built_precision
from embeddings.corpus import corpus_files, read_corpus
from embeddings.encoder import Encoder, Vectors
from embeddings.encoder_store import (
    INDEXES_DIR,
    encoder_id,
    encoder_model_sha256,
    encoder_store_dir,
    remove_store_if_empty,
    store_encoder,
    verify_encoder,
)
from embeddings.errors import IndexFormatError, ModelError
from embeddings.index import SentenceIndex, build_index
from embeddings.index_lifecycle import default_index_dir
from embeddings.index_reuse import open_live_index, reused_traits
from embeddings.index_store import (
    CURRENT_FILE,
    FORMAT_VERSION,
    IndexDamagedError,
    Manifest,
    StoredIndex,
    load_index,
    read_manifest,
    record_use,
    remove_if_empty,
    write_index,
)
from embeddings.language import normalise as normalise_language
from embeddings.lexical import LEXICAL_VERSION
from embeddings.model import (
    ModelSpec,
    SentenceTransformerEncoder,
    locate_model,
    resolve_model,
    weights_file,
)
from embeddings.search import Searcher
from embeddings.sentences import SPLITTER_VERSION, split_sentences
from embeddings.speaker_table import SPEAKERS_VERSION
from embeddings.stamps import sha256_file, utc_timestamp
from embeddings.types import Document, Sentence
from embeddings.vector_cache import SpanCache, VectorCache, vector_cache_dir
from embeddings.vector_store import AnnSettings

logger = logging.getLogger(__name__)

# Called with the number of sentences to encode; returns a callback for each batch done.
ProgressFactory = Callable[[int], Callable[[int], None]]


def corpus_fingerprint(corpus_dir: Path) -> str:
    """A hash of every article file (name and bytes) and of the code that splits them.

    Any edit to the corpus, or a new splitter, lexical weighting, speaker reading or index
    format, gives a new fingerprint, which is how ``quotebot ask`` knows its index is stale
    (a rebuild takes the vectors over, so only what changed is computed again).
    """
    code = (
        f"format={FORMAT_VERSION};splitter={SPLITTER_VERSION};lexical={LEXICAL_VERSION}"
        f";speakers={SPEAKERS_VERSION.decode()}"
    )
    digest = hashlib.sha256(code.encode())
    for path in corpus_files(corpus_dir):
        digest.update(b"\0" + path.name.encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


__all__ = [
    "build",
    "default_index_dir",
    "index_write_problem",
    "open_searcher",
    "searcher_for",
    "staleness",
]


def index_write_problem(index_dir: Path) -> str | None:
    """Why no file can be created in the index folder (None when one can).

    Replicas share one index on a read-only volume: a stale index there is served as it is,
    not rebuilt (which would fail half-way, after deleting caches). The test is a real file
    made and removed, since permission bits say nothing about a read-only mount, and root
    passes every permission check but not an immutable folder.
    """
    try:
        handle, name = tempfile.mkstemp(prefix=".write-test-", dir=index_dir)
    except OSError as error:
        return error.strerror or str(error)
    os.close(handle)
    with contextlib.suppress(OSError):
        Path(name).unlink()
    return None


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
    corpus_dir: Path,
    index_dir: Path,
    model: str,
    progress: ProgressFactory | None = None,
    ann: AnnSettings | None = None,
    note: Callable[[str], None] | None = None,
) -> Manifest:
    """Read, split, encode and store the corpus; the previous index stays live until the end.

    ``note`` is told, in one line each, that the build encoders are being measured on this
    machine (a minute before the first progress line of a large first build) and what was
    chosen; by default those lines are logged at INFO.

    ``ann`` chooses the vector search (default "auto": exact below ``EXACT_BELOW`` sentences,
    HNSW above); the manifest records it. When the live index was built with the same model
    and HNSW parameters, its graph is extended with the new sentences instead of rebuilt.

    A failed or interrupted build leaves nothing behind: no staging folder, and no empty index
    folder where there was no index before.
    """
    try:
        index_dir.mkdir(parents=True, exist_ok=True)  # fail before minutes of encoding
    except OSError as error:
        raise IndexFormatError(
            f"cannot write the index in {index_dir}: {error.strerror or error}"
        ) from None
    problem = index_write_problem(index_dir)
    if problem is not None:  # before anything is opened, encoded or deleted
        raise IndexFormatError(f"cannot write the index in {index_dir}: {problem}")
    try:
        manifest = _build(
            corpus_dir, index_dir, model, progress, ann or AnnSettings(), note or logger.info
        )
    except BaseException:
        _remove_leftovers(index_dir)
        raise
    record_use(index_dir)
    return manifest


def manifest_for(
    spec: ModelSpec,
    index: SentenceIndex,
    corpus_dir: Path,
    fingerprint: str,
    encoder_dir: Path | None,
    **build_record: Any,
) -> Manifest:
    """The manifest of a freshly built index: which model (and its file's size and time, so a
    replaced model is noticed), which corpus, and the ONNX query encoder when there is one.

    One place, so that every writer of an index (the build, benchmarks/scale.py) records the
    same fields the freshness checks read.
    """
    stat = weights_file(spec.path).stat()
    manifest = Manifest(
        model_name=spec.name,
        model_path=str(spec.path),
        weights_sha256=spec.weights_sha256,
        weights_stat=(stat.st_size, stat.st_mtime_ns),
        dimension=index.dimension,
        sentence_count=len(index.sentences),
        document_count=len(index.documents),
        corpus_dir=str(corpus_dir.resolve()),
        corpus_fingerprint=fingerprint,
        query_encoder="torch",
        built_at=utc_timestamp(),
        **build_record,
    )
    if encoder_dir is None:
        return manifest
    return replace(
        manifest,
        query_encoder="onnx",
        encoder_id=encoder_dir.name,
        encoder_sha256=encoder_model_sha256(encoder_dir),
    )


def _remove_leftovers(index_dir: Path) -> None:
    """After a failed first build: no empty index folder, no encoder stored inside it."""
    store = encoder_store_dir(index_dir)
    if not (index_dir / CURRENT_FILE).exists() and store.parent == index_dir:
        shutil.rmtree(store, ignore_errors=True)
        shutil.rmtree(vector_cache_dir(index_dir), ignore_errors=True)
    remove_if_empty(index_dir)
    if index_dir.parent.name == INDEXES_DIR:  # DATA/indexes, created for this build
        with contextlib.suppress(OSError):
            index_dir.parent.rmdir()


def _build(
    corpus_dir: Path,
    index_dir: Path,
    model: str,
    progress: ProgressFactory | None,
    ann: AnnSettings,
    note: Callable[[str], None],
) -> Manifest:
    fingerprint = corpus_fingerprint(corpus_dir)
    documents = read_corpus(corpus_dir)
    spec = resolve_model(model)
    store = encoder_store_dir(index_dir)
    encoders = BuildEncoders(spec, lambda: _verified(store / encoder_id(spec.weights_sha256)))
    encoder_dir: Path | None = None
    try:
        encoder_dir = ensure_query_encoder(store, spec.weights_sha256, encoders)
    except ModelError as error:
        logger.warning("queries will use torch (slower start): %s", error)
    cache_dir = vector_cache_dir(index_dir)
    # The live index's vectors, traits and graph, for the sentences it already has (when its
    # vectors have this build's precision: int8 and fp32 vectors never mix).
    precision, built = encoders.planned_precision, built_precision(index_dir)
    live = open_live_index(index_dir, spec.weights_sha256) if built == precision else None
    if built not in (None, precision):
        logger.info("nothing reused from the live index: its vectors are %s", built)
    with (
        VectorCache(
            cache_dir, spec.weights_sha256, encoders.dimension, precision=precision
        ) as cache,
        SpanCache(cache_dir, SPLITTER_VERSION) as spans,
    ):
        steps: list[Callable[[int], None] | None] = [None]
        counts: dict[str, int] = {}

        def before_encoding(texts: list[str]) -> str:
            measuring = encoders.will_measure(len(texts))
            if measuring:  # otherwise silent until the first progress line
                note("measuring the build encoders on this machine (once)...")
            calibration = encoders.choose(texts)
            precision = calibration.precision
            if measuring:
                note(f"build encoder: {calibration.describe()}")
            steps[0] = progress(len(texts)) if progress else None
            return precision

        def encode_cached(texts: Sequence[str]) -> Vectors:
            vectors, encoded = cache.encode(
                texts,
                lambda part: encoders.encode(part, progress=steps[0]),
                before_encoding=before_encoding,
            )
            logger.info("encoded %d new sentences of %d", encoded, len(texts))
            counts.update(encoded=encoded, cached=len(texts) - encoded)
            return vectors

        def encode_reusing(texts: Sequence[str]) -> Vectors:
            counts.update(encoded=0, cached=0)
            if live is None:
                return encode_cached(texts)
            vectors = live.encode(texts, encode_cached)
            counts["reused"] = len(texts) - counts["encoded"] - counts["cached"]
            return vectors

        index = build_index(
            documents,
            encoders,
            encode=encode_reusing,
            split=lambda docs: split_cached(docs, spans),
            ann=ann,
            previous=live.vectors if live is not None else None,
            traits=(lambda texts, docs: reused_traits(live, texts, docs)) if live else None,
            known_tokens=live.known_tokens if live is not None else (None, None),
        )
    manifest = manifest_for(
        spec,
        index,
        corpus_dir,
        fingerprint,
        encoder_dir,
        ann={"requested": ann.kind},  # the rest is filled in from the store when written
        # The calibration is nested: its own "cached" (measured earlier on this machine) must not
        # overwrite the count of vectors taken from the vector cache.
        build_encoding={
            "precision": encoders.precision,
            **counts,
            "calibration": asdict(encoders.calibration) if encoders.calibration else None,
        },
    )
    try:
        build_dir = write_index(index, index_dir, manifest)
    except OSError as error:
        raise IndexFormatError(
            f"cannot write the index in {index_dir}: {error.strerror or error}"
        ) from None
    logger.info("index built in %s", build_dir)
    return read_manifest(index_dir)


def _verified(directory: Path) -> Path | None:
    return directory if verify_encoder(directory) is None else None


def split_cached(documents: Sequence[Document], spans: SpanCache) -> tuple[Sentence, ...]:
    """``split_documents`` with each article's spans taken from the cache when it has them."""
    languages = [normalise_language(document.language) for document in documents]
    all_spans = spans.split_all(
        [
            (document.text, language)
            for document, language in zip(documents, languages, strict=True)
        ],
        split_sentences,
    )
    sentences: list[Sentence] = []
    for doc_number, (document, doc_spans) in enumerate(zip(documents, all_spans, strict=True)):
        for position, (start, end) in enumerate(doc_spans):
            sentences.append(Sentence(doc_number, position, start, end, document.text[start:end]))
    return tuple(sentences)


def ensure_query_encoder(
    store: Path,
    weights_sha256: str,
    torch_encoder: SentenceTransformerEncoder | BuildEncoders | None = None,
) -> Path:
    """The shared ONNX encoder for these weights, exported (again) unless it verifies.

    ``torch_encoder`` is the model of a build (loaded only if an export is needed); without
    one, raises ModelError when the encoder must be exported. Also raises ModelError when the
    model cannot be exported.
    """
    directory = store / encoder_id(weights_sha256)
    problem = verify_encoder(directory)
    if problem is None:
        return directory
    if directory.exists():
        logger.warning("exporting the query encoder again: %s", problem)
    if torch_encoder is None:
        raise ModelError(problem)
    from embeddings.onnx_encoder import export_onnx

    if isinstance(torch_encoder, BuildEncoders):
        torch_encoder = torch_encoder.torch
    model = torch_encoder.model
    try:
        return store_encoder(store, weights_sha256, lambda staging: export_onnx(model, staging))
    finally:
        remove_store_if_empty(store)


def _query_encoder(stored: StoredIndex) -> Encoder:
    """The ONNX encoder the manifest names, repaired from the weights when it is damaged."""
    from embeddings.onnx_encoder import OnnxEncoder

    manifest = stored.manifest
    store = encoder_store_dir(stored.index_dir)
    if verify_encoder(stored.encoder_dir) is None:
        return OnnxEncoder(stored.encoder_dir)
    spec = _index_model(manifest)
    torch_encoder = SentenceTransformerEncoder(spec)
    try:
        return OnnxEncoder(ensure_query_encoder(store, manifest.weights_sha256, torch_encoder))
    except ModelError as error:
        logger.warning("queries will use torch (slower start): %s", error)
        return torch_encoder


def _index_model(manifest: Manifest) -> ModelSpec:
    spec = resolve_model(manifest.model_path)
    if spec.weights_sha256 != manifest.weights_sha256:
        raise IndexFormatError("the model's weights changed since the index was built")
    return spec


def searcher_for(
    stored: StoredIndex,
    abstain_below: float | None = None,
    related_below: float | None = None,
    multilingual: bool | None = None,
) -> Searcher:
    """A searcher whose query encoder is exactly the model the index was built with.

    None keeps the calibrated thresholds and guesses ``multilingual`` from the model's name.
    """
    manifest = stored.manifest
    encoder: Encoder
    if manifest.query_encoder == "onnx":
        encoder = _query_encoder(stored)
    else:
        encoder = SentenceTransformerEncoder(_index_model(manifest))
    return Searcher(
        stored.index,
        encoder,
        model_name=manifest.model_name,
        abstain_below=DEFAULT_ABSTAIN_BELOW if abstain_below is None else abstain_below,
        related_below=DEFAULT_RELATED_BELOW if related_below is None else related_below,
        multilingual=multilingual,
    )


def open_searcher(
    corpus_dir: Path,
    index_dir: Path,
    model: str,
    progress: ProgressFactory | None = None,
    abstain_below: float | None = None,
    related_below: float | None = None,
    multilingual: bool | None = None,
    ann: AnnSettings | None = None,
    ef_search: int | None = None,
) -> Searcher:
    """A searcher over an up-to-date index, building or repairing the index as needed.

    ``abstain_below`` and ``related_below`` override the calibrated thresholds (None keeps
    them); ``multilingual`` says whether the model matches questions across languages (None:
    guessed from its name). ``ann`` is the vector search that a build made here uses (see
    ``build``; an index that is up to date is not rebuilt for another ``ann``: that takes
    ``quotebot index build``). ``ef_search`` overrides the HNSW search breadth that the
    manifest records (None keeps it).
    """
    reason: str | None
    damaged = stale = False
    try:
        reason = staleness(read_manifest(index_dir), corpus_dir, model)
        stale = reason is not None
    except IndexFormatError as error:  # missing, another format, or damaged
        reason, damaged = str(error), isinstance(error, IndexDamagedError)
    if stale and (problem := index_write_problem(index_dir)) is not None:
        return _serve_stale(
            index_dir,
            f"{reason}, and its folder cannot be written here ({problem})",
            ef_search,
            abstain_below,
            related_below,
            multilingual,
        )
    if reason is None:
        try:
            searcher = searcher_for(
                _load(index_dir, ef_search),
                abstain_below,
                related_below,
                multilingual,
            )
        except IndexFormatError as error:
            reason, damaged = str(error), True
        else:
            record_use(index_dir)
            return searcher
    if damaged:
        # The reason names the index folder, or (a damaged shared encoder) what it depends on.
        where = "" if str(index_dir) in reason else f" in {index_dir}"
        problem = index_write_problem(index_dir)
        if problem is not None:  # one error line, not a warning and then a failed build
            raise IndexFormatError(
                f"the index{where} is damaged ({reason}) and cannot be rebuilt here: {problem}"
            )
        logger.warning("rebuilding the damaged index%s: %s", where, reason)
    else:
        logger.info("building the index in %s: %s", index_dir, reason)
    build(corpus_dir, index_dir, model, progress, ann)
    return searcher_for(_load(index_dir, ef_search), abstain_below, related_below, multilingual)


def _serve_stale(
    index_dir: Path,
    why: str,
    ef_search: int | None,
    abstain_below: float | None,
    related_below: float | None,
    multilingual: bool | None,
) -> Searcher:
    """The searcher over an index that is older than its corpus but cannot be rebuilt here
    (a replica's read-only copy): one warning, nothing written or deleted."""
    try:
        stored = _load(index_dir, ef_search)
    except IndexFormatError as error:
        raise IndexFormatError(f"{error}; it cannot be rebuilt here: {why}") from None
    logger.warning(
        "serving the index in %s as it is, older than its corpus or model: %s; "
        "rebuild it where it can be written (quotebot index build --index %s)",
        index_dir,
        why,
        index_dir,
    )
    searcher = searcher_for(stored, abstain_below, related_below, multilingual)
    searcher.stale_reason = why
    return searcher


def _load(index_dir: Path, ef_search: int | None) -> StoredIndex:
    """``load_index``, logging the HNSW search breadth in effect and where it comes from (an
    override is otherwise invisible; FAISS explores max(efSearch, candidates))."""
    from embeddings.ranking import CANDIDATES

    stored = load_index(index_dir, ef_search=ef_search)
    ann = stored.manifest.ann or {}
    if ann.get("kind") == "hnsw":
        recorded = int(ann.get("ef_search", 1024))
        value = recorded if ef_search is None else ef_search
        source = "the manifest's"
        if ef_search is not None:
            source = f"overridden, the manifest's is {recorded}"
        logger.info(
            "HNSW search of %s: efSearch=%d (%s), in effect %d = max(efSearch, %d candidates)",
            index_dir,
            value,
            source,
            max(value, CANDIDATES),
            CANDIDATES,
        )
    return stored
