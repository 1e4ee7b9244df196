"""Greetings and polite openings are not part of the question (NU21-7)."""

from __future__ import annotations

import pytest

from embeddings.courtesy import without_courtesy
from embeddings.search import Searcher


@pytest.mark.parametrize(
    ("typed", "searched"),
    [
        ("Hi, who defends Umerov in court?", "Who defends Umerov in court?"),
        ("Hello! Who defends Umerov?", "Who defends Umerov?"),
        ("hi how many prisoners are there?", "How many prisoners are there?"),
        ("Hey bot, how many are held?", "How many are held?"),
        ("Good morning! How much do they get?", "How much do they get?"),
        ("Please, when will he be released?", "When will he be released?"),
        ("Can you tell me who defends Umerov?", "Who defends Umerov?"),
        ("Could you please tell me when it was?", "When it was?"),
        ("Do you know whether he is free?", "Whether he is free?"),
        ("Hi there! Please tell me where it hangs.", "Where it hangs."),
        ("Thanks! And who is Polozov?", "Who is Polozov?"),
        ("Dear bot, what is the Mejlis?", "What is the Mejlis?"),
        ("ok so how many prisoners are there?", "How many prisoners are there?"),  # NU21B-2
        ("Okay so how many?", "How many?"),
        # a second question that asks the first again of a pronoun (NU26-8, NU27-8)
        ("Who is Ilmi Umerov? Хто він?", "Who is Ilmi Umerov?"),
        ("Who is Ilmi Umerov? Who is he?", "Who is Ilmi Umerov?"),
        ("Who is Zera Asanova? Кто она такая?", "Who is Zera Asanova?"),
        ("Who is Emil Kurbedinov? What does he do?", "Who is Emil Kurbedinov?"),
    ],
)
def test_an_opening_greeting_or_request_is_dropped(typed: str, searched: str) -> None:
    assert without_courtesy(typed) == searched


@pytest.mark.parametrize(
    "question",
    [
        "Who defends Umerov in court?",
        "Hi!",  # nothing would be left: small talk, as typed
        "Thanks",
        "Hiroshima was bombed when?",  # "hi" inside a word
        "Please stop killing Umerov",  # "please" not followed by a pause or a wh-word
        "Who said hi?",
        "Tell me about the banner",  # a request with no wh-word: the request is the question
        "what did tesla do at his old school?",  # written in lower case, kept so
        "Who is Ilmi Umerov? What did he say?",  # a second question that asks something new
        "Hi! Who is he?",
    ],
)
def test_a_question_without_an_opening_is_searched_as_typed(question: str) -> None:
    assert without_courtesy(question) == question


@pytest.mark.integration
@pytest.mark.parametrize(
    "greeting", ["Hi, ", "Hello! ", "Please, ", "Can you tell me ", "Good morning! "]
)
def test_a_greeting_does_not_change_the_answer(real_searcher: Searcher, greeting: str) -> None:
    # "Hi, who defends Umerov in court?" put the prosecution first and Polozov second.
    plain = real_searcher.search("Who defends Umerov in court?")
    question = greeting + ("who" if greeting.endswith(("me ", ", ")) else "Who")
    greeted = real_searcher.search(question + " defends Umerov in court?")
    assert greeted.question.startswith(greeting)  # the answer keeps what was typed
    assert greeted.quotes[0].text == plain.quotes[0].text
    assert "Nikolai Polozov" in greeted.quotes[0].text
    assert (greeted.outcome, greeted.relevance) == (plain.outcome, plain.relevance)


@pytest.mark.integration
def test_who_is_asked_again_in_ukrainian_keeps_the_who_is_answer(real_searcher: Searcher) -> None:
    """NU26-8, NU27-8: "Who is Ilmi Umerov? Хто він?" put "The campaign was also attended by
    Zare, the wife of Ilmi Umerov's brother" first, at 0.34."""
    plain = real_searcher.search("Who is Ilmi Umerov?")
    again = real_searcher.search("Who is Ilmi Umerov? Хто він?")
    assert again.question == "Who is Ilmi Umerov? Хто він?"
    assert again.outcome == plain.outcome == "answered"
    assert again.quotes[0].text == plain.quotes[0].text
    assert "Zare" not in again.quotes[0].text
