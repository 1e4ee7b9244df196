""" "Who heads Koryn Watch?": the sentence that gives the office's holder first (NU26-10,
NU27-7)."""

from __future__ import annotations

import pytest

from embeddings.holder_questions import HolderQuestion, asked_holder
from embeddings.index import build_index
from embeddings.search import Searcher
from embeddings.types import Document
from tests.fakes import HashingEncoder


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("Who heads Koryn Watch?", HolderQuestion("head", "Koryn Watch")),
        ("Who is the head of Koryn Watch?", HolderQuestion("head", "Koryn Watch")),
        (
            "Who runs the Tarvan Human Rights Group?",
            HolderQuestion("runs", "the Tarvan Human Rights Group"),
        ),
        ("who chairs the committee", HolderQuestion("chair", "the committee")),
        ("Who founded KrymSOS?", HolderQuestion("founder", "KrymSOS")),
        (
            "Who was the President of ABC television?",
            HolderQuestion("president", "ABC television"),
        ),
        ("Who is Umerov's attorney?", HolderQuestion("lawyer", "Umerov", True)),
        (
            "Who is the defence lawyer for Ilmi Umerov?",
            HolderQuestion("lawyer", "Ilmi Umerov", True),
        ),
        ("Who is representing Umerov in court?", HolderQuestion("lawyer", "Umerov", True)),
        ("Who defends Server Mustafayev?", HolderQuestion("lawyer", "Server Mustafayev")),
        ("Who is Koryn Watch's head?", HolderQuestion("head", "Koryn Watch")),
        ("Who was Tesla's father?", None),  # no office
        ("Who led the Broncos with 105 receptions?", None),  # "led": a record, not an office
        ("Who is Ann Roe?", None),
        ("What does Koryn Watch do?", None),
    ],
)
def test_asked_holder_reads_the_office_and_the_organisation(
    question: str, asked: HolderQuestion | None
) -> None:
    assert asked_holder(question) == asked


ARTICLES = [
    Document(
        id="report",
        title="Koryn Watch: 48 people detained in the region in 2024",
        text=(
            "The human rights group Koryn Watch recorded 48 detentions in the region in 2024, "
            "according to its annual report published on Monday.\n\n"
            "The report counts 112 searches of homes during the year.\n\n"
            '"Every week a family wakes up to armed men at the door," said the head of the '
            "group, Ann Roe.\n"
        ),
    ),
    Document(
        id="court",
        title="Court extends the blogger's arrest",
        text=(
            "The head of the regional court, Viktor Dolgov, refused to comment.\n\n"
            "Koryn Watch has followed the case since the blogger's arrest.\n"
        ),
    ),
]


def test_who_heads_a_group_gets_the_sentence_that_names_its_head() -> None:
    searcher = Searcher(build_index(ARTICLES, HashingEncoder()), HashingEncoder(), "hashing")
    for question in ("Who heads Koryn Watch?", "Who is the head of Koryn Watch?"):
        answer = searcher.search(question)
        assert answer.outcome == "answered", question
        assert "Ann Roe" in answer.quotes[0].text, question
    # the head of the court is no head of Koryn Watch, though its article names the group
    court = searcher.search("Who heads the regional court?")
    assert "Viktor Dolgov" in court.quotes[0].text
    nobody = searcher.search("Who founded Koryn Watch?")  # no founder is named
    assert all("Ann Roe" not in quote.text for quote in nobody.quotes[:1])


def test_a_title_written_before_the_name_gives_the_office() -> None:
    """ "..., the leader of the Tarvan people, People's Deputy Omar Kerimov said": the name is
    the attributions' own reading, not the whole capitalised run "People's Deputy Omar
    Kerimov", so the sentence gives the leader."""
    articles = [
        Document(
            id="interview",
            title="Omar Kerimov: 30 people held in custody",
            text=(
                "The leader of the Tarvan people reminded that a campaign is held in support "
                "of the people in custody.\n\n"
                "Thirty people are held in custody, the leader of the Tarvan people, People's "
                "Deputy Omar Kerimov said in an interview.\n"
            ),
        )
    ]
    searcher = Searcher(build_index(articles, HashingEncoder()), HashingEncoder(), "hashing")
    answer = searcher.search("Who is the leader of the Tarvan people?")
    assert "Omar Kerimov" in answer.quotes[0].text


LAWYERS = [
    Document(
        id="trial",
        title="Blogger Server Mustafayev's trial moved to Rostov",
        text=(
            "The trial of blogger Server Mustafayev was moved to Rostov-on-Don on Monday.\n\n"
            "Emil Kurbedinov, the defendant's counsel, called the move an attempt to keep "
            "relatives away.\n\n"
            "Relatives of Server Mustafayev were not let into the courtroom.\n"
        ),
    ),
    Document(
        id="other",
        title="Activist Lenur Asanov fined",
        text=(
            "Lawyer Maria Orlova said her client Lenur Asanov would appeal.\n\n"
            "Lenur Asanov was fined 10,000 roubles.\n"
        ),
    ),
]


@pytest.mark.parametrize(
    "question",
    [
        "Who is Server Mustafayev's attorney?",
        "Who represents Mustafayev in court?",
        "Who is the lawyer of Server Mustafayev?",
    ],
)
def test_a_lawyer_question_gets_the_sentence_that_names_the_lawyer(question: str) -> None:
    """ "Who is Umerov's attorney?" got the charges against Umerov first: the answer, "Nikolai
    Polozov, the defendant's lawyer, ...", says neither "attorney" nor "Umerov"."""
    searcher = Searcher(build_index(LAWYERS, HashingEncoder()), HashingEncoder(), "hashing")
    answer = searcher.search(question)
    assert "Emil Kurbedinov" in answer.quotes[0].text
    # another defendant's lawyer is not his
    other = searcher.search("Who is Lenur Asanov's attorney?")
    assert "Maria Orlova" in other.quotes[0].text


def test_a_lawyer_question_for_someone_whose_lawyer_is_never_named_is_not_answered() -> None:
    """NU28B-2: "Who is Elvira Osmanova's lawyer?" was answered (0.90) by sentences that name
    no lawyer."""
    articles = [
        *LAWYERS,
        Document(
            id="third",
            title="A third parent charged",
            text=(
                "Last week a court fined Elvira Osmanova for taking part in the picket.\n\n"
                "Elvira Osmanova was charged; her case will be heard separately in court.\n"
            ),
        ),
    ]
    searcher = Searcher(build_index(articles, HashingEncoder()), HashingEncoder(), "hashing")
    for question in ("Who is Elvira Osmanova's lawyer?", "Who represents Osmanova in court?"):
        answer = searcher.search(question)
        assert answer.outcome != "answered", question
        assert all(
            "Kurbedinov" not in q.text and "Orlova" not in q.text for q in answer.quotes[:1]
        )
    assert searcher.search("Who is Server Mustafayev's attorney?").outcome == "answered"


def test_a_lawyer_question_with_the_full_name_finds_the_lawyer_of_the_surname() -> None:
    """NU31-3: "Who is Ayder Kemalov's lawyer?" was related (0.10) while "Who is Kemalov's
    lawyer?" was answered: the article names him in full once, then "Kemalov's lawyer Emil
    Kurbedinov". Another article's Kemalov with no lawyer named there is no answer."""
    articles = [
        Document(
            id="fine",
            title="Citizen journalist fined for Facebook post",
            text=(
                "A court in Simferopol has fined citizen journalist Ayder Kemalov 40,000 roubles "
                "for a Facebook post.\n\n"
                "The hearing lasted twenty minutes.\n\n"
                'Kemalov\'s lawyer Emil Kurbedinov: "The court did not even read the post."\n'
            ),
        ),
        Document(
            id="brother",
            title="Brother released",
            text="Server Kemalov was released in January after two years in custody.\n",
        ),
    ]
    searcher = Searcher(build_index(articles, HashingEncoder()), HashingEncoder(), "hashing")
    for question in ("Who is Ayder Kemalov's lawyer?", "Who defends Ayder Kemalov in court?"):
        answer = searcher.search(question)
        assert answer.outcome == "answered", question
        assert "Emil Kurbedinov" in answer.quotes[0].text, question
    assert searcher.search("Who is Server Kemalov's lawyer?").outcome != "answered"
