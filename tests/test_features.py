"""Features of the learned ranking: what a question asks for and what a sentence holds."""

from __future__ import annotations

import numpy as np
import pytest

from embeddings.features import (
    DATE,
    FEATURES,
    NAME,
    NUMBER,
    PERSON,
    REASON,
    SPAN,
    Pool,
    answer_type,
    context_cosine,
    features,
    sentence_traits,
)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Who defends Umerov in court?", PERSON),
        ("Whose wife attended?", PERSON),
        ("When was the banner hung?", DATE),
        ("In what year did it start?", DATE),
        ("What year did it start?", DATE),
        ("How many children have fathers in prison?", NUMBER),
        ("How much was Zarema fined?", NUMBER),
        ("What percentage are Crimean Tatars?", NUMBER),
        ("Where did the activists hang the banner?", NAME),
        ("Which NGO took part?", NAME),
        ("What did the banner say?", 0),
        ("Why are so many Crimean Tatars imprisoned?", REASON),
        ("Why did Zarema end up with a fine instead of being locked up?", REASON),
        ("What was the reason for the arrest?", REASON),
        ("What time will the night market close?", DATE),
        # NU23-4: the words someone said are not the question's, and "Who ..." asks for a person
        ('Who said "I\'ll believe it when I taste it"?', PERSON),
        ("Who said I'll believe it when I taste it?", PERSON),
        ('When did Chubarov say "who will pay"?', DATE),
        ("Who was mayor when the dam failed?", PERSON),
        ("How many people who live in Crimea are held?", NUMBER),
        # NU29-4: "how long" asks for a span, not any number; "how long ago" for a time
        ("How long was the pensioner locked up?", SPAN),
        ("For how long did the plague stick around?", SPAN),
        ("How long ago did the river flood?", DATE),
        ("How long has Hwang Min-woo been alive?", NUMBER),
    ],
)
def test_the_question_says_what_kind_of_answer_it_wants(question: str, kind: int) -> None:
    assert answer_type(question) == kind


TEXTS = [
    "Refat Chubarov took part in the action.",
    "He said it would hang for a week.",
    "On August 18 he was moved to a clinic.",
    "Occupiers keep 67 people in custody.",
]


def test_each_sentence_knows_what_it_holds_and_whether_it_leans_on_its_neighbour() -> None:
    traits = sentence_traits(TEXTS, [0, 0, 0, 1])
    assert traits.has_date.tolist() == [False, False, True, False]  # "a week" is no date
    # "for a week" is the number a "how long" question asks for (issue 8, sixth round)
    assert traits.has_number.tolist() == [False, True, True, True]
    assert "chubarov" in traits.full_names[0]
    assert traits.leans.tolist() == [False, True, False, False]
    assert traits.previous.tolist() == [-1, 0, 1, -1]  # never across documents
    assert traits.following.tolist() == [1, 2, -1, -1]


@pytest.mark.parametrize(
    ("text", "has_number"),
    [
        ("This banner will hang here for a week.", True),
        ("The hunger strike lasted several days.", True),
        ("Pickets are held every month.", True),
        ("He will stay in custody until the trial.", True),
        ("They met twice.", True),
        ("The banner hangs on the bridge.", False),
        ("Crimean Tatars resist the invaders.", False),
    ],
)
def test_a_duration_or_a_frequency_is_the_number_how_long_asks_for(
    text: str, has_number: bool
) -> None:
    """ "How long will the banner stay up?" is answered by "for a week", which has no digit:
    without it the answer sentence counted as lacking the asked-for number."""
    assert sentence_traits([text], [0]).has_number.tolist() == [has_number]


@pytest.mark.parametrize(
    ("text", "has_span"),
    [
        ("A court sentenced the pensioner to ten days of administrative arrest.", True),
        ("This banner will hang here for a week.", True),
        ("She was held for six hours at the crossing.", True),
        ("He has been in custody since 2019.", True),
        ("He was transferred 4,000 km to a colony in Siberia.", True),
        ("The hunger strike lasted three full weeks.", True),
        ("He received a 17-year sentence.", True),
        ("He was president from 1861 to 1865.", True),
        ("The song runs 4:17.", True),
        ("This imagery has been in use since at least the mid-14th century.", True),
        # a number that is no span: a share, a count, an age, a date
        ("About 60% of the residents are pensioners.", False),
        ("Three men were detained.", False),
        ("The 64-year-old prisoner is ill.", False),
        ("He was arrested two years ago.", False),
        ("He was arrested in 2019.", False),
        ("She stayed home since she was ill.", False),
        ("It was his second hunger strike since his arrest.", False),  # NU30-9
        # a count is a whole word, not the end of one
        ("The game's media day was held on Monday.", False),
        ("Funding for the N7 night bus was cut.", False),
        ("He has had diabetes since childhood.", True),
        ("He will stay in custody until the end of March.", True),
        ("He will stay in custody until March.", True),
    ],
)
def test_a_span_of_time_or_distance_is_what_how_long_asks_for(text: str, has_span: bool) -> None:
    assert sentence_traits([text], [0]).has_span.tolist() == [has_span]


def test_a_how_long_question_finds_its_kind_in_a_span_not_in_any_number() -> None:
    """NU29-4: "About 60% of the residents of Ak-Kaya are pensioners" held a number as much as
    the sentence giving the pensioner's ten days of arrest, and came first: the question was
    declined. A share is no answer to "how long"."""
    texts = [
        "This banner will hang here for a week.",
        "The banner hangs on the bridge.",
        "About 60% of the banners hang on bridges.",
    ]
    traits = sentence_traits(texts, [0, 1, 2])
    zeros = np.zeros(3, dtype=np.float32)
    pool = Pool(np.arange(3, dtype=np.int64), zeros + 0.5, zeros, zeros, coverage=1.0)
    x = features("How long will the banner stay up?", traits, pool)
    assert x[:, FEATURES.index("type_in_sentence")].tolist() == [1.0, 0.0, 0.0]
    # a missing span weighs as a missing number does (one learned weight for both)
    assert x[:, FEATURES.index("number_missing")].tolist() == [0.0, 1.0, 1.0]


def test_an_answer_of_the_asked_kind_counts_in_the_sentence_or_its_neighbour() -> None:
    traits = sentence_traits(TEXTS, [0, 0, 0, 1])
    ids = np.arange(4, dtype=np.int64)
    zeros = np.zeros(4, dtype=np.float32)
    pool = Pool(ids, zeros + 0.5, zeros, zeros, coverage=1.0)
    x = features("Who took part in the action?", traits, pool)
    assert x.shape == (4, len(FEATURES))
    in_sentence = x[:, FEATURES.index("type_in_sentence")]
    in_window = x[:, FEATURES.index("type_in_window")]
    assert in_sentence.tolist() == [1.0, 0.0, 0.0, 0.0]
    assert in_window.tolist() == [0.0, 1.0, 0.0, 0.0]  # "He said": the name is one sentence back
    assert x[:, FEATURES.index("dense_best")].sum() == 4  # a tie: every one is the best
    # the best cosine of the candidates in each one's document
    assert x[:, FEATURES.index("document_cosine")].tolist() == [0.5] * 4
    # a person was asked for: every sentence without a name lacks it
    assert x[:, FEATURES.index("person_missing")].tolist() == [0.0, 1.0, 1.0, 1.0]
    assert x[:, FEATURES.index("number_missing")].sum() == 0


def test_words_count_for_the_hybrid_score_only_while_the_dense_winner_is_unsure() -> None:
    """The old fusion as a feature: a paraphrase the dense side clearly prefers ("held" for
    "in custody") is not outvoted by a sentence that merely repeats the question's words."""
    traits = sentence_traits(TEXTS, [0, 0, 0, 1])
    ids = np.arange(4, dtype=np.int64)
    lexical = np.array([0.0, 0.9, 0.0, 0.2], dtype=np.float32)
    zeros = np.zeros(4, dtype=np.float32)
    column = FEATURES.index("hybrid")
    close = Pool(ids, np.array([0.50, 0.48, 0.1, 0.1], dtype=np.float32), lexical, zeros, 1.0)
    unsure = features("How many people are held?", traits, close)[:, column]
    assert int(np.argmax(unsure)) == 1  # a margin of 0.02: the words decide
    clear = Pool(ids, np.array([0.60, 0.40, 0.1, 0.1], dtype=np.float32), lexical, zeros, 1.0)
    sure = features("How many people are held?", traits, clear)[:, column]
    assert int(np.argmax(sure)) == 0  # a margin of 0.2: the dense winner stands
    assert sure.tolist() == pytest.approx([0.60, 0.40, 0.1, 0.1])


def test_a_sentence_that_leans_on_the_one_before_it_is_also_read_with_it() -> None:
    """ "He said it would hang for a week." means little alone; read after the sentence that
    names Chubarov, it is close to a question about Chubarov. A sentence that does not lean on
    its neighbour keeps its own cosine, and nothing is read across documents."""
    traits = sentence_traits(TEXTS, [0, 0, 0, 1])
    matrix = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8], [0.6, 0.8]], dtype=np.float32)
    question = np.array([1.0, 0.0], dtype=np.float32)  # close to the sentence naming Chubarov
    ids = np.arange(4, dtype=np.int64)
    context = context_cosine(matrix, question, ids, traits.previous[ids])
    cosine = matrix @ question
    assert context[0] == pytest.approx(cosine[0])  # first of its document: itself
    assert cosine[1] == pytest.approx(0.0)
    assert context[1] == pytest.approx(1 / np.sqrt(2))  # the name is one sentence back
    assert context[2] == pytest.approx(0.6 / np.sqrt(0.6**2 + 1.8**2))
    assert context[3] == pytest.approx(0.6)  # never across documents
    zeros = np.zeros(4, dtype=np.float32)
    column = FEATURES.index("context_cosine")
    pool = Pool(ids, cosine, zeros, zeros, 1.0, context)
    assert features("Who took part?", traits, pool)[:, column].tolist() == pytest.approx(
        [1.0, 1 / np.sqrt(2), 0.6, 0.6]  # only "He said ..." leans on its neighbour
    )
    alone = Pool(ids, cosine, zeros, zeros, 1.0)  # no vectors around: the sentence alone
    assert features("Who took part?", traits, alone)[:, column].tolist() == pytest.approx(
        cosine.tolist()
    )


@pytest.mark.parametrize(
    ("text", "has_date"),
    [
        # NU21B-4: "What time will the night market close?" found no time in its answer.
        ('"We will close at eleven sharp," Savchuk promised.', True),
        ("The market opens at nine.", True),
        ("The meeting starts at 19:30 on Friday.", True),
        ("Tea is served at 4 pm.", True),
        ("The curfew begins at midnight.", True),
        # ... but a number after "at" is not always a time, nor is a price.
        ("The protest took place at two schools.", False),
        ("He earns 3.50 a day.", False),
    ],
)
def test_a_time_of_day_is_the_date_what_time_asks_for(text: str, has_date: bool) -> None:
    assert sentence_traits([text], [0]).has_date.tolist() == [has_date]


def test_a_why_question_finds_its_kind_in_a_sentence_that_gives_a_reason() -> None:
    texts = [
        "Most of the detainees are Crimean Tatars.",
        "Because the Crimean Tatars are resisting the invaders most of all.",
        "The fine was paid due to public pressure.",
    ]
    traits = sentence_traits(texts, [0, 0, 0])
    assert traits.has_reason.tolist() == [False, True, True]
    # NU30-8: the reason for a hunger strike came second behind a sentence that gives none
    protest = "He refused food on 14 March to protest against the refusal of prison doctors."
    assert sentence_traits([protest], [0]).has_reason.tolist() == [True]
    zeros = np.zeros(3, dtype=np.float32)
    pool = Pool(np.arange(3, dtype=np.int64), zeros + 0.5, zeros, zeros, coverage=1.0)
    x = features("Why are most detainees Crimean Tatars?", traits, pool)
    assert x[:, FEATURES.index("type_in_sentence")].tolist() == [0.0, 1.0, 1.0]
    # No "missing" penalty: a reason is often given without "because".
    for name in ("number_missing", "date_missing", "person_missing"):
        assert x[:, FEATURES.index(name)].sum() == 0
