"""The retrieval engine of quotebot: corpus, sentences, encoders, index and search.

Importable without Telegram (a test enforces it) so that the CLI, the bot and the evaluation
all share one engine. Front ends import from here only (``from embeddings import
open_searcher``); the names are resolved lazily, on first use, because the engine's modules
pull in FAISS, numpy and (for building) torch, and ``quotebot --help`` or a cold
``quotebot ask`` must not pay for what they do not use. The query path never imports torch or
sentence-transformers.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from embeddings.abstention import DEFAULT_ABSTAIN_BELOW, DEFAULT_RELATED_BELOW
    from embeddings.answer_sets import (
        AnswerSetError,
        AnswerSetReport,
        evaluate_answer_set,
        load_answer_set,
        unfound_answers,
    )
    from embeddings.build_precision import describe_build_encoding, requested_precision
    from embeddings.corpus import read_corpus
    from embeddings.encoder_store import encoder_store_dir
    from embeddings.errors import (
        CorpusError,
        IndexFormatError,
        ModelError,
        QuestionError,
        QuotebotError,
    )
    from embeddings.evaluation import (
        EvaluationError,
        calibrate,
        evaluate_squad,
        load_cases,
        run_cases,
    )
    from embeddings.index_lifecycle import (
        CacheSummary,
        EncoderSummary,
        IndexSummary,
        PruneResult,
        list_encoders,
        list_indexes,
        list_vector_caches,
        prune_indexes,
        verify_index,
    )
    from embeddings.index_store import (
        IndexDamagedError,
        IndexMissingError,
        Manifest,
        read_manifest,
    )
    from embeddings.language import is_multilingual_model, unsupported_language_answer
    from embeddings.lexical import term_spans, tokenize
    from embeddings.messages import (
        in_language,
        outcome_frame,
        unsupported_language_reply,
        unsupported_language_short,
    )
    from embeddings.model import DEFAULT_MODEL, SentenceTransformerEncoder, resolve_model
    from embeddings.quote_joining import MAX_QUOTE_SENTENCES, paged_quotes
    from embeddings.ranking import CANDIDATES
    from embeddings.search import (
        MAX_QUESTION_CHARS,
        MAX_TOP_K,
        Passage,
        Searcher,
        validate_question,
    )
    from embeddings.service import (
        build,
        default_index_dir,
        index_write_problem,
        open_searcher,
        staleness,
    )
    from embeddings.squad import load_squad
    from embeddings.stamps import utc_timestamp
    from embeddings.text_fragment import url_to_quote
    from embeddings.types import Answer, Document, Quote, Sentence
    from embeddings.vector_store import ANN_KINDS, AnnSettings

# Public name -> the module that defines it.
_EXPORTS: dict[str, str] = {
    "CANDIDATES": "embeddings.ranking",
    "DEFAULT_ABSTAIN_BELOW": "embeddings.abstention",
    "DEFAULT_RELATED_BELOW": "embeddings.abstention",
    "AnswerSetError": "embeddings.answer_sets",
    "AnswerSetReport": "embeddings.answer_sets",
    "evaluate_answer_set": "embeddings.answer_sets",
    "load_answer_set": "embeddings.answer_sets",
    "unfound_answers": "embeddings.answer_sets",
    "CorpusError": "embeddings.errors",
    "IndexFormatError": "embeddings.errors",
    "ModelError": "embeddings.errors",
    "QuestionError": "embeddings.errors",
    "QuotebotError": "embeddings.errors",
    "EvaluationError": "embeddings.evaluation",
    "calibrate": "embeddings.evaluation",
    "evaluate_squad": "embeddings.evaluation",
    "load_cases": "embeddings.evaluation",
    "run_cases": "embeddings.evaluation",
    "encoder_store_dir": "embeddings.encoder_store",
    "describe_build_encoding": "embeddings.build_precision",
    "requested_precision": "embeddings.build_precision",
    "CacheSummary": "embeddings.index_lifecycle",
    "EncoderSummary": "embeddings.index_lifecycle",
    "IndexSummary": "embeddings.index_lifecycle",
    "PruneResult": "embeddings.index_lifecycle",
    "list_encoders": "embeddings.index_lifecycle",
    "list_indexes": "embeddings.index_lifecycle",
    "list_vector_caches": "embeddings.index_lifecycle",
    "prune_indexes": "embeddings.index_lifecycle",
    "verify_index": "embeddings.index_lifecycle",
    "IndexDamagedError": "embeddings.index_store",
    "IndexMissingError": "embeddings.index_store",
    "Manifest": "embeddings.index_store",
    "read_manifest": "embeddings.index_store",
    "read_corpus": "embeddings.corpus",
    "is_multilingual_model": "embeddings.language",
    "unsupported_language_answer": "embeddings.language",
    "term_spans": "embeddings.lexical",
    "in_language": "embeddings.messages",
    "outcome_frame": "embeddings.messages",
    "unsupported_language_reply": "embeddings.messages",
    "unsupported_language_short": "embeddings.messages",
    "tokenize": "embeddings.lexical",
    "DEFAULT_MODEL": "embeddings.model",
    "SentenceTransformerEncoder": "embeddings.model",
    "resolve_model": "embeddings.model",
    "MAX_QUOTE_SENTENCES": "embeddings.quote_joining",
    "paged_quotes": "embeddings.quote_joining",
    "MAX_QUESTION_CHARS": "embeddings.search",
    "MAX_TOP_K": "embeddings.search",
    "Passage": "embeddings.search",
    "Searcher": "embeddings.search",
    "validate_question": "embeddings.search",
    "build": "embeddings.service",
    "default_index_dir": "embeddings.service",
    "index_write_problem": "embeddings.service",
    "open_searcher": "embeddings.service",
    "staleness": "embeddings.service",
    "load_squad": "embeddings.squad",
    "url_to_quote": "embeddings.text_fragment",
    "utc_timestamp": "embeddings.stamps",
    "Answer": "embeddings.types",
    "Document": "embeddings.types",
    "Quote": "embeddings.types",
    "Sentence": "embeddings.types",
    "ANN_KINDS": "embeddings.vector_store",
    "AnnSettings": "embeddings.vector_store",
}

__all__ = [
    "ANN_KINDS",
    "CANDIDATES",
    "DEFAULT_ABSTAIN_BELOW",
    "DEFAULT_MODEL",
    "DEFAULT_RELATED_BELOW",
    "MAX_QUESTION_CHARS",
    "MAX_QUOTE_SENTENCES",
    "MAX_TOP_K",
    "AnnSettings",
    "Answer",
    "AnswerSetError",
    "AnswerSetReport",
    "CacheSummary",
    "CorpusError",
    "Document",
    "EncoderSummary",
    "EvaluationError",
    "IndexDamagedError",
    "IndexFormatError",
    "IndexMissingError",
    "IndexSummary",
    "Manifest",
    "ModelError",
    "Passage",
    "PruneResult",
    "QuestionError",
    "Quote",
    "QuotebotError",
    "Searcher",
    "Sentence",
    "SentenceTransformerEncoder",
    "build",
    "calibrate",
    "default_index_dir",
    "describe_build_encoding",
    "encoder_store_dir",
    "evaluate_answer_set",
    "evaluate_squad",
    "in_language",
    "index_write_problem",
    "is_multilingual_model",
    "list_encoders",
    "list_indexes",
    "list_vector_caches",
    "load_answer_set",
    "load_cases",
    "load_squad",
    "open_searcher",
    "outcome_frame",
    "paged_quotes",
    "prune_indexes",
    "read_corpus",
    "read_manifest",
    "requested_precision",
    "resolve_model",
    "run_cases",
    "staleness",
    "term_spans",
    "tokenize",
    "unfound_answers",
    "unsupported_language_answer",
    "unsupported_language_reply",
    "unsupported_language_short",
    "url_to_quote",
    "utc_timestamp",
    "validate_question",
    "verify_index",
]


def __getattr__(name: str) -> Any:
    """Import the defining module on first access (PEP 562) and cache the name here."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'embeddings' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
