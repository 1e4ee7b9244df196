"""Titles "of" a place, two holders of one title, and a topic named in the question put to
a speaker (issue 8, NU22-6/7/8; texts from a new user's own articles, /tmp/nu22/mycorpus).

"What did the mayor of Brodivka say?" was answered with the words of the mayor of Lysets;
"What did the mayor say?" gave three sentences of one of the two mayors; "What did Koval say
about a settlement?" was declined, though he was asked exactly that and answered "No."
"""

from __future__ import annotations

import pytest

from embeddings.speakers import qualified_otherwise, title_holder
from tests.fakes import titled_searcher

COUNCIL = (
    "Brodivka town council voted on Wednesday to rebuild the Sula dam.\n\n"
    '"This is the largest single expense in the history of our town," Mayor Olha Kravets '
    "told the council.\n\n"
    "Councillor Dmytro Lysenko voted against the plan.\n"
)
LYSETS = (
    "Ten kilometres downstream, the village of Lysets also flooded, though less badly.\n\n"
    "The mayor of Lysets, Petro Savchenko, said the village had bought four pumps. "
    '"We will not wait for Brodivka to fix its dam. Next time the water comes, we will be '
    'ready," the mayor said.\n'
)
TRIAL = (
    "The trial of Rivbud LLC opened on Monday at the Poltava district court.\n\n"
    "Savchuk denies the charges. His lawyer, Andriy Koval, said the dam collapsed because "
    "of a flood that no structure of its kind could have withstood.\n\n"
    "Judge Natalia Hrytsenko set the next hearing for May 15.\n\n"
    "In an interview after the hearing, Koval was asked whether his client would accept a "
    'settlement. "No. My client did the work that the contract asked for, and he will prove '
    'it," he said.\n'
)


@pytest.mark.parametrize(
    ("text", "title", "holder"),
    [
        # The article about Brodivka writes "Mayor Olha Kravets" and names the town elsewhere.
        (COUNCIL, "the mayor of Brodivka", "Olha Kravets"),
        (COUNCIL, "the mayor", "Olha Kravets"),
        (LYSETS, "the mayor of Lysets", "Petro Savchenko"),
        # Lysets's article names Brodivka, but its mayor is the mayor of Lysets.
        (LYSETS, "the mayor of Brodivka", None),
        # Whose lawyer someone is, is the article's to say: no holder by the office alone.
        (TRIAL, "Savchuk's lawyer", None),
    ],
)
def test_a_title_of_a_place_is_held_by_the_one_holder_of_no_other_place(
    text: str, title: str, holder: str | None
) -> None:
    assert title_holder(text, title, "en") == holder


def test_the_mayor_of_another_place_is_not_the_mayor_asked_for() -> None:
    assert qualified_otherwise(LYSETS, "Petro Savchenko", "the mayor of Brodivka", "en")
    assert not qualified_otherwise(LYSETS, "Petro Savchenko", "the mayor of Lysets", "en")
    assert not qualified_otherwise(LYSETS, "Petro Savchenko", "the mayor", "en")
    # A title's lower-case words ("the company's director") name no other place.
    director = "Prosecutors accuse the company's director, Viktor Savchuk, of fraud."
    assert not qualified_otherwise(director, "Viktor Savchuk", "the director of Rivbud", "en")


TOWNS = {
    "council": ("Brodivka council votes to rebuild the Sula dam", COUNCIL),
    "lysets": ("Downstream, Lysets buys pumps and asks who will pay", LYSETS),
}


def test_the_mayor_of_a_town_is_answered_with_that_mayors_words_only() -> None:
    searcher = titled_searcher(**TOWNS)
    brodivka = searcher.search("What did the mayor of Brodivka say?", 3)
    assert brodivka.outcome == "answered"
    assert {quote.speaker for quote in brodivka.quotes} == {"Olha Kravets"}
    lysets = searcher.search("What did the mayor of Lysets say?", 3)
    assert {quote.speaker for quote in lysets.quotes} == {"Petro Savchenko"}


def test_only_the_other_towns_article_still_gives_no_other_mayors_words() -> None:
    searcher = titled_searcher(lysets=TOWNS["lysets"])
    answer = searcher.search("What did the mayor of Brodivka say?", 3)
    assert "Petro Savchenko" not in {quote.speaker for quote in answer.quotes}


def test_two_holders_of_a_title_each_get_a_quote() -> None:
    answer = titled_searcher(**TOWNS).search("What did the mayor say?", 3)
    assert answer.outcome == "answered"
    speakers = [quote.speaker for quote in answer.quotes]
    assert set(speakers[:2]) == {"Olha Kravets", "Petro Savchenko"}, speakers


def test_a_topic_in_the_question_put_to_the_speaker_is_their_words_topic() -> None:
    # The topic is named only in the sentence before his quotation, which ends "he said".
    searcher = titled_searcher(trial=("Dam contractor Rivbud goes on trial", TRIAL), **TOWNS)
    answer = searcher.search("What did Koval say about a settlement?", 3)
    assert answer.outcome == "answered"
    assert answer.quotes[0].speaker == "Andriy Koval"
    assert answer.quotes[0].text.startswith('"No. My client did the work')
    # A topic none of his passages names is not answered by them.
    assert searcher.search("What did Koval say about the pumps?", 3).outcome != "answered"
