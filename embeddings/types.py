"""The values that flow from the corpus to the front ends.

They are plain frozen dataclasses so that every front end (CLI, Telegram, evaluation) renders
the same facts and none of them can change what the engine found.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# What an answer is, worded differently by every front end:
# - answered: the quotes answer the question;
# - related: the corpus speaks of the subject but does not answer (closest passages shown);
# - declined: nothing in the corpus is relevant;
# - unsupported-language: the question is in a language the corpus cannot be searched in.
Outcome = Literal["answered", "related", "declined", "unsupported-language"]
OUTCOMES: tuple[Outcome, ...] = ("answered", "related", "declined", "unsupported-language")


@dataclass(frozen=True)
class Document:
    """One article: its metadata exactly as the source gives it, and its body text.

    ``text`` is the body of the file (after any front matter) and ``body_offset`` is where it
    starts in the file, so ``file_text[body_offset + start:body_offset + end]`` is a sentence's
    verbatim text in the original file. Metadata that the source does not give stays ``None``.
    """

    id: str
    title: str
    text: str
    source: str | None = None
    date: str | None = None
    url: str | None = None
    language: str | None = None
    path: str = ""
    body_offset: int = 0
    # Last, so that positional construction of the fields above keeps working.
    author: str | None = None

    def citation_fields(self) -> dict[str, str | None]:
        """The document as the JSON contract of ``quotebot ask --json`` shows it."""
        return {
            "id": self.id,
            "title": self.title,
            "source": self.source,
            "author": self.author,
            "date": self.date,
            "url": self.url,
        }


@dataclass(frozen=True)
class Sentence:
    """A sentence of a document: ``document.text[start:end] == text``, always."""

    doc: int
    position: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Quote:
    """A sentence shown to a user, with its score, citation and neighbours.

    ``also_in`` lists the other documents that contain the very same sentence, so that a
    sentence syndicated in several articles is shown once with all of its sources. A quote may
    be a run of ``sentences`` consecutive sentences of one article from ``position`` on, when
    they ranked among the same answer's quotes (embeddings/quote_joining.py); ``text`` is then
    the article's text from the first one's start to the last one's end.
    """

    text: str
    score: float
    document: Document
    position: int
    context_before: str | None = None
    context_after: str | None = None
    also_in: tuple[Document, ...] = ()
    # Who the article says spoke this sentence; None when it does not say (never a guess).
    speaker: str | None = None
    # The article's account of what ``speaker`` said, not in quotation marks ("Refat Chubarov
    # also expressed his indignation at ..."): the words are the article's, not the speaker's.
    reported_speech: bool = False
    sentences: int = 1
    # Where ``text`` is in ``document.text`` (None for a quote made without an index).
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class Answer:
    """What the engine found for one question, best quote first.

    ``outcome`` says whether the quotes answer the question (see ``Outcome``); unless it is
    ``answered`` the quotes are at best the nearest candidates, which front ends must not
    present as an answer. ``relevance`` is the evidence for the best candidate that the
    abstention thresholds are compared with; ``language`` is the question's detected language
    when it was detected.
    """

    question: str
    quotes: tuple[Quote, ...] = field(default_factory=tuple)
    outcome: Outcome = "answered"
    relevance: float = 0.0
    language: str | None = None
    # The question as it was searched, when that differs from the question as typed (Cyrillic
    # names in an English question are searched in Latin letters): what front ends highlight.
    searched_as: str | None = None

    @property
    def searched(self) -> str:
        """The question as it was searched: the words front ends highlight in the quotes."""
        return self.searched_as or self.question

    @property
    def abstained(self) -> bool:
        """True unless the quotes answer the question (kept for the JSON contract)."""
        return self.outcome != "answered"
