"""Answers as plain text and JSON for the command line; pure functions, no I/O.

The JSON shape is a contract that other tools drive, so it is built here in one place; it only
ever grows (new keys), so older readers keep working. The text output words each outcome
honestly: quotes are presented as an answer only when the outcome is ``answered``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any

from bot.attribution import speaker_label
from bot.quote_marks import display_quote
from embeddings import (
    Answer,
    Document,
    Quote,
    outcome_frame,
    unsupported_language_reply,
    url_to_quote,
)

# The wording of each outcome, shared with the Telegram renderer so both front ends agree: the
# engine's (embeddings/messages.py), in the question's language; these are the English ones.
FRAME = outcome_frame("answered")
ABSTAIN = outcome_frame("declined")
RELATED = outcome_frame("related")


def citation(document: Document, quoted_title: bool = False) -> str:
    """Title, source, author and date, then the link: only what the article itself gives.

    ``quoted_title`` puts the title in quotation marks, as under a quote (see
    ``quote_citation``).
    """
    parts = [f"“{document.title}”" if quoted_title else document.title]
    parts += [value for value in (document.source, document.author, document.date) if value]
    text = ", ".join(parts)
    return f"{text} <{document.url}>" if document.url else text


def quote_citation(quote: Quote) -> str:
    """``Mustafa Dzhemilev, in “<title>”, <source>...`` when the article names the speaker
    (``Refat Chubarov (reported speech), in ...`` for the article's account of what they
    said), else ``“<title>”, <source>...``.

    The title is in quotation marks because many news titles begin with a name ("Mustafa
    Dzhemilev: 67 people held in custody..."): bare, under a quote nobody is said to have
    spoken it read as an attribution, and after a speaker as a second one.
    """
    text = citation(quote.document, quoted_title=True)
    if not quote.speaker:
        return text
    return f"{speaker_label(quote.speaker, quote.reported_speech)}, in {text}"


def render_quote(number: int, quote: Quote) -> str:
    """A numbered quote with balanced marks, its citation and its relevance (0..1).

    A quote whose sentences span a paragraph break (embeddings/quote_joining.py) keeps it, each
    paragraph indented under the number; line breaks inside a paragraph read as spaces.
    """
    shown = display_quote(quote.text).replace("\n", "\n   ")
    lines = [f"{number}. {shown}", f"   — {quote_citation(quote)}"]
    lines += [f"   — also in: {citation(document)}" for document in quote.also_in]
    lines[-1] += f" (relevance {shown_relevance(quote.score)})"
    return "\n".join(lines)


def shown_relevance(score: float) -> str:
    """The score to two decimals, rounded down: 0.2996 is below the default "answered" line
    (0.3), and printed "0.30" under "the sources do not answer" it read as a contradiction
    (NU23-13)."""
    return f"{math.floor(score * 100 + 1e-9) / 100:.2f}"


def render_text(answer: Answer, documents: Iterable[Document] = ()) -> str:
    """The answer as a terminal shows it, worded by its outcome.

    ``documents`` are the searched articles: the unsupported-language reply says they are in
    English only when they are.
    """
    if answer.outcome == "unsupported-language":
        return unsupported_language_reply(answer.language, documents)
    if answer.outcome == "declined" or not answer.quotes:
        return outcome_frame("declined", answer.language)
    head = outcome_frame(
        "answered" if answer.outcome == "answered" else "related", answer.language
    )
    body = "\n\n".join(render_quote(n, quote) for n, quote in enumerate(answer.quotes, 1))
    return f"{head}\n\n{body}"


def answer_record(answer: Answer, documents: Iterable[Document] = ()) -> dict[str, Any]:
    """The ``--json`` object for one answer (one per line).

    An unsupported-language answer also carries ``message``, the reply the text output gives
    (in the question's language), so that a script need not word it again; ``documents`` are
    the searched articles, as for ``render_text``.
    """
    record: dict[str, Any] = {
        "question": answer.question,
        "outcome": answer.outcome,
        "abstained": answer.abstained,
        "language": answer.language,
        "relevance": round(answer.relevance, 6),
        "quotes": [
            {
                "text": quote.text,
                "score": round(quote.score, 6),
                "sentence": quote.position,
                # consecutive sentences from "sentence" on (embeddings/quote_joining.py)
                "sentences": quote.sentences,
                # where ``text`` is in the article file: file_text[start:end] == text
                "start": _file_offset(quote, quote.start),
                "end": _file_offset(quote, quote.end),
                "speaker": quote.speaker,
                # true: the article's account of what the speaker said, not their words
                "reported_speech": quote.reported_speech,
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
    if answer.outcome == "unsupported-language":
        record["message"] = unsupported_language_reply(answer.language, documents)
    return record


def _file_offset(quote: Quote, offset: int | None) -> int | None:
    """An offset into the article's body as one into its file (decoded as the corpus reads
    it: UTF-8, a byte order mark dropped), so a reader can check a quote against the file."""
    return None if offset is None else quote.document.body_offset + offset


def error_record(question: str, error: str, line: int | None) -> dict[str, Any]:
    """The ``--json`` object for a question that could not be asked (keeps batch alignment)."""
    # A line that was not UTF-8 holds lone surrogates; JSON consumers get U+FFFD in their place.
    readable = question.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    record: dict[str, Any] = {"question": readable, "error": error}
    if line is not None:
        record["line"] = line
    return record


def render_json(answer: Answer, documents: Iterable[Document] = ()) -> str:
    return json.dumps(answer_record(answer, documents), ensure_ascii=False)


def render_error_json(question: str, error: str, line: int | None) -> str:
    return json.dumps(error_record(question, error, line), ensure_ascii=False)
