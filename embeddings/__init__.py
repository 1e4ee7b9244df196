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
    from embeddings.abstention import DEFAULT_ABSTAIN_BELOW
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
    from embeddings.index_store import Manifest, read_manifest
    from embeddings.lexical import tokenize
    from embeddings.model import DEFAULT_MODEL, SentenceTransformerEncoder, resolve_model
    from embeddings.search import (
        MAX_QUESTION_CHARS,
        MAX_TOP_K,
        Passage,
        Searcher,
        validate_question,
    )
    from embeddings.service import build, default_index_dir, open_searcher, staleness
    from embeddings.squad import load_squad
    from embeddings.types import Answer, Document, Quote, Sentence

# Public name -> the module that defines it.
_EXPORTS: dict[str, str] = {
    "DEFAULT_ABSTAIN_BELOW": "embeddings.abstention",
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
    "Manifest": "embeddings.index_store",
    "read_manifest": "embeddings.index_store",
    "tokenize": "embeddings.lexical",
    "DEFAULT_MODEL": "embeddings.model",
    "SentenceTransformerEncoder": "embeddings.model",
    "resolve_model": "embeddings.model",
    "MAX_QUESTION_CHARS": "embeddings.search",
    "MAX_TOP_K": "embeddings.search",
    "Passage": "embeddings.search",
    "Searcher": "embeddings.search",
    "validate_question": "embeddings.search",
    "build": "embeddings.service",
    "default_index_dir": "embeddings.service",
    "open_searcher": "embeddings.service",
    "staleness": "embeddings.service",
    "load_squad": "embeddings.squad",
    "Answer": "embeddings.types",
    "Document": "embeddings.types",
    "Quote": "embeddings.types",
    "Sentence": "embeddings.types",
}

__all__ = [
    "DEFAULT_ABSTAIN_BELOW",
    "DEFAULT_MODEL",
    "MAX_QUESTION_CHARS",
    "MAX_TOP_K",
    "Answer",
    "CorpusError",
    "Document",
    "EvaluationError",
    "IndexFormatError",
    "Manifest",
    "ModelError",
    "Passage",
    "QuestionError",
    "Quote",
    "QuotebotError",
    "Searcher",
    "Sentence",
    "SentenceTransformerEncoder",
    "build",
    "calibrate",
    "default_index_dir",
    "evaluate_squad",
    "load_cases",
    "load_squad",
    "open_searcher",
    "read_manifest",
    "resolve_model",
    "run_cases",
    "staleness",
    "tokenize",
    "validate_question",
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
