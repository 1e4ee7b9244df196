"""Answers as plain text and JSON for the command line; pure functions, no I/O.

The JSON shape is a contract that other tools drive, so it is built here in one place.
"""

from __future__ import annotations

import json
from typing import Any

from embeddings import Answer, Document, Quote, url_to_quote

QUOTE_MARKS = "\"'“”‘’«»„"
FRAME = "Here is what the sources say:"
ABSTAIN = "The sources do not answer this question."


def citation(document: Document) -> str:
    """Title, source, author and date, then the link: only what the article itself gives."""
    parts = [document.title]
    parts += [value for value in (document.source, document.author, document.date) if value]
    text = ", ".join(parts)
    return f"{text} <{document.url}>" if document.url else text


def _quoted(text: str) -> str:
    """Frame a sentence in quotation marks unless it already opens with one of its own."""
    return text if text[:1] in QUOTE_MARKS else f"“{text}”"


def render_quote(number: int, quote: Quote) -> str:
    lines = [f"{number}. {_quoted(quote.text)}", f"   — {citation(quote.document)}"]
    lines += [f"   — also in: {citation(document)}" for document in quote.also_in]
    lines[-1] += f" (score {quote.score:.2f})"
    return "\n".join(lines)


def render_text(answer: Answer) -> str:
    """The answer as a terminal shows it; abstentions show no quotes at all."""
    if answer.abstained or not answer.quotes:
        return ABSTAIN
    body = "\n\n".join(render_quote(n, quote) for n, quote in enumerate(answer.quotes, 1))
    return f"{FRAME}\n\n{body}"


def answer_record(answer: Answer) -> dict[str, Any]:
    """The ``--json`` object for one answer (one per line)."""
    return {
        "question": answer.question,
        "abstained": answer.abstained,
        "relevance": round(answer.relevance, 6),
        "quotes": [
            {
                "text": quote.text,
                "score": round(quote.score, 6),
                "sentence": quote.position,
                "context_before": quote.context_before,
                "context_after": quote.context_after,
                "document": quote.document.citation_fields(),
                # The article's URL with a text fragment that scrolls to this very sentence.
                "url_to_quote": (
                    url_to_quote(quote.document.url, quote.text) if quote.document.url else None
                ),
                "also_in": [document.citation_fields() for document in quote.also_in],
            }
            for quote in answer.quotes
        ],
    }


def render_json(answer: Answer) -> str:
    return json.dumps(answer_record(answer), ensure_ascii=False)
