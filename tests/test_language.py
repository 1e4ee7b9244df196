"""Language detection of questions, and the honest reply to a language the corpus cannot be
searched in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from embeddings.index import build_index
from embeddings.language import (
    can_search,
    detect_language,
    is_multilingual_model,
    normalise,
    unsupported_language_answer,
)
from embeddings.messages import unsupported_language_reply
from embeddings.search import Searcher
from embeddings.types import Document
from tests.fakes import HashingEncoder, TranslatingEncoder

DATA = Path(__file__).parent / "data"

# Short, plain English questions of the kind users type, beside those of tests/data.
MORE_ENGLISH = """Who is Refat Chubarov?
Who said it?
Who spoke?
What did he say?
Why?
How many?
When was he arrested?
Where is the banner?
What happened on August 21?
Is Umerov in hospital?
Who is Zare?
Who is Nestor Shufrich?
Where is Simferopol?
What is the Mejlis?
What is KrymSOS?
Who defends Umerov in court?
What was written on the banner?
How much is the fine?
How much money do the children get?
Who helps the children of political prisoners?
Is the election of Putin legal?
What is the Crimean Marathon?
Who is Lily Budzhurova?
When will Umerov be released?
What did the girl named Zarema say?
Who paid the fine with coins?
How heavy were the bags of coins?
What does the prosecution allege?
Why was Umerov sent to a psychiatric clinic?
What happens at the G20 summit?
How long will the banner hang?
Who took part in the action?
Is Crimea Ukrainian?
Are Crimean Tatars detained?
Did Chubarov name any MPs?
Do people in Crimea pay fines?
Has Umerov lost consciousness?
Which bridge was the banner on?
Whose wife spoke at the campaign?
What's the situation of Crimean Tatars?
Who's the head of the Mejlis?
Tell me about Ilmi Umerov.
Political prisoners in Crimea
Crimean Tatars
Umerov health
Dzhemilev interview
Stop Killing Ilmi Umerov
Mejlis
Kyiv
Putin""".splitlines()


def _english_questions() -> list[str]:
    lines = (DATA / "default-corpus-questions.jsonl").read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in lines if line.strip()]
    squad = json.loads((DATA / "squad-mini.json").read_text(encoding="utf-8"))
    questions += [
        qa["question"]
        for article in squad["data"]
        for paragraph in article["paragraphs"]
        for qa in paragraph["qas"]
    ]
    return questions + MORE_ENGLISH


def test_over_a_hundred_english_questions_are_all_english() -> None:
    questions = _english_questions()
    assert len(questions) >= 100
    assert [q for q in questions if detect_language(q) != "en"] == []


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("Скільки політв'язнів утримують у Криму?", "uk"),
        ("Хто сказав, що ситуація в Криму жахлива?", "uk"),
        ("Що написано на банері?", "uk"),
        ("Коли звільнять Ільмі Умерова?", "uk"),
        ("Сколько политзаключенных содержится в Крыму?", "ru"),
        ("Кто сказал, что ситуация в Крыму ужасная?", "ru"),
        ("Кто такой Мустафа Джемилев?", "ru"),
        ("Где?", "ru"),
        ("Wer ist Ilmi Umerov?", "de"),
        ("¿Quién es Refat Chubarov?", "es"),
    ],
)
def test_other_languages_are_detected(question: str, language: str) -> None:
    assert detect_language(question) == language


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("Хто такий Ilmi Umerov?", "uk"),  # a Latin name does not make it English
        ("Хто такий Умеров?", "uk"),  # Ukrainian question words, no telling letter
        ("Хто такий Крылов?", "uk"),  # one Russian letter in a name is outvoted
        ("Що сказав Dzhemilev про Putin?", "uk"),
        ("Кто такой Ilmi Umerov?", "ru"),
        ("Что сказал Refat Chubarov?", "ru"),
        ("Who is Умеров?", "en"),  # a Cyrillic name does not make it Ukrainian
        ("What did Джемілєв say?", "en"),
        ("Колькі палітвязняў утрымліваецца ў Крыме?", "be"),
    ],
)
def test_mixed_script_and_short_cyrillic_questions(question: str, language: str) -> None:
    """Issue 8, F7: a Ukrainian user typing a Latin-spelled name got English, a short
    Ukrainian question a Russian reply, an English one with a Cyrillic name a Ukrainian one."""
    assert detect_language(question) == language


def test_english_with_foreign_names_stays_english() -> None:
    assert detect_language("How are ergänzungsschulen funded?") == "en"
    assert detect_language("Beyoncé?") == "en"


@pytest.mark.parametrize(
    ("front_matter", "code"),
    [(None, "en"), ("", "en"), ("EN", "en"), ("en-GB", "en"), ("uk", "uk")],
)
def test_front_matter_languages_are_normalised(front_matter: str | None, code: str) -> None:
    assert normalise(front_matter) == code


def test_only_a_multilingual_model_searches_other_languages() -> None:
    assert can_search("en", multilingual=False)
    assert not can_search("uk", multilingual=False)
    assert can_search("uk", multilingual=True)
    assert is_multilingual_model("sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2")
    assert not is_multilingual_model("sentence-transformers/all-MiniLM-L6-v2")


def test_a_ukrainian_question_is_not_searched_and_told_the_truth(
    fake_searcher: Searcher,
) -> None:
    encoder = fake_searcher.encoder
    assert isinstance(encoder, HashingEncoder)
    calls = encoder.calls
    answer = fake_searcher.search("Хто сказав, що ситуація в Криму жахлива?")
    assert answer.outcome == "unsupported-language"
    assert answer.language == "uk"
    assert answer.quotes == ()
    assert encoder.calls == calls  # nothing was encoded
    reply = unsupported_language_reply(answer.language, fake_searcher.documents)
    assert "англійською" in reply


def test_a_batch_mixes_languages_in_order(fake_searcher: Searcher) -> None:
    answers = fake_searcher.search_many(
        ["How many people are in custody?", "Сколько людей под стражей?", "Who is Zare?"]
    )
    assert [a.outcome for a in answers][1] == "unsupported-language"
    assert answers[1].language == "ru"
    assert answers[0].quotes and answers[2].quotes
    assert answers[0].language == "en"


def test_replies_are_in_the_question_language_with_english_otherwise() -> None:
    english = [Document("a", "A", "Text.", language="en")]
    assert "англійською" in unsupported_language_reply("uk", english)
    assert "на английском" in unsupported_language_reply("ru", english)
    assert unsupported_language_reply("de", english).startswith("The articles are in English")
    mixed = [*english, Document("b", "B", "Текст.", language="ru")]
    assert "The articles are in English" not in unsupported_language_reply("de", mixed)
    assert "Статьи написаны" not in unsupported_language_reply("ru", mixed)


def test_a_multilingual_model_answers_across_languages() -> None:
    documents = [
        Document(
            "umerov",
            "Umerov",
            "The banner will hang here for a week. The fine was paid with coins.",
            language="en",
        ),
        Document(
            "zare", "Заре", "Ситуація в Криму жахлива. Банер висітиме тиждень.", language="uk"
        ),
    ]
    dictionary = {"банер": "banner", "банери": "banner", "висітиме": "hang", "тиждень": "week",
                  "штраф": "fine", "оплачений": "paid", "монетами": "coins"}  # fmt: skip
    encoder = TranslatingEncoder(dictionary)
    searcher = Searcher(build_index(documents, encoder), encoder, multilingual=True)
    answer = searcher.search("Чим був оплачений штраф? Монетами?")
    assert answer.outcome != "unsupported-language"
    assert answer.language == "uk"
    assert answer.quotes[0].text.endswith("The fine was paid with coins.")
    alone = searcher.search("Чим був оплачений штраф? Монетами?", join=False)
    assert alone.quotes[0].text == "The fine was paid with coins."
    english = searcher.search("How long will the banner hang?", join=False)
    assert {q.text for q in english.quotes[:2]} == {
        "The banner will hang here for a week.",
        "Банер висітиме тиждень.",
    }


def test_a_front_end_can_refuse_before_loading_the_model() -> None:
    refused = unsupported_language_answer("  Що написано на банері? ", multilingual=False)
    assert refused is not None
    assert (refused.outcome, refused.language, refused.quotes) == (
        "unsupported-language",
        "uk",
        (),
    )
    assert unsupported_language_answer("What was written on the banner?", False) is None
    assert unsupported_language_answer("Що написано на банері?", multilingual=True) is None


def test_articles_are_split_with_the_rules_of_their_language() -> None:
    from embeddings.sentences import split_sentences

    text = (
        "Г. Иванов пришел в 10 ч. утра. Т.е. всё хорошо. "
        "«Мы надеемся. Ситуация ужасная», — сказала она."
    )
    pieces = [text[a:b] for a, b in split_sentences(text, "ru")]
    assert pieces == [
        "Г. Иванов пришел в 10 ч. утра.",
        "Т.е. всё хорошо.",
        "«Мы надеемся.",
        "Ситуация ужасная», — сказала она.",
    ]
    ukrainian = "Він народився у 1957 р. в Узбекистані. Далі буде."
    assert [ukrainian[a:b] for a, b in split_sentences(ukrainian, "uk")] == [
        "Він народився у 1957 р. в Узбекистані.",
        "Далі буде.",
    ]


def test_articles_are_stemmed_in_their_language_and_ukrainian_is_not_stemmed() -> None:
    from embeddings.lexical import build_lexical_index, tokenize

    assert tokenize("political prisoners") == ["polit", "prison"]  # English as before
    assert tokenize("политзаключенных", "ru") == tokenize("политзаключенные", "ru")
    assert tokenize("політв'язнів", "uk") == ["політв'язнів"]  # PyStemmer has no Ukrainian
    index = build_lexical_index(
        ["The prisoners were released.", "Политзаключенных освободили."], languages=["en", "ru"]
    )
    assert index.languages == ("en", "ru")
    assert index.scores("политзаключенные")[1] > 0
    assert index.scores("prisoner")[0] > 0


def test_the_language_of_the_index_survives_saving(tmp_path: Path) -> None:
    from embeddings.lexical import LexicalIndex, build_lexical_index

    index = build_lexical_index(["Политзаключенных освободили."], languages=["ru"])
    index.save(tmp_path / "lexical.npz")
    loaded = LexicalIndex.load(tmp_path / "lexical.npz")
    assert loaded.languages == ("ru",)
    assert loaded.scores("политзаключенные")[0] > 0


def test_an_index_stems_each_sentence_in_its_article_language() -> None:
    documents = [
        Document("en", "English", "The prisoners were released.", language="en"),
        Document("ru", "Русский", "Политзаключенных освободили.", language="ru"),
    ]
    index = build_index(documents, HashingEncoder())
    assert index.lexical.languages == ("en", "ru")
    assert index.lexical.scores("политзаключенные").tolist()[1] > 0
