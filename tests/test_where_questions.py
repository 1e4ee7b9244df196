"""A place asked of a person is an answer only when it is said of them (NU31-2)."""

from __future__ import annotations

import pytest

from embeddings.where_questions import WhereQuestion, asked_where, said_of_another
from tests.fakes import low_threshold_searcher

KADYROV = WhereQuestion("Seyran Kadyrov", "live")


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("Where does Seyran Kadyrov live now?", KADYROV),
        ("where did Ilmi Umerov study?", WhereQuestion("Ilmi Umerov", "study")),
        ("Where was Ilmi Umerov born?", WhereQuestion("Ilmi Umerov", "born")),
        ("Where is Seyran Kadyrov now?", None),  # no verb the place belongs to
        ("Where was William Iron Arm's castle located?", None),  # a thing's place
        ("Where does Kadyrov live?", None),  # a surname alone may be a family or a place
        ("Who is Seyran Kadyrov?", None),
    ],
)
def test_asked_where_reads_the_person_and_the_verb(
    question: str, asked: WhereQuestion | None
) -> None:
    assert asked_where(question) == asked


@pytest.mark.parametrize(
    ("sentence", "another"),
    [
        ("My mother lives in Yevpatoria, and I have not seen her since.", True),
        ("Kadyrov's brother now lives in Kyiv.", True),
        ("I live in Kyiv, but my mother lives in Yevpatoria.", False),  # his own "I"
        ("He and his family live in Kyiv.", False),
        ("Kadyrov lives in Kyiv.", False),
        ("The family lives in Kyiv.", False),  # who that is, words cannot tell
        ("He moved to Kyiv in 2019.", False),  # no "live": left to the other judges
    ],
)
def test_said_of_another_is_a_kins_or_belongings_place(sentence: str, another: bool) -> None:
    assert said_of_another(sentence, KADYROV) is another


ARTICLE = (
    "ATR's former correspondent Seyran Kadyrov was banned from entering Crimea for five "
    "years in 2019. The ban was read out to him at the Chonhar crossing.\n\n"
    '"I was told that I am a threat to the security of Russia. My mother lives in '
    'Yevpatoria, and I have not seen her since," Seyran Kadyrov said.\n'
)


def test_where_a_persons_mother_lives_does_not_answer_where_they_live() -> None:
    """NU31-2: "Where does Seyran Kadyrov live now?" was answered (0.63) by his "My mother
    lives in Yevpatoria"; the articles never say where he lives."""
    question = "Where does Seyran Kadyrov live now?"
    answer = low_threshold_searcher(ARTICLE, "ATR").search(question)
    assert "My mother lives" in answer.quotes[0].text
    assert answer.outcome == "related"
    lives = ARTICLE + "\nKadyrov now lives in Kyiv with his wife and two sons.\n"
    answer = low_threshold_searcher(lives, "ATR").search(question)
    assert answer.outcome == "answered"
    assert "lives in Kyiv" in answer.quotes[0].text
