"""An interview's answers are its interviewee's words (NU25-11, NU24, NU23-10).

A question-and-answer interview prints its answers without quotation marks or "she said":
the speaker is the person the introduction says was interviewed, named only when the
introduction names exactly one person. Sentences in the answers that the article attributes
to someone else keep that speaker; anything uncertain is None, never a guess.
"""

from __future__ import annotations

import pytest

from embeddings.index import build_index
from embeddings.interview_questions import second_person
from embeddings.interviews import interview_layout
from embeddings.markdown import asks, is_heading_or_bold_line
from embeddings.search import Searcher
from embeddings.sentences import split_sentences
from embeddings.speakers import interviewee, speakers
from embeddings.types import Document
from tests.fakes import HashingEncoder, low_threshold_searcher

INTERVIEW = (
    "Helen Carrick, 58, has been mayor of Dunmore since 2022. The Weekly spoke to her on "
    "Thursday.\n\n"
    "**Was the town council consulted?**\n\n"
    "No. We received a letter from the trust two hours before the press release.\n\n"
    "**Who can stop the closure?**\n\n"
    "I do not know. The health minister, Alan Pryce, has the power to call it in.\n\n"
    "**Did anyone warn you?**\n\n"
    "Yes. Our councillor, Tomas Bell, said the unit was at risk in January.\n"
)


def _who(text: str) -> dict[str, str | None]:
    spans = split_sentences(text)
    return {text[s:e]: who for (s, e), who in zip(spans, speakers(text, spans), strict=True)}


def test_the_answers_are_the_interviewees_and_the_introduction_and_questions_no_ones() -> None:
    who = _who(INTERVIEW)
    assert who["No."] == "Helen Carrick"
    assert who["We received a letter from the trust two hours before the press release."] == (
        "Helen Carrick"
    )
    assert who["The health minister, Alan Pryce, has the power to call it in."] == (
        "Helen Carrick"
    )
    assert who["**Was the town council consulted?**"] is None
    assert who["The Weekly spoke to her on Thursday."] is None
    # an answer that reports another person's words stays theirs
    assert who["Our councillor, Tomas Bell, said the unit was at risk in January."] == (
        "Tomas Bell"
    )


@pytest.mark.parametrize(
    "introduction",
    [
        "Sarah Kimber leads the Harbour Workers' Union. We asked her how the strike will end.",
        "Martin Greaves, chief executive of Northvale Water, met Echo reporters on Wednesday. "
        "He answered questions sent in by readers. The interview has been edited for length.",
        # NU33C-1: a possessive before "questions" hid the interview
        "Martin Greaves, 61, a retired engineer, answered QHA's questions by phone.",
    ],
)
def test_the_introduction_names_the_interviewee_in_the_ways_news_writes_it(
    introduction: str,
) -> None:
    text = introduction + INTERVIEW[INTERVIEW.index("\n\n**") :]
    assert interviewee(text) == introduction.split(",")[0].split(" leads")[0]


@pytest.mark.parametrize(
    "introduction",
    [
        # NU25B-1: every answer was cited to the reporter
        "Ingrid Solberg has conducted the Ashbury Philharmonic for 11 years. Our arts "
        "correspondent, Leon Hartley, spoke to her after Saturday's concert.",
        "Ingrid Solberg has conducted the orchestra for 11 years. Our reporter Leon Hartley "
        "spoke to her.",
    ],
)
def test_the_reporter_named_in_the_introduction_is_never_the_interviewee(
    introduction: str,
) -> None:
    text = introduction + INTERVIEW[INTERVIEW.index("\n\n**") :]
    assert interviewee(text) == "Ingrid Solberg"
    assert _who(text)["No."] == "Ingrid Solberg"
    described = "Our reporter Anna Koval spoke to Helen Carrick, 58, the mayor of Dunmore."
    assert interviewee(described + INTERVIEW[INTERVIEW.index("\n\n**") :]) == "Helen Carrick"
    alone = "Our reporter Leon Hartley spoke to her." + INTERVIEW[INTERVIEW.index("\n\n**") :]
    assert interviewee(alone) is None


@pytest.mark.parametrize(
    "introduction",
    [
        # two people who may both answer
        "Helen Carrick, 58, the mayor, and Tomas Bell, 61, a councillor, spoke to the Weekly.",
        # one person, but nothing says she was interviewed: an explainer of questions
        "Helen Carrick, 58, the mayor of Dunmore, announced the closure on Monday.",
        # nobody named
        "We put readers' questions to the trust. Here are its answers.",
    ],
)
def test_no_interviewee_where_the_introduction_is_not_certain(introduction: str) -> None:
    text = introduction + INTERVIEW[INTERVIEW.index("\n\n**") :]
    assert interviewee(text) is None
    assert _who(text)["No."] is None


def test_an_interviewee_introduced_with_a_relative_is_still_the_interviewee() -> None:
    """NU30-6: an interview with a prisoner's daughter names the prisoner too; none of her
    answers had a speaker. Someone named only as the opener's kin does not answer."""
    answers = INTERVIEW[INTERVIEW.index("\n\n**") :]
    daughter = (
        "Elmaz Dzhemalova, 35, is the daughter of Ismail Dzhemalov, a Crimean Tatar political "
        "prisoner who is serving a 17-year sentence. QHA spoke to her a week after her father "
        "ended his hunger strike."
    )
    assert interviewee(daughter + answers) == "Elmaz Dzhemalova"
    assert _who(daughter + answers)["No."] == "Elmaz Dzhemalova"
    widow = (
        "Olha Bohun, 44, whose husband Ivan Bohun, 47, was killed in March, runs the shelter. "
        "We spoke to her on Friday."
    )
    assert interviewee(widow + answers) == "Olha Bohun"
    # someone else named beside her, not as her kin: no one, never a guess
    friend = daughter.replace("is the daughter of", "is a friend of")
    assert interviewee(friend + answers) is None


def test_an_interviewee_introduced_with_a_club_and_a_son_is_still_the_interviewee() -> None:
    """NU32B-1: "Server Kadyrov, 46, founded Yildiz Bakhchysarai ... His son, Arsen Kadyrov,
    17, ... QHA spoke to the coach in Bakhchysarai" gave no answer a speaker: the club read
    as a person (its last word is used alone, as a place), and the son as someone else."""
    answers = INTERVIEW[INTERVIEW.index("\n\n**") :]
    coach = (
        "Server Kadyrov, 46, founded Yildiz Bakhchysarai in 2019 and has coached it since. His "
        "son, Arsen Kadyrov, 17, plays in the club's youth team. QHA spoke to the coach in "
        "Bakhchysarai a week after his players were questioned."
    )
    assert interviewee(coach + answers) == "Server Kadyrov"
    assert _who(coach + answers)["No."] == "Server Kadyrov"
    assert interviewee(coach.replace("His son, Arsen", "His son Arsen") + answers) == (
        "Server Kadyrov"
    )
    # the kin may be the one interviewed: then they, or no one, never a guess
    for sentence, interviewed in (
        ("QHA spoke to her a week later.", None),
        ("Aliye Kadyrova spoke to QHA.", "Aliye Kadyrova"),
    ):
        daughter = coach.replace("His son, Arsen Kadyrov", "His daughter, Aliye Kadyrova")
        daughter = daughter.replace(
            "QHA spoke to the coach in Bakhchysarai a week after his players were questioned.",
            sentence,
        )
        assert interviewee(daughter + answers) == interviewed, sentence
    # someone else beside him, not his kin: no one
    assert interviewee(coach.replace("His son,", "His friend,") + answers) is None


def test_the_kin_the_interview_sentence_names_is_the_interviewee() -> None:
    """NU33B-1, a wrong speaker: "Lutfiye Ablaeva, 52, is the choreographer ... Her son,
    Arsen Ablaev, 16, is the youngest soloist ... QHA spoke to Arsen after the court hearing."
    had every answer of the son cited to his mother."""
    answers = INTERVIEW[INTERVIEW.index("\n\n**") :]
    mother = (
        "Lutfiye Ablaeva, 52, is the choreographer of the ensemble. Her son, Arsen Ablaev, 16, "
        "is its youngest soloist. QHA spoke to {} after the court hearing."
    )
    for named in ("Arsen", "Arsen Ablaev"):
        assert interviewee(mother.format(named) + answers) == "Arsen Ablaev", named
        assert _who(mother.format(named) + answers)["No."] == "Arsen Ablaev", named
    # "him" after "Her son" may be him: no one; "her" is the mother's
    assert interviewee(mother.format("him") + answers) is None
    assert interviewee(mother.format("her") + answers) == "Lutfiye Ablaeva"
    # both named there: no one, never a guess
    assert interviewee(mother.format("Lutfiye and Arsen") + answers) is None


def test_one_question_line_is_a_subhead_not_an_interview() -> None:
    text = (
        "Helen Carrick, 58, the mayor, spoke to the Weekly.\n\n## What happens next?\n\n"
        "The trust will publish its plan in May.\n"
    )
    assert interview_layout(text) is None
    assert _who(text)["The trust will publish its plan in May."] is None


def _is_question_line(line: str) -> bool:
    return is_heading_or_bold_line(line) and asks(line)


def test_question_lines_are_bold_or_headings_that_ask() -> None:
    assert _is_question_line("**Will you resign?**")
    assert _is_question_line("## Who pays?")
    assert not _is_question_line("## The fines")
    assert not _is_question_line("Will you resign?")


def test_the_citation_names_the_interviewee_as_speaking_in_their_own_words() -> None:
    """Cited as their words, not as the article's account of them ("reported speech")."""
    document = Document(id="i", title="Interview: Helen Carrick", text=INTERVIEW)
    searcher = Searcher(build_index([document], HashingEncoder()), HashingEncoder(), "hashing")
    answer = searcher.search("Was the town council consulted?", 3)
    first = answer.quotes[0]
    assert first.text.startswith("No. We received a letter")
    assert first.speaker == "Helen Carrick"
    assert first.reported_speech is False
    bell = searcher.search("What did Tomas Bell say about the unit?", 3).quotes[0]
    assert (bell.speaker, bell.reported_speech) == ("Tomas Bell", True)


def test_a_persons_name_in_someone_elses_answer_is_not_their_words() -> None:
    """NU25-3: "What did Alan Pryce say about the closure?" was answered with the mayor's
    words that name him. Thresholds low enough that the ordinary judgement answers it."""
    searcher = low_threshold_searcher(INTERVIEW, "Interview: Helen Carrick")
    answer = searcher.search("What did Alan Pryce say about the closure?", 3)
    assert answer.outcome == "related"


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("Why did Timur Asanov pick Georgia?", "Why did you pick Georgia?"),
        ("Why was Elvira Seitova dismissed?", "Why were you dismissed?"),
        ("Does Timur Asanov want to go back?", "Do you want to go back?"),
        ("What is Timur Asanov's plan?", "What is your plan?"),
        ("When did Timur Asanov say he left?", "When did you say you left?"),
        ("Why did Asanov pick Georgia?", None),  # the full name only, as people_asked reads
    ],
)
def test_a_question_naming_the_interviewee_is_asked_of_them_in_the_second_person(
    question: str, asked: str | None
) -> None:
    name = "Timur Asanov" if "Asanov" in question else "Elvira Seitova"
    assert second_person(question, name) == asked


def test_a_question_naming_the_interviewee_gets_the_answer_under_its_question_line() -> None:
    """NU31-4, NU32-4: "Why did Timur Asanov pick Georgia?" had the introduction, which
    names him, first and his answer under "**Why did you choose Georgia?**" second."""
    interview = (
        "Timur Asanov, 27, a programmer from Simferopol, left Crimea for Georgia in "
        "September 2022. QHA spoke to him in Tbilisi.\n\n"
        "**When did you decide to leave?**\n\n"
        "The same night the notice came.\n\n"
        "**Why did you choose Georgia?**\n\n"
        "Because Georgians do not need a visa, and I had friends in Tbilisi.\n"
    )
    searcher = low_threshold_searcher(interview, "'I left with one bag'")
    answer = searcher.search("Why did Timur Asanov pick Georgia?", 3)
    assert answer.quotes[0].text.startswith("Because Georgians")
    assert answer.quotes[0].speaker == "Timur Asanov"
    # a question the interview does not ask keeps its own ranking
    other = searcher.search("Where did Timur Asanov work as a programmer?", 3)
    assert other.quotes[0].text.startswith("Timur Asanov, 27")
