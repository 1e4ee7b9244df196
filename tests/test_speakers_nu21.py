"""Occupations as titles in a new user's own articles (issue 8, NU21-4/5).

"Headteacher Maria Levchenko said ..." and "Dr Svitlana Bondar, an ecologist at the regional
university, ..." name a person by occupation, not office: "What did the headteacher say?"
was only "related" (0.21) and "What did the ecologist say?" found no one, because only
offices (mayor, lawyer, spokesman) headed a title. Texts from /tmp/nu21/mycorpus.
"""

from __future__ import annotations

import pytest

from embeddings.sentences import split_sentences
from embeddings.speakers import speakers, title_holder
from tests.fakes import titled_searcher

SCHOOL = (
    "Repairs to the leaking roof of Riverside Primary School No. 3 have been postponed until "
    "the autumn, the council's education department said on Wednesday.\n\n"
    "The contractor, Dakh-Bud, asked for more time because of a shortage of roofing steel.\n\n"
    "Headteacher Maria Levchenko said pupils had been moved out of three classrooms. "
    '"Children cannot learn with buckets catching water next to their desks," she said.\n\n'
    '"We will not pay a single euro more than the contract says," said Andriy Sydorenko, '
    "the deputy mayor.\n"
)
WETLAND = (
    "The council approved a wetland park on the old gravel pits.\n\n"
    "Dr Svitlana Bondar, an ecologist at the regional university, welcomed the plan. "
    '"Within five years we expect the herons and the otters to come back," she said.\n'
)


@pytest.mark.parametrize(
    ("text", "title", "holder"),
    [
        (SCHOOL, "the headteacher", "Maria Levchenko"),
        (WETLAND, "the ecologist", "Svitlana Bondar"),
        (SCHOOL, "the deputy mayor", "Andriy Sydorenko"),
        (SCHOOL, "the contractor", None),  # Dakh-Bud is a firm the article names no one for
        (SCHOOL, "the mayor", None),  # the deputy mayor is not the mayor
    ],
)
def test_an_occupation_is_a_title_its_holder_is_asked_by(
    text: str, title: str, holder: str | None
) -> None:
    assert title_holder(text, title, "en") == holder


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        # An occupation before the name makes the pronoun's person certain, as an office does.
        (
            "Archeologist Betty Meggers was a proponent of this idea. She claimed that the "
            "density is the maximum.",
            "Betty Meggers",
        ),
        # ... but not inside a phrase that names a book, nor after "of" (a court is no judge).
        (
            "Luther wrote A Sincere Admonition to All Christians to Guard Against "
            'Insurrection. "Faith alone makes someone just," he wrote.',
            None,
        ),
        ('The Court of Justice ruled on Monday. "It is binding," he said.', None),
        ('"The river is clean," said the friend of Olena Shevchuk.', None),
    ],
)
def test_a_pronoun_after_an_occupation_and_a_name(text: str, speaker: str | None) -> None:
    assert speakers(text, split_sentences(text), "en")[-1] == speaker


def test_what_the_headteacher_and_the_ecologist_said_is_answered_with_their_words() -> None:
    searcher = titled_searcher(
        school=("School roof repairs delayed again", SCHOOL),
        park=("Wetland park approved", WETLAND),
    )
    head = searcher.search("What did the headteacher say?", 3)
    assert head.outcome == "answered"
    assert {quote.speaker for quote in head.quotes} == {"Maria Levchenko"}
    assert any("Children cannot learn" in quote.text for quote in head.quotes)
    ecologist = searcher.search("What did the ecologist say?", 3)
    assert ecologist.outcome == "answered"
    assert [quote.speaker for quote in ecologist.quotes] == ["Svitlana Bondar"]


PARK = (
    "The council unveiled a plan on Monday to turn forty hectares of drained farmland north "
    "of the river into a protected wetland park.\n\n"
    "The park will be paid for by a grant of 800,000 euros from the national environment "
    "fund.\n\n"
    "According to deputy mayor Andriy Sydorenko, the first paths will open to walkers next "
    "spring.\n"
)


def test_what_someone_said_in_the_article_whose_title_is_the_topic_is_related() -> None:
    # NU21-3: declined (0.08) although he speaks in the article titled with the topic; his
    # words do not name the park, so they are shown as related, not as an answer: "What did
    # Polozov say about the banner?" reads the same, and his words there are about health.
    searcher = titled_searcher(
        park=("Wetland park plan wins support from ecologists", PARK),
        school=("School roof repairs delayed again", SCHOOL),
    )
    answer = searcher.search("What did Sydorenko say about the wetland park?", 3)
    assert answer.outcome == "related"
    assert answer.quotes[0].text.startswith("According to deputy mayor Andriy Sydorenko")
    assert {quote.speaker for quote in answer.quotes} == {"Andriy Sydorenko"}
    # A topic no title or passage of his names stays declined.
    assert searcher.search("What did Sydorenko say about the harbour?", 3).outcome == "declined"


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        # NU21B-1: more verbs of speech right after a quotation ...
        (
            'Market trader Dmytro Savchuk runs a stall.\n\n"We will close at eleven sharp," '
            "Savchuk promised.",
            "Dmytro Savchuk",
        ),
        ('"The road is needed," argued Mayor Petro Koval.', "Petro Koval"),
        ('"We will not give up," vowed Olena Marchuk.', "Olena Marchuk"),
        # ... but not before one: an account of views, or no speech at all.
        ("Mayor Petro Koval argued that the road is needed.", None),
        ("Mayor Petro Koval promised to build a road.", None),
    ],
)
def test_promised_vowed_argued_after_a_quotation(text: str, speaker: str | None) -> None:
    assert speakers(text, split_sentences(text), "en")[-1] == speaker
