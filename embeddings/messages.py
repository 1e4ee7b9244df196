"""Fixed replies that the engine words itself, in the language of the question.

Front ends show these texts as they are (escaping them for their markup); they are engine
constants so that the CLI and Telegram say the same thing. Each is keyed by ISO 639-1 code;
a language without its own text gets English.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from embeddings.language import ENGLISH, normalise
from embeddings.types import Document

# To a question in a language the corpus cannot be searched in (outcome
# "unsupported-language"). Two variants: the articles are all English, or some are not (then
# only the model's language can be said truthfully).
UNSUPPORTED_LANGUAGE_ENGLISH_ARTICLES: dict[str, str] = {
    "en": (
        "The articles are in English, and I can search them only in English. "
        "Please ask your question in English; the answer will quote the articles word for word."
    ),
    "uk": (
        "Статті написані англійською мовою, і шукати в них я можу лише англійською. "
        "Будь ласка, поставте запитання англійською: відповідь процитує статті дослівно."
    ),
    "ru": (
        "Статьи написаны на английском языке, и искать в них я могу только на английском. "
        "Пожалуйста, задайте вопрос на английском: ответ процитирует статьи дословно."
    ),
}
UNSUPPORTED_LANGUAGE_OTHER_ARTICLES: dict[str, str] = {
    "en": (
        "I can search the articles only in English with the current sentence model. "
        "Please ask your question in English; the answer will quote the articles word for word."
    ),
    "uk": (
        "З поточною моделлю речень я можу шукати в статтях лише англійською. "
        "Будь ласка, поставте запитання англійською: відповідь процитує статті дослівно."
    ),
    "ru": (
        "С текущей моделью предложений я могу искать в статьях только на английском. "
        "Пожалуйста, задайте вопрос на английском: ответ процитирует статьи дословно."
    ),
}


def in_language(texts: Mapping[str, str], language: str | None) -> str:
    """The text of ``texts`` (by ISO 639-1 code) in ``language``, English when it has none:
    how every reply the bot words itself picks its language."""
    return texts.get(language or ENGLISH, texts[ENGLISH])


def unsupported_language_reply(language: str | None, documents: Iterable[Document] = ()) -> str:
    """What to tell the asker of a question in an unsupported language, in that language.

    Args:
        language: ``Answer.language`` of the unsupported-language answer.
        documents: The searched articles (``Searcher.documents``): unless all are English,
            the reply does not claim they are.
    """
    articles_all_english = all(normalise(document.language) == ENGLISH for document in documents)
    texts = (
        UNSUPPORTED_LANGUAGE_ENGLISH_ARTICLES
        if articles_all_english
        else UNSUPPORTED_LANGUAGE_OTHER_ARTICLES
    )
    return in_language(texts, language)


# The same, short enough for a button (Telegram: at most 64 characters), e.g. the one inline
# mode shows instead of quote cards.
UNSUPPORTED_LANGUAGE_SHORT: dict[str, str] = {
    "en": "I can search the articles in English only",
    "uk": "Я можу шукати в статтях лише англійською",
    "ru": "Я могу искать в статьях только на английском",
}


def unsupported_language_short(language: str | None) -> str:
    """``unsupported_language_reply`` in a few words (true whatever the articles' languages:
    it is the model that searches only English), in the question's language."""
    return in_language(UNSUPPORTED_LANGUAGE_SHORT, language)


# The head of an answer by its outcome (embeddings/abstention.py), in the question's language:
# a multilingual model answers a Ukrainian or Russian question, and its frame should not be
# English. The quotes under it stay verbatim and the citations as the articles give them.
OUTCOME_FRAMES: dict[str, dict[str, str]] = {
    "answered": {
        "en": "Here is what the sources say:",
        "uk": "Ось що кажуть джерела:",
        "ru": "Вот что говорят источники:",
    },
    "related": {
        "en": (
            "The sources speak of this subject but do not answer the question. "
            "The closest passages (not an answer):"
        ),
        "uk": (
            "Джерела говорять про цю тему, але не відповідають на запитання. "
            "Найближчі уривки (не відповідь):"
        ),
        "ru": (
            "Источники говорят об этой теме, но не отвечают на вопрос. "
            "Ближайшие отрывки (не ответ):"
        ),
    },
    "declined": {
        "en": "The sources do not answer this question.",
        "uk": "Джерела не відповідають на це запитання.",
        "ru": "Источники не отвечают на этот вопрос.",
    },
}


def outcome_frame(outcome: str, language: str | None = None) -> str:
    """The head of an ``answered``, ``related`` or ``declined`` answer in ``language``
    (``Answer.language``), English for a language without its own text."""
    texts = OUTCOME_FRAMES[outcome]
    return in_language(texts, language)
