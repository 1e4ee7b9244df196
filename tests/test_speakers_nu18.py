"""Speakers in a new user's own articles (issue 8, NU18-1/3/4/11).

Short excerpts of the tester's articles (/work/notes/nu18-articles). The module's rule holds:
a full name written in the attribution is who spoke, a name inside someone else's description
("the lawyer of fisherman Ivan Melnyk") never is, and where the article leaves it open the
answer is None.
"""

from __future__ import annotations

import pytest

from embeddings.sentences import split_sentences
from embeddings.speakers import speakers, title_holder

COUNCIL = (
    '"This budget finally gives the harbour the dredging it has needed for a decade," said the '
    "mayor, Anna Koval.\n\n"
    "Councillor Petro Koval, the mayor's cousin, voted against the plan. \"We are spending "
    'money we do not have on ships that may never come," Petro Koval said.\n\n'
    "Anna Koval replied that the port would pay for itself within eight years.\n\n"
    "The mayor said the first dredgers would arrive in March."
)


def _who(text: str) -> list[str | None]:
    return speakers(text, split_sentences(text), "en")


def test_a_full_name_in_the_attribution_wins_over_a_second_koval() -> None:
    # NU18-3: the cousin "Petro Koval" made the mayor's quote lose its speaker.
    budget, cousin, cousin_quote, replied, dredgers = _who(COUNCIL)
    assert budget == "Anna Koval"
    assert cousin is None
    assert cousin_quote == "Petro Koval"
    assert replied == "Anna Koval"
    # "the mayor's cousin" is a cousin, not the mayor: Anna Koval is the one mayor here.
    assert dredgers == "Anna Koval"
    assert title_holder(COUNCIL, "the mayor", "en") == "Anna Koval"


def test_a_title_someone_else_holds_is_not_the_mayors() -> None:
    # The head must be the title's own: the wife of the mayor, the mayor's spokesman are not.
    text = (
        "Olha Koval, the wife of the mayor, came. Bohdan Lytvyn, the mayor's spokesman, came."
        "\n\nThe mayor said the port would pay."
    )
    assert _who(text)[-1] is None
    assert title_holder(text, "the mayor", "en") is None


@pytest.mark.parametrize(
    "attribution",
    [
        "the lawyer of fisherman Ivan Melnyk said.",
        "the lawyer of Ivan Melnyk said.",
        "the wife of farmer Ivan Melnyk said.",
        "said the mother of pupil Ivan Melnyk.",
        "said the daughter of Ivan Melnyk.",
    ],
)
def test_the_relative_or_lawyer_of_a_named_man_is_never_that_man(attribution: str) -> None:
    # NU18-1: the article's own words stand for the speaker (as "wife of Ivan Franko"), the
    # role phrase without "the"; a pronoun after it is that phrase too, never Ivan Melnyk.
    quotation = f'"It is a scandal," {attribution} "We will appeal," he added.'
    _, quote, more = _who(f"Ivan Melnyk, the mayor, came.\n\n{quotation}")
    expected = attribution.replace("said", "").strip(" .").removeprefix("the ")
    assert quote == more == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "The lawyer of Ivan Melnyk spoke to reporters.",
        "Reporters spoke to the lawyer of fisherman Ivan Melnyk.",
        "The wife of Ivan Melnyk was there.",
    ],
)
def test_a_pronoun_after_a_name_inside_a_description_is_not_that_name(sentence: str) -> None:
    text = f'Ivan Melnyk, the mayor, came.\n\n{sentence} "It is a scandal," he said.'
    assert _who(text)[-1] is None


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        # NU18-4: more lower-case roles.
        (
            '"The water rose by two metres in three hours," said rescuer Taras Hnatiuk.',
            "Taras Hnatiuk",
        ),
        ('"The water rose," said lifeguard Taras Hnatiuk.', "Taras Hnatiuk"),
        ('"The water rose," said paramedic Taras Hnatiuk.', "Taras Hnatiuk"),
        # A role with an article, then a comma, then the name.
        (
            '"My son\'s teacher is the best in the city, and she deserves her salary," said a '
            "parent, Svitlana Moroz.",
            "Svitlana Moroz",
        ),
        ('"It is a scandal," said a lawyer for the union, Ivan Melnyk.', "Ivan Melnyk"),
        (
            "The head teacher of School No. 5, Oleh Rudenko, said the strike was justified.",
            "Oleh Rudenko",
        ),
        # "replied"/"answered"/"responded" when "that" or a quotation follows.
        (
            "Anna Koval replied that the port would pay for itself within eight years.",
            "Anna Koval",
        ),
        ('Anna Koval answered: "The port will pay."', "Anna Koval"),
        ("Anna Koval responded that the port would pay.", "Anna Koval"),
        ('"The port will pay," Anna Koval replied.', "Anna Koval"),
    ],
)
def test_common_attribution_forms_are_read(text: str, speaker: str) -> None:
    assert set(_who(text)) == {speaker}


@pytest.mark.parametrize(
    "sentence",
    [
        "Anna Koval replied to the letter on Monday.",
        "Anna Koval answered the phone.",
        "Anna Koval responded to the criticism.",
    ],
)
def test_replied_without_that_or_a_quotation_is_no_speech(sentence: str) -> None:
    assert _who(sentence) == [None]


@pytest.mark.parametrize(
    "attribution",
    [
        # The name may be the mayor's or the chief executive's, not the wife's: not guessed.
        "said the wife of the mayor, Anna Koval.",
        "the wife of the mayor, Anna Koval, said.",
        "said the lawyer representing the chief executive, Ivan Petrenko.",
        "said a spokesman for the chief executive, Ivan Petrenko.",
        # A list or a possessive after the title is no apposition.
        "said the mayor, Anna Koval and Petro Koval.",
        "said the mayor, Anna Koval's cousin.",
    ],
)
def test_a_name_beside_a_title_that_may_be_someone_elses_is_none(attribution: str) -> None:
    assert _who('"It is a scandal," ' + attribution) == [None]


def test_a_second_koval_told_reporters_stays_unknown() -> None:
    # Two Kovals in the article: the surname alone is not guessed (NU18-4's "defensible" None).
    text = (
        "The mayor, Anna Koval, visited the shelter.\n\n"
        "Police chief Dmytro Koval said two people were missing. "
        '"We are searching the flooded streets by boat," Koval told reporters.'
    )
    assert _who(text) == [None, "Dmytro Koval", None]


@pytest.mark.parametrize(
    ("attribution", "speaker"),
    [
        ("said Councillor Petro Koval.", "Petro Koval"),
        ("Councillor Petro Koval said.", "Petro Koval"),
        ("said Mayor Anna Koval.", "Anna Koval"),
        ("said Governor Anna Koval.", "Anna Koval"),
        ("said Judge Anna Koval.", "Anna Koval"),
    ],
)
def test_a_capitalised_role_is_not_part_of_the_name(attribution: str, speaker: str) -> None:
    # NU18-11: "Councillor Petro Koval" was cited with the role word in the name.
    assert _who('"It is a scandal," ' + attribution) == [speaker]
    text = 'Councillor Petro Koval, the mayor\'s cousin, voted against.\n\n"No," Koval said.'
    assert _who(text) == [None, "Petro Koval"]


def test_a_surname_that_is_a_role_word_stays_a_name() -> None:
    # Constable, Marshal, Alderman are surnames too: only a role word opening the run is a role.
    assert _who("John Constable said that the painting was finished.") == ["John Constable"]


@pytest.mark.parametrize("office", ["deputy mayor", "former mayor", "vice mayor"])
def test_the_deputy_or_former_holder_does_not_hold_the_office(office: str) -> None:
    # NU18B-2: "What did the mayor say?" showed the deputy mayor's words first.
    text = f'"Anyone who says otherwise should go to court," said the {office}, Taras Shevchuk.'
    assert _who(text) == ["Taras Shevchuk"]
    assert title_holder(text, "the mayor") is None
    assert title_holder(text, f"the {office}") == "Taras Shevchuk"


def test_a_relative_and_a_councillor_are_titles_their_holders_hold() -> None:
    # NU18B-4: "What did the mayor's cousin say?" and "Councillor Koval" found no one.
    text = (
        "The mayor, Anna Koval, opened the debate.\n\n"
        "Councillor Petro Koval, the mayor's cousin, voted against the plan.\n"
    )
    assert title_holder(text, "the mayor's cousin") == "Petro Koval"
    assert title_holder(text, "the cousin") == "Petro Koval"
    assert title_holder(text, "Councillor") == "Petro Koval"
    assert title_holder(text, "the mayor") == "Anna Koval"
