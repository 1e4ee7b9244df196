"""Cyrillic names in English questions ("Who is Умеров?") are searched in the corpus's Latin
spelling (issue 8 item 5, NU8B L1): they were declined, since the articles write "Umerov"."""

from __future__ import annotations

from pathlib import Path

import pytest

from embeddings.search import Searcher
from embeddings.transliteration import (
    candidates,
    searchable_question,
    transliterate_question,
    transliterate_ru,
    transliterate_uk,
    transliterate_word,
)


@pytest.mark.parametrize(
    ("word", "latin"),
    [
        ("Алушта", "alushta"),
        ("Борщагівка", "borshchahivka"),
        ("Згурський", "zghurskyi"),
        ("Єнакієве", "yenakiieve"),
        ("Житомир", "zhytomyr"),
        ("Йосипівка", "yosypivka"),
        ("Стрий", "stryi"),
        ("Їжакевич", "yizhakevych"),
        ("Кадиївка", "kadyivka"),
        ("Юрій", "yurii"),
        ("Крюківка", "kriukivka"),
        ("Яготин", "yahotyn"),
        ("Костянтин", "kostiantyn"),
        ("Гаращенко", "harashchenko"),
        ("Ґорґани", "gorgany"),
        ("Харків", "kharkiv"),
        ("Чернівці", "chernivtsi"),
        ("Шостка", "shostka"),
        ("Щербухи", "shcherbukhy"),
        ("Знам'янка", "znamianka"),
        ("Мар’яна", "mariana"),
        ("Львів", "lviv"),
    ],
)
def test_ukrainian_words_follow_the_national_transliteration(word: str, latin: str) -> None:
    """The official examples of KMU 2010 (resolution 55)."""
    assert transliterate_uk(word) == latin


@pytest.mark.parametrize(
    ("word", "latin"),
    [("Гагарин", "gagarin"), ("Хрущёв", "khrushchev"), ("Эрмитаж", "ermitazh"),
     ("Подъезд", "podezd"), ("Рыбаков", "rybakov"), ("Ельцин", "yeltsin"), ("Йошкар", "yoshkar")],
)  # fmt: skip
def test_russian_words_follow_the_common_romanisation(word: str, latin: str) -> None:
    assert transliterate_ru(word) == latin


def test_a_name_gets_the_spelling_the_corpus_uses() -> None:
    corpus = {"umerov", "dzhemilev", "mejlis", "chiygoz"}
    assert transliterate_word("Умеров", corpus.__contains__) == "Umerov"
    assert transliterate_word("Джемілєв", corpus.__contains__) == "Dzhemilev"
    assert transliterate_word("Меджліс", corpus.__contains__) == "Mejlis"
    assert transliterate_word("Чийгоз", corpus.__contains__) == "Chiygoz"
    # Unknown to the corpus: the Ukrainian rule, cased like the word.
    assert transliterate_word("Джемілєв") == "Dzhemiliev"
    assert transliterate_word("НАТО") == "NATO"
    assert "mejlis" in candidates("Меджліс") and "dzhemilev" in candidates("Джемілєв")


def test_a_russian_only_letter_puts_the_russian_spelling_first() -> None:
    assert candidates("Хрущёв")[0] == "khrushchev"
    assert candidates("Гагарин")[0] == "haharyn"  # no letter says Russian: Ukrainian first
    assert transliterate_word("Гагарин", {"gagarin"}.__contains__) == "Gagarin"


def test_only_cyrillic_words_change() -> None:
    assert transliterate_question("Who is Умеров?") == "Who is Umerov?"
    assert (
        transliterate_question("What did Джемілєв say, and Ілмі Умеров?")
        == "What did Dzhemiliev say, and Ilmi Umerov?"
    )
    question = "Who is Umerov's lawyer?"
    assert transliterate_question(question) is question
    # A Cyrillic word the corpus knows as it is (a Ukrainian article) stays.
    assert transliterate_question("Who is Умеров?", {"умеров"}.__contains__) == "Who is Умеров?"


def test_questions_in_a_cyrillic_language_are_searched_as_typed(fake_searcher: Searcher) -> None:
    lexical = fake_searcher.index.lexical
    assert searchable_question("Хто такий Умеров?", "uk", lexical) == "Хто такий Умеров?"
    assert searchable_question("Кто такой Умеров?", "ru", lexical) == "Кто такой Умеров?"
    assert searchable_question("Who is Умеров?", "en", lexical) == "Who is Umerov?"
    assert searchable_question("Who leads the Меджліс?", "en", lexical) == "Who leads the Mejlis?"
    english = "Who defends Umerov in court?"
    assert searchable_question(english, "en", lexical) is english


def test_a_cyrillic_name_is_answered_like_its_latin_spelling(fake_searcher: Searcher) -> None:
    cyrillic, latin = fake_searcher.search_many(
        [
            "What did Джемілєв say about political prisoners?",
            "What did Dzhemilev say about political prisoners?",
        ]
    )
    assert cyrillic.question == "What did Джемілєв say about political prisoners?"
    assert cyrillic.language == "en"
    assert cyrillic.quotes == latin.quotes
    assert cyrillic.relevance == latin.relevance
    assert cyrillic.outcome == latin.outcome


def test_a_ukrainian_question_with_a_name_still_gets_the_ukrainian_reply(
    fake_searcher: Searcher,
) -> None:
    answer = fake_searcher.search("Хто такий Умеров?")
    assert answer.outcome == "unsupported-language"
    assert answer.language == "uk"
    assert answer.quotes == ()


ENGLISH_QUESTIONS = [
    "Who is Umerov?",
    "Who defends Umerov in court?",
    "How many political prisoners are held in Crimea?",
    "What was written on the banner?",
    "What is the population of Tokyo?",
]


@pytest.mark.integration
def test_cyrillic_names_are_found_with_the_real_model(real_index_dir: Path) -> None:
    from embeddings.service import open_searcher
    from tests.conftest import CORPUS

    searcher = open_searcher(CORPUS, real_index_dir, "all-MiniLM-L6-v2")
    umerov, dzhemilev, ukrainian = searcher.search_many(
        [
            "Who is Умеров?",
            "What did Джемілєв say about political prisoners?",
            "Хто такий Умеров?",
        ]
    )
    assert umerov.question == "Who is Умеров?"
    assert umerov.outcome in ("answered", "related")
    assert "Umerov" in umerov.quotes[0].text
    assert dzhemilev.outcome == "answered"
    assert dzhemilev.quotes[0].speaker == "Mustafa Dzhemilev"
    assert (
        dzhemilev.quotes[0].text
        == searcher.search("What did Dzhemilev say about political prisoners?").quotes[0].text
    )
    assert ukrainian.outcome == "unsupported-language" and ukrainian.language == "uk"

    # A question without Cyrillic is searched exactly as it is: the same quotes and relevance
    # as ranking the typed question directly.
    vectors = searcher.encoder.encode(ENGLISH_QUESTIONS)
    for answer, question, vector in zip(
        searcher.search_many(ENGLISH_QUESTIONS), ENGLISH_QUESTIONS, vectors, strict=True
    ):
        ranking = searcher.rank(question, vector, "en")
        assert answer.relevance == ranking.relevance
        first = searcher.index.sentences[int(ranking.ids[0])]
        assert answer.quotes[0].text == first.text
        assert answer.quotes[0].score == float(ranking.fused[0])
