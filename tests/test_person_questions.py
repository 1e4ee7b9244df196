""" "Who is X?" is answered with the sentence that says who X is (NU23-12)."""

from __future__ import annotations

import pytest

from embeddings.person_questions import DESCRIBED, people_asked
from embeddings.search import Searcher
from embeddings.speaker_questions import asked_person
from embeddings.speakers import describes, names_in_anothers_title
from tests.fakes import low_threshold_articles, titled_searcher

WATER = (
    "Daniel Hughes said the clinic was full on Monday. "
    "Daniel Hughes spoke at the meeting about the water and the clinic. "
    "Daniel Hughes, 34, a bus driver from the Grange estate, said his daughter had been ill. "
    "Martin Greaves, chief executive of Northvale Water, met reporters on Wednesday. "
    "Martin Greaves, Karen Dobbs and Alan Booth went to the meeting."
)


@pytest.mark.parametrize(
    ("question", "person"),
    [
        ("Who is Refat Chubarov?", "Refat Chubarov"),
        ("who is refat chubarov", None),  # typed in lower case: no name to read
        ("Who was Dr Ortiz?", "Ortiz"),
        ("Who's Zare?", "Zare"),
        ("Who is the head of the Mejlis?", None),  # asks for a name: any other question
        ("Who is Umerov's lawyer?", None),
        ("Who is Ilmi Umerov and why was he arrested?", None),
        ("What did Refat Chubarov say?", None),
    ],
)
def test_a_who_is_question_names_the_person_it_asks_about(
    question: str, person: str | None
) -> None:
    assert asked_person(question) == person


@pytest.mark.parametrize(
    ("sentence", "name", "says_who"),
    [
        (
            "Activists, as well as the Head of the Crimean Tatar Mejlis, Refat Chubarov, "
            "take part in the action.",
            "Chubarov",
            True,
        ),
        ("Nikolai Polozov, the defendant's lawyer, assesses his health.", "Nikolai Polozov", True),
        ("Daniel Hughes, 34, a bus driver, said his daughter was ill.", "Daniel Hughes", True),
        ("Martin Greaves, chief executive of Northvale Water, met us.", "Martin Greaves", True),
        (  # a title in lower case before the name (NU24B-2: declined 0.04)
            "The head of the regional fire service, Pavel Sedlak, said the blaze began.",
            "Pavel Sedlak",
            True,
        ),
        ("The campaign was attended by Zare, the wife of Ilmi Umerov's brother.", "Zare", True),
        # Names them only, or names someone else by them: says nothing of who they are.
        ("Refat Chubarov also expressed his indignation at some MPs.", "Refat Chubarov", False),
        ("The campaign was attended by Zare, the wife of Ilmi Umerov's brother.", "Umerov", False),
        ("Martin Greaves, Karen Dobbs and Alan Booth went there.", "Martin Greaves", False),
        ("Daniel Hughes, 34, a bus driver, said his daughter was ill.", "Alan Booth", False),
        # after the quotation and its verb (NU26-1: "Who is Ann Roe?" was declined, 0.06)
        ('Every week armed men come," said the head of the group, Ann Roe.', "Ann Roe", True),
        ("Roe, who heads the group, told QHA that 19 were sentenced.", "Ann Roe", True),
        ("Ann Roe, who is a lawyer, spoke first.", "Ann Roe", True),
        ("Ann Roe, who was arrested in May, spoke first.", "Ann Roe", False),
        ("The court, said Ann Roe, was closed.", "Ann Roe", False),
    ],
)
def test_a_sentence_says_who_a_person_is_by_a_title_or_a_description(
    sentence: str, name: str, says_who: bool
) -> None:
    assert describes(sentence, name) is says_who


def test_a_title_that_names_the_person_is_someone_elses() -> None:
    zare = "The campaign was attended by Zare, the wife of Ilmi Umerov's brother."
    assert names_in_anothers_title(zare, "Ilmi Umerov")
    assert names_in_anothers_title(zare, "Umerov")
    assert not names_in_anothers_title(zare, "Zare")
    assert not names_in_anothers_title("Activists support Ilmi Umerov.", "Ilmi Umerov")


def test_the_sentence_that_says_who_they_are_comes_first_and_answers() -> None:
    searcher = titled_searcher(water=("Outbreak", WATER))
    answer = searcher.search("Who is Daniel Hughes?", 3, join=False)
    assert answer.quotes[0].text.startswith("Daniel Hughes, 34, a bus driver")
    assert answer.outcome == "answered"
    assert answer.relevance >= DESCRIBED
    # Named, but nowhere said who they are: searched as any other question, not lifted.
    other = searcher.search("Who is Karen Dobbs?", 3, join=False)
    assert other.relevance < DESCRIBED


def test_a_title_comes_before_an_age_alone() -> None:
    """NU26-11: "Who is Zera Asanova?" led with "Zera Asanova, 67, said ..."; the sentence
    that says she is the blogger's mother was second (0.19)."""
    appeal = (
        'Zera Asanova, 67, said: "I am Zera Asanova, and my letters come back."\n\n'
        "The mother of the jailed blogger Rustem Asanov, Zera Asanova, has sent an appeal.\n"
    )
    answer = titled_searcher(appeal=("Appeal", appeal)).search("Who is Zera Asanova?", 3)
    assert answer.quotes[0].text.startswith("The mother of the jailed blogger")
    assert answer.outcome == "answered"
    aged = titled_searcher(appeal=("Appeal", appeal.split("\n\n")[0])).search(
        "Who is Zera Asanova?", 3
    )
    assert aged.quotes[0].text.startswith("Zera Asanova, 67")  # an age still says something
    assert aged.relevance >= DESCRIBED


@pytest.mark.integration
@pytest.mark.parametrize(
    ("question", "needle"),
    [
        ("Who is Refat Chubarov?", "the Head of the Crimean Tatar Mejlis, Refat Chubarov"),
        ("Who is Nikolai Polozov?", "Nikolai Polozov, the defendant's lawyer"),
        ("Who is Zare?", "Zare, the wife of Ilmi Umerov's brother"),
    ],
)
def test_who_is_is_answered_with_the_bundled_articles_description(
    real_searcher: Searcher, question: str, needle: str
) -> None:
    answer = real_searcher.search(question)
    assert answer.outcome == "answered"
    assert needle in answer.quotes[0].text


@pytest.mark.integration
def test_who_is_does_not_lead_with_someone_else_described_by_the_name(
    real_searcher: Searcher,
) -> None:
    """NU24-9: "Zare, the wife of Ilmi Umerov's brother." was first at 0.99."""
    answer = real_searcher.search("Who is Ilmi Umerov?")
    assert "the wife of Ilmi Umerov's brother" not in answer.quotes[0].text
    assert "Ilmi Umerov" in answer.quotes[0].text


@pytest.mark.integration
def test_who_is_someone_the_articles_only_mention_is_not_answered(
    real_searcher: Searcher,
) -> None:
    # Putin is named ("Putin is illegally elected president"), never described.
    assert real_searcher.search("Who is Vladimir Putin?").outcome != "answered"


@pytest.mark.parametrize(
    ("question", "names"),
    [
        ("How long is Rustem Abdullaev's prison sentence?", ["Rustem Abdullaev"]),
        ("When was Rustem Abdullaev sentenced?", ["Rustem Abdullaev"]),
        ("In The Kid with a Bike, what is Cyril's age?", []),  # a title's "The Kid"
        ('Who said "Free Ilmi Umerov"?', []),  # quoted words are not the question's
        ("How many prisoners are ill?", []),
    ],
)
def test_the_names_a_question_writes_in_full(question: str, names: list[str]) -> None:
    assert people_asked(question) == names


def _two_prisoners() -> Searcher:
    return low_threshold_articles(
        d=(
            "Hunger strike ends",
            "How long is the prison sentence of Ismail Dzhemalov? It is 17 years in a colony, "
            "a sentence he denies deserving.\n",
        ),
        a=(
            "Prisoner with diabetes transferred",
            "Rustem Abdullaev, who has diabetes, was moved to Siberia.\n\n"
            "His mother was refused a visit.\n",
        ),
    )


def test_a_fact_about_someone_else_does_not_answer_a_question_about_a_named_person() -> None:
    """NU30-1: "How long is Rustem Abdullaev's prison sentence?" was answered (0.70) by
    another prisoner's 17 years, in an article that never names Abdullaev."""
    searcher = _two_prisoners()
    answer = searcher.search("How long is Rustem Abdullaev's prison sentence?")
    assert "17 years" in answer.quotes[0].text
    assert answer.outcome != "answered"
    # asked of the man the article names, the same sentence answers
    answer = searcher.search("How long is Ismail Dzhemalov's prison sentence?")
    assert "17 years" in answer.quotes[0].text
    assert answer.outcome == "answered"


MOSQUE = (
    "Police searched the Stary Krym mosque on Friday.\n\n"
    "It was the third search of a mosque in the region since the start of the year. The imam "
    "of the mosque, Ruslan Ablyazov, was questioned at the police station.\n"
)


def test_a_length_asked_of_a_named_person_must_be_said_of_them() -> None:
    """NU31-1: "How long has Ruslan Ablyazov been the imam of the mosque?" was answered (0.90)
    by the searches' "since the start of the year", joined to the sentence naming him."""
    question = "How long has Ruslan Ablyazov been the imam of the mosque?"
    answer = low_threshold_articles(a=("Mosque searched", MOSQUE)).search(question)
    assert answer.outcome != "answered"
    # said of him, by name or by "he", it answers
    for said in (
        "Ablyazov has led prayers there for eleven years.",
        "He has led prayers there for eleven years.",
    ):
        searcher = low_threshold_articles(a=("Mosque searched", MOSQUE.rstrip() + " " + said))
        answer = searcher.search(question)
        assert answer.outcome == "answered", said
        assert "eleven years" in " ".join(quote.text for quote in answer.quotes[:1]), said
    # NU31B-2: "he" after a sentence about someone else is not him
    other = (
        "Police searched the Stary Krym mosque on Friday.\n\n"
        "The imam of the mosque, Ruslan Ablyazov, was questioned at the police station. His "
        "deputy at the mosque, Server Osmanov, was not questioned. He has served the mosque "
        "for eleven years.\n"
    )
    answer = low_threshold_articles(a=("Mosque searched", other)).search(question)
    assert answer.outcome != "answered"


def test_a_length_asked_of_someones_kin_must_be_said_of_the_kin() -> None:
    """NU33B-2: "How long has Ruslan Kerimov's son been dancing in the youth group?" was
    answered (0.84) by the father's "has led Qaytarma Alushta since 2009"."""
    ensemble = (
        "The ensemble was barred from touring in May.\n\n"
        "Ruslan Kerimov, 58, has led Qaytarma Alushta since 2009. His son, Emir Kerimov, 17, "
        "dances in the ensemble's youth group.\n"
    )
    question = "How long has Ruslan Kerimov's son been dancing in the youth group?"
    searcher = low_threshold_articles(a=("Ensemble barred", ensemble))
    assert searcher.search(question).outcome != "answered"
    # the father's own length answers a question about him
    asked = searcher.search("How long has Ruslan Kerimov led Qaytarma Alushta?")
    assert asked.outcome == "answered"
    # said of the son, it answers
    dated = ensemble.replace("youth group.", "youth group. He has danced there for six years.")
    assert low_threshold_articles(a=("Ensemble barred", dated)).search(question).outcome == (
        "answered"
    )
