"""Speakers after a role written in lower case before the name (issue 8, NU17B-6).

News writes "said passenger Olena Shevchuk", "activist Lilia Budzhurova said": the role is a
title, and the name after it is who spoke. The module's rule holds here too: where the name
may be someone else's (a spokesman for X, the lawyer representing X), or the capitalised words
are an organisation, the answer is None, never the wrong person.
"""

from __future__ import annotations

import pytest

from embeddings.sentences import split_sentences
from embeddings.speakers import speakers

QUOTE = '"The train was late. We waited for two hours," '


def _who(text: str) -> list[str | None]:
    return speakers(text, split_sentences(text), "en")


@pytest.mark.parametrize(
    ("attribution", "speaker"),
    [
        ("said passenger Olena Shevchuk.", "Olena Shevchuk"),
        ("said the passenger Olena Shevchuk.", "Olena Shevchuk"),
        ("passenger Olena Shevchuk said.", "Olena Shevchuk"),
        ("said passenger Olena Shevchuk at the station.", "Olena Shevchuk"),
        ("said lawyer Nikolai Polozov.", "Nikolai Polozov"),
        ("activist Lilia Budzhurova said.", "Lilia Budzhurova"),
        ("said human rights activist Emil Kurbedinov.", "Emil Kurbedinov"),
        ("said Crimean Tatar activist Lilia Budzhurova.", "Lilia Budzhurova"),
        ("said eyewitness Olena Shevchuk.", "Olena Shevchuk"),
        ("said neighbour Olena Shevchuk on Monday.", "Olena Shevchuk"),
        ("said protester Olena Shevchuk.", "Olena Shevchuk"),
        ("said photographer Olena Shevchuk.", "Olena Shevchuk"),
    ],
)
def test_a_lower_case_role_before_the_name_keeps_the_speaker(
    attribution: str, speaker: str
) -> None:
    # Both sentences of the quotation are the speaker's.
    assert _who(QUOTE + attribution) == [speaker, speaker]


@pytest.mark.parametrize(
    ("sentence", "speaker"),
    [
        ("Passenger Olena Shevchuk said that the train was late.", "Olena Shevchuk"),
        ("Earlier, passenger Olena Shevchuk said that the train was late.", "Olena Shevchuk"),
        ("According to passenger Olena Shevchuk, the train was late.", "Olena Shevchuk"),
        ("Witness Olena Shevchuk told the court that the train was late.", "Olena Shevchuk"),
        ("Lawyer Nikolai Polozov stated that they will appeal.", "Nikolai Polozov"),
        ("Human rights activist Emil Kurbedinov said that it is unfair.", "Emil Kurbedinov"),
        # NU33B-6: the speaker was "Dancer Elmira Asanova"
        ("Dancer Elmira Asanova said that the tour was cancelled.", "Elmira Asanova"),
        ("Choreographer Lutfiye Ablaeva said that it is unfair.", "Lutfiye Ablaeva"),
    ],
)
def test_a_role_in_reported_speech_is_not_part_of_the_name(sentence: str, speaker: str) -> None:
    # At the start of a sentence the role is capitalised: "Passenger Olena Shevchuk" was
    # taken for the name itself, a speaker the article never names.
    assert _who(sentence) == [speaker]


def test_the_surname_alone_later_is_the_person_the_role_introduced() -> None:
    text = (
        "Passenger Olena Shevchuk said that the train was late.\n\n"
        '"Nobody told us anything," Shevchuk added.'
    )
    assert _who(text) == ["Olena Shevchuk", "Olena Shevchuk"]


@pytest.mark.parametrize(
    "attribution",
    [
        "said a spokesman for passenger Olena Shevchuk.",
        "said the lawyer representing passenger Olena Shevchuk.",
        "said the lawyer representing farmer Olena Shevchuk.",
        "said a passenger near Olena Shevchuk.",
        "said the passenger who sat next to Olena Shevchuk.",
        "said the friend of Olena Shevchuk.",
        "said passenger Olena Shevchuk and Ivan Petrenko.",
        "said the passenger.",
        "said the girl.",
        "said lawyer group Amnesty International.",
        "said activist group Crimean Solidarity.",
    ],
)
def test_someone_elses_name_or_no_name_after_a_role_is_none(attribution: str) -> None:
    assert _who(QUOTE + attribution) == [None, None]


def test_the_wife_of_a_named_passenger_is_not_the_passenger() -> None:
    # The article's own words stand for the speaker, as for "the wife of Ivan Franko".
    wife = "wife of passenger Olena Shevchuk"
    assert _who(QUOTE + "said the wife of passenger Olena Shevchuk.") == [wife, wife]


def test_a_capitalised_role_before_a_surname_is_the_articles_full_name_or_none() -> None:
    said = "Coach Rebrov said that the team was ready."
    assert _who("Serhiy Rebrov came.\n\n" + said) == [None, "Serhiy Rebrov"]
    assert _who(said) == [None]  # not "Coach Rebrov": the article gives no full name


def test_a_surname_that_is_also_a_role_word_stays_a_name() -> None:
    # Farmer is a surname too: only a role word that opens the run is read as a role.
    assert _who("Frances Farmer said that the film was finished.") == ["Frances Farmer"]
    text = "Frances Farmer came to Kyiv.\n\nFarmer said that the film was finished."
    assert _who(text) == [None, "Frances Farmer"]


@pytest.mark.parametrize(
    ("sentence", "speaker"),
    [
        # NU24-6: a named owner in place of "the" before the title
        ("Dunmore's provost, Janet Cairns, said the town would not forget.", "Janet Cairns"),
        (
            "Greyfell Mining's chief executive, Harriet Vance, said the firm would pay.",
            "Harriet Vance",
        ),
        ("Koval's lawyer, Olha Petrenko, said that they will appeal.", "Olha Petrenko"),
        # a first verb and "and"/"but" before the saying: one subject
        (
            "Greyfell Mining's chief executive, Harriet Vance, thanked the rescuers and said "
            "the company would pay.",
            "Harriet Vance",
        ),
        (
            "Ewan MacLeod, the union's general secretary, welcomed the fund but said it was \"a "
            'first step".',
            "Ewan MacLeod",
        ),
        ("Mary McDonald, 52, a teacher, said the school was cold.", "Mary McDonald"),
    ],
)
def test_a_title_with_an_owner_or_a_verb_before_the_saying_keeps_the_speaker(
    sentence: str, speaker: str
) -> None:
    assert _who(sentence) == [speaker]


@pytest.mark.parametrize(
    "sentence",
    [
        "Ivan Bohun's wife, Olha, said he was innocent.",  # one name: not certainly a person
        "The mayor met Ann Roe and Bo Li said the talks went well.",  # another subject
        "Police detained two men and said they were suspects.",  # no person
    ],
)
def test_an_owner_or_a_first_verb_names_no_one_uncertain(sentence: str) -> None:
    assert _who(sentence) == [None]
