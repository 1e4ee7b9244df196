"""Answerability: does the corpus answer the question, or only speak of its subject?"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from embeddings.answerability import (
    ANSWERABILITY_FEATURES,
    answerability_features,
    asks_when,
    asks_when_ahead,
    counted_terms,
    counts,
    names_time,
    probability,
    question_terms,
    tells_ahead,
)
from embeddings.features import FEATURES
from embeddings.lexical import build_lexical_index
from tests.fakes import low_threshold_searcher

TEXTS = [
    "Ilmi Umerov was moved to a psychiatric clinic on August 21.",
    "His lawyer Nikolai Polozov says his health is poor.",
    "The Mejlis is the body of the Crimean Tatars.",
]
LEXICAL = build_lexical_index(TEXTS)


def _features(question: str, passage: list[str], scores: list[float]) -> dict[str, float]:
    x = np.zeros((len(scores), len(FEATURES)), dtype=np.float32)
    values = answerability_features(
        question,
        question_terms(LEXICAL, question),
        passage,
        x,
        np.array(scores, dtype=np.float32),
    )
    return dict(zip(ANSWERABILITY_FEATURES, values.tolist(), strict=True))


def test_names_and_numbers_the_corpus_never_uses_are_flagged() -> None:
    terms = question_terms(LEXICAL, "How many Crimean Tatars lived in Tokyo in 1944?")
    unknown = {t for t, known in zip(terms.terms, terms.known, strict=True) if not known}
    salient = {t for t, name in zip(terms.terms, terms.salient, strict=True) if name}
    assert {"tokyo", "1944"} <= unknown
    assert {"tokyo", "1944", "tatar"} <= salient and "live" not in salient
    tokyo = _features("How many Crimean Tatars lived in Tokyo in 1944?", TEXTS[2:], [5.0, 1.0])
    known = _features("How many Crimean Tatars are in the Mejlis?", TEXTS[2:], [5.0, 1.0])
    assert tokyo["unknown_name"] == 1.0 and known["unknown_name"] == 0.0
    assert tokyo["corpus_missing"] > 0 == known["corpus_missing"]


def test_a_passage_that_lacks_what_is_asked_covers_less_of_the_question() -> None:
    """ "born" is nowhere near the sentences that name Umerov: the passage speaks of him but
    does not answer when he was born."""
    born = _features("When was Ilmi Umerov born?", TEXTS[:2], [5.0, 1.0])
    moved = _features("When was Ilmi Umerov moved to a clinic?", TEXTS[:2], [5.0, 1.0])
    assert born["window_coverage"] < moved["window_coverage"] == pytest.approx(1.0)
    assert born["passage_share"] < moved["passage_share"]


def test_when_questions_need_a_date_not_just_a_word_about_time() -> None:
    today = ["Today activists hung a banner for Umerov."]
    assert _features("When was Ilmi Umerov born?", today, [5.0])["type_missing"] == 1.0
    assert _features("When was Umerov moved?", TEXTS[:1], [5.0])["type_missing"] == 0.0


@pytest.mark.parametrize(
    "question",
    ["How old is Ilmi Umerov?", "What is Ilmi Umerov's age?", "At what age did he die?"],
)
def test_an_age_needs_an_age_not_just_a_number(question: str) -> None:
    """ "How old is Ilmi Umerov?" was answered (0.44) by a passage that held "for a week"
    and a year but no age (NU22-1)."""
    numbers = ["Ilmi Umerov was moved to a clinic on August 21, 2016, for a week."]
    assert _features(question, numbers, [5.0])["type_missing"] == 1.0
    for passage in ("Maria Bondar, 71, has lived here for forty years.", "He died aged 89."):
        assert _features(question, [passage], [5.0])["type_missing"] == 0.0


@pytest.mark.parametrize(
    "question",
    [
        "How much profit did the Kestrel Ridge mine make last year?",
        "How much did the repairs cost?",
        "What was the fine?",
        "How much was the burned wheat worth?",  # NU24B-1: answered 0.91 by a tonnage
        "What was the value of the wheat?",
        "How much did the 1998 restoration of the organ cost?",  # NU25B-2: six words
        "How much was Asanov fined?",
        "How much did the court fine Elvira Osmanova?",
    ],
)
def test_money_needs_an_amount_of_money_not_just_a_number(question: str) -> None:
    """ "How much profit ...?" was answered (0.68) by "produced 41,000 tonnes of copper
    concentrate last year" (NU24-2)."""
    tonnes = "The mine employs about 310 people and produced 41,000 tonnes of copper last year."
    assert _features(question, [tonnes], [5.0])["type_missing"] == 1.0
    for passage in ("Each family will get £35,000.", "She was fined 300 thousand rubles."):
        assert _features(question, [passage], [5.0])["type_missing"] == 0.0


def test_a_why_question_is_not_judged_by_a_missing_because() -> None:
    """A reason is often given without a marker ("He resigned over the scandal.")."""
    assert _features("Why was Umerov moved?", TEXTS[:1], [5.0])["type_missing"] == 0.0


def test_a_best_candidate_that_stands_alone_is_surer_than_one_among_equals() -> None:
    alone = _features("Who is the lawyer?", TEXTS[1:2], [9.0, 1.0, 1.0])
    among = _features("Who is the lawyer?", TEXTS[1:2], [9.0, 9.0, 9.0])
    assert alone["competition"] == pytest.approx(0.0, abs=1e-3)
    assert among["competition"] == pytest.approx(np.log(3.0), abs=1e-5)
    assert alone["margin"] > among["margin"] == 0.0


def test_the_probability_falls_with_each_sign_that_the_corpus_does_not_answer() -> None:
    base = _features("When was Ilmi Umerov moved to a clinic?", TEXTS[:2], [16.0, 8.0])
    values = np.array(list(base.values()), dtype=np.float32)
    answered = probability(values)
    for name, value in (("type_missing", 1.0), ("unknown_name", 1.0), ("window_coverage", 0.2)):
        changed = values.copy()
        changed[ANSWERABILITY_FEATURES.index(name)] = value
        assert probability(changed) < answered, name
    assert 0.0 < probability(values) < 1.0


def test_no_candidates_is_not_an_answer() -> None:
    values = answerability_features(
        "Who?",
        question_terms(LEXICAL, "Who?"),
        [],
        np.zeros((0, len(FEATURES)), dtype=np.float32),
        np.zeros(0, dtype=np.float32),
    )
    assert probability(values) < 0.1


ISSUE_NEAR_SUBJECT = [
    "Who is the president of Ukraine?",
    "When was Ilmi Umerov born?",
    "What is the population of Tokyo?",
    "How old is Ilmi Umerov?",  # NU22-1: answered 0.44 by a passage with no age
]
ISSUE_ANSWERABLE = [
    "How many political prisoners are held in Crimea?",
    "Who defends Umerov in court?",
    "What was written on the banner?",
    "Which journalists help the children of political prisoners?",
    "Who said the situation in Crimea is horrible?",
]


@pytest.mark.integration
def test_the_issues_near_subject_questions_are_not_answered_and_its_reader_questions_are(
    real_index_dir: Path,
) -> None:
    from embeddings.service import open_searcher
    from tests.conftest import CORPUS

    searcher = open_searcher(CORPUS, real_index_dir, "all-MiniLM-L6-v2")
    for answer in searcher.search_many(ISSUE_NEAR_SUBJECT):
        assert answer.outcome != "answered", answer.question
    for answer in searcher.search_many(ISSUE_ANSWERABLE):
        assert answer.outcome == "answered", answer.question


@pytest.mark.integration
def test_a_question_about_a_year_the_corpus_never_names_is_not_answered(
    real_index_dir: Path,
) -> None:
    """The passage about Crimean Tatars as 13% of Crimea's population looked like an answer
    (answered until the count of what "how many" asks for was required)."""
    from embeddings.service import open_searcher
    from tests.conftest import CORPUS

    searcher = open_searcher(CORPUS, real_index_dir, "all-MiniLM-L6-v2")
    answer = searcher.search("How many Crimean Tatars were deported in 1944?")
    assert answer.outcome != "answered"


@pytest.mark.integration
def test_when_is_not_answered_by_a_passage_with_no_time_in_it(real_index_dir: Path) -> None:
    """NU26-7: "When will the issue of Crimea be discussed at the G20 summit?" was answered
    (0.75) by "... will be raised at the G20 Summit in China", with no time near it."""
    from embeddings.service import open_searcher
    from tests.conftest import CORPUS

    searcher = open_searcher(CORPUS, real_index_dir, "all-MiniLM-L6-v2")
    g20 = searcher.search("When will the issue of Crimea be discussed at the G20 summit?")
    assert "G20 Summit in China" in g20.quotes[0].text
    assert g20.outcome == "related"
    clinic = searcher.search("When was Ilmi Umerov taken to the psychiatric clinic?")
    assert clinic.outcome == "answered"


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("When was the blogger arrested?", True),
        ("In what year was the mill built?", True),
        ("What year did the Broncos win?", True),
        ("What happens when the immune system is less active?", False),
        ("Who was there when the police came?", False),
    ],
)
def test_a_when_question_opens_by_asking_when(question: str, asks: bool) -> None:
    assert asks_when(question) is asks


def test_any_expression_of_time_may_answer_when() -> None:
    for passage in (
        "Police searched the house on Tuesday.",
        "It was razed during the Second World War.",
        "It expanded again in the Middle Miocene.",
        "The court met two weeks ago.",
        "He was detained on 3 March 2024.",
    ):
        assert names_time([passage]), passage
    assert not names_time(["The issue will be raised at the G20 Summit in China."])


def test_a_length_of_time_does_not_say_when() -> None:
    """NU28-2: "When was Asan Mambetov arrested?" was answered (0.54) by "sentenced to 14
    years"."""
    assert not names_time(["He was arrested and sentenced to 14 years in a colony."])
    assert not names_time(["The banner will hang here for a week."])
    assert not names_time(["He spent six-months in custody."])
    assert names_time(["He was arrested two years ago."])
    assert names_time(["He was arrested 14 years after the war."])
    assert names_time(["He was arrested in the last years of the war."])


def test_a_time_something_has_not_happened_since_says_when_only_it_last_happened() -> None:
    """NU33-2: "When did Lenara Seitumerova move to Kyiv to study?" was answered (0.94) by "She
    has not seen her parents since 2021", which dates no move."""
    for passage in (
        "She has not seen her parents since 2021.",
        "They have not met since 12 May 2020, she said.",
    ):
        assert not names_time([passage], last=False), passage
        assert names_time([passage]), passage
    # a date inside what happened since still dates that
    assert names_time(["He has not worked since he was arrested in March."], last=False)
    text = (
        "The eldest daughter, Lenara Seitumerova, 20, is a student at the university in Kyiv. "
        "She has not seen her parents since 2021.\n"
    )
    searcher = low_threshold_searcher(text)
    assert searcher.search("When did Lenara Seitumerova move to Kyiv?").outcome == "related"
    assert searcher.search("When did Lenara Seitumerova last see her parents?").outcome == (
        "answered"
    )


def test_words_that_order_events_do_not_say_when() -> None:
    """NU28B-3: "When will Elvira Osmanova's case be heard?" was answered (0.52) because the
    sentence before said "Police officers then took them to the station"."""
    for passage in (
        "Police officers then took them to the station.",
        "The parents first wrote to the director.",
        "The case will finally be heard separately.",
        "She is now charged with taking part in the picket.",
    ):
        assert not names_time([passage]), passage
    text = (
        "Two parents were detained at the school gate. "
        "Police officers then took them to the station in Dzhankoi. "
        "A third parent, Elvira Osmanova, was charged with taking part in the picket; "
        "her case will be heard separately.\n"
    )
    question = "When will Elvira Osmanova's case be heard?"
    assert low_threshold_searcher(text).search(question).outcome == "related"
    dated = text.replace("heard separately", "heard separately on 14 May")
    assert low_threshold_searcher(dated).search(question).outcome == "answered"


def test_a_time_in_the_next_paragraph_dates_something_else() -> None:
    """NU29-2: "On what date did prosecutors warn the imam?" was answered (0.47) by a warning
    dated nowhere; the next paragraph's "in March" dated other fines."""
    warned = "Prosecutors warned the imam.\n\nThree men were fined in March for likes.\n"
    question = "On what date did prosecutors warn the imam?"
    answer = low_threshold_searcher(warned).search(question)
    assert answer.quotes[0].text.startswith("Prosecutors warned")
    assert answer.outcome == "related"
    one_paragraph = warned.replace("imam.\n\n", "imam. ")
    assert low_threshold_searcher(one_paragraph).search(question).outcome == "answered"


def test_a_when_question_whose_first_passage_has_no_time_is_at_most_related() -> None:
    text = (
        "The blogger runs a channel about searches in the region.\n\n"
        "Police say the blogger was arrested for his videos.\n"
    )
    searcher = low_threshold_searcher(text)
    assert searcher.search("When was the blogger arrested?").outcome == "related"
    dated = text.replace("was arrested", "was arrested on 3 March")
    assert low_threshold_searcher(dated).search("When was the blogger arrested?").outcome == (
        "answered"
    )


@pytest.mark.parametrize(
    ("question", "ahead"),
    [
        ("On what date will the court rule on Umerov's case?", True),
        ("When is the hearing due to resume?", True),
        ("When was Scotland invaded by William?", False),  # "William" is no "will"
        ("What year was the first manned flight scheduled?", False),  # a past plan
        ("When did the court rule?", False),
    ],
)
def test_a_when_question_may_ask_what_is_to_come(question: str, ahead: bool) -> None:
    assert asks_when_ahead(question) is ahead


def test_when_something_will_happen_is_not_answered_by_a_date_of_the_past() -> None:
    """NU32-9: "On what date will the court rule on Umerov's case?" was answered (0.74) by
    "August 18, FSB officers ... transferred Umerov", a date of something else."""
    text = (
        "The court heard the case of Ilmi Umerov in Simferopol.\n\n"
        "On 18 August, officers transferred Umerov from the hospital to a clinic.\n"
    )
    question = "On what date will the court rule on Umerov's case?"
    answer = low_threshold_searcher(text).search(question)
    assert answer.outcome == "related"
    ahead = text + "\nThe court will rule on Umerov's case on 27 September.\n"
    answer = low_threshold_searcher(ahead).search(question)
    assert (answer.outcome, answer.quotes[0].text.startswith("The court will rule")) == (
        "answered",
        True,
    )
    assert tells_ahead(["The verdict is due next week."])
    assert not tells_ahead(["Officers transferred him on 18 August."])


def test_a_question_in_another_language_than_the_passage_is_not_judged_by_its_words() -> None:
    """With a multilingual model a Ukrainian question may be answered by an English sentence:
    that none of its words occur in the corpus says nothing then."""
    question = "Коли Умерова перевели до клініки?"
    x = np.zeros((2, len(FEATURES)), dtype=np.float32)
    scores = np.array([5.0, 1.0], dtype=np.float32)
    terms = question_terms(LEXICAL, question)
    same = answerability_features(question, terms, TEXTS[:1], x, scores)
    across = answerability_features(question, terms, TEXTS[:1], x, scores, comparable=False)
    for name, unknown, neutral in (
        ("unknown_terms", 3.0, 0.0),
        ("unknown_name", 1.0, 0.0),
        ("window_coverage", 0.0, 1.0),
        ("passage_share", 0.0, 1.0),
    ):
        index = ANSWERABILITY_FEATURES.index(name)
        assert (same[index], across[index]) == (unknown, neutral), name


# Off-topic questions about the same world as the articles, written blind by a new user
# (/work/notes/nu20.md): 0.05 as the "related" threshold showed three of them passages as if the
# sources spoke of their subject (NU20-1).
SAME_WORLD_OFF_TOPIC = [
    "Who won the 2019 Ukrainian presidential election?",
    "What happened at the battle of Bakhmut?",
    "How many political prisoners are there in Belarus?",
    "What are the conditions like in Guantanamo Bay prison?",
    "Why was Alexei Navalny imprisoned?",
    "What was the verdict in the Nuremberg trials?",
    "Is the death penalty still used in China?",
    "How are Uyghurs treated in Xinjiang?",
    "What sanctions did the European Union impose on Russia in 2022?",
]


@pytest.mark.integration
def test_off_topic_questions_are_declined_with_no_quotes(real_index_dir: Path) -> None:
    """Declined ("The sources do not answer this question.") for every far-off-topic
    question of the reader sets and the regression set, and for questions about other prisons,
    trials and wars than the articles': showing them passages under "The sources speak of this
    subject" would tell the reader something false."""
    import json

    from embeddings.answer_sets import load_answer_set
    from embeddings.service import open_searcher
    from tests.conftest import CORPUS

    data = Path(__file__).parent / "data"
    cases = [c for f in sorted(data.glob("reader-*.jsonl")) for c in load_answer_set(f)]
    far = [c.question for c in cases if c.tag == "far"]
    lines = (data / "default-corpus-questions.jsonl").read_text(encoding="utf-8").splitlines()
    far += [item["question"] for item in map(json.loads, lines) if not item.get("expect")]
    assert len(far) == 46
    searcher = open_searcher(CORPUS, real_index_dir, "all-MiniLM-L6-v2")
    answers = searcher.search_many(far + SAME_WORLD_OFF_TOPIC)
    assert [a.question for a in answers if a.outcome != "declined"] == []


MILL = (
    "A fire destroyed the main grain store of the Brezno flour mill on Thursday night.\n\n"
    "About 1,200 tonnes of wheat burned, the mill's manager said.\n\n"
    "The store had been built in 1987 and was insured.\n"
)


def test_a_money_question_no_passage_near_the_top_answers_is_at_most_related() -> None:
    """NU24B-1: "How much was the burned wheat worth?" was answered (0.61) by a tonnage."""
    answer = low_threshold_searcher(MILL).search("How much was the burned wheat worth?")
    assert answer.outcome == "related"
    assert answer.relevance == pytest.approx(0.005)
    assert "1,200 tonnes" in " ".join(quote.text for quote in answer.quotes)


def test_a_money_question_is_answered_where_a_passage_near_the_top_names_money() -> None:
    worth = MILL + "\nThe wheat was worth about 9 million koruna, the insurer said.\n"
    answer = low_threshold_searcher(worth).search("How much was the burned wheat worth?")
    assert answer.outcome == "answered"
    assert any("9 million koruna" in quote.text for quote in answer.quotes)
    # a question for a number, not money, is judged as before
    tonnes = low_threshold_searcher(MILL).search("How many tonnes of wheat burned?")
    assert tonnes.outcome == "answered"


def test_a_money_question_whose_first_passage_names_no_money_is_at_most_related() -> None:
    """NU25B-2: "How much did the 1998 restoration of the organ cost?" was answered (0.93) by
    the restoration's length, because a passage further down priced the roof."""
    organ = (
        "The organ was last restored in 1998, when the restoration took 14 months.\n\n"
        "The hall's owners met on Tuesday.\n\n"
        "The roof alone will cost more than £3 million to put right.\n"
    )
    searcher = low_threshold_searcher(organ)
    answer = searcher.search("How much did the 1998 restoration of the organ cost?")
    assert "14 months" in answer.quotes[0].text
    assert any("£3 million" in quote.text for quote in answer.quotes)
    assert answer.outcome == "related"
    priced = organ.replace("14 months", "14 months and £90,000")
    priced_answer = low_threshold_searcher(priced).search(
        "How much did the 1998 restoration of the organ cost?"
    )
    assert priced_answer.outcome == "answered"


def test_money_beside_the_first_quote_counts_only_when_it_is_about_what_was_asked() -> None:
    """NU28-1: "How much was Leniye Mambetova fined?" was answered (0.80) by a sentence with
    no amount, because the next one gave a fundraising total."""
    fined = (
        "Last week a court in Bakhchysarai fined Leniye Mambetova for a one-person picket.\n\n"
        "A fundraising campaign for the family has raised 412,000 rubles from 900 donors.\n"
    )
    answer = low_threshold_searcher(fined).search("How much was Leniye Mambetova fined?")
    assert answer.quotes[0].text.startswith("Last week a court")
    assert answer.outcome == "related"
    # the amount of the fine in the next sentence answers it
    amount = fined.replace(
        "A fundraising campaign for the family has raised 412,000 rubles from 900 donors.",
        "The fine, 20,000 rubles, was paid by her neighbours.",
    )
    assert low_threshold_searcher(amount).search(
        "How much was Leniye Mambetova fined?"
    ).outcome == ("answered")


def test_a_fine_is_no_answer_to_what_was_spent() -> None:
    """NU33-1: "How much money was spent on building the mosque?" was answered (0.35) by the
    fine the community got for building it; the articles never give its cost."""
    mosque = (
        "The Muslim community of Tankove has been fined 200,000 roubles for the construction "
        "of a mosque.\n\n"
        "Construction began in 2018 on a plot donated by a local family.\n"
    )
    searcher = low_threshold_searcher(mosque)
    spent = searcher.search("How much money was spent on building the mosque?")
    assert spent.quotes[0].text.startswith("The Muslim community")
    assert spent.outcome == "related"
    # the fine answers a question about the fine, and a cost one about the cost
    assert searcher.search("How much was the Tankove community fined?").outcome == "answered"
    cost = mosque.replace(
        "a local family.", "a local family. The mosque has cost 3 million roubles."
    )
    assert low_threshold_searcher(cost).search(
        "How much money was spent on building the mosque?"
    ).outcome == ("answered")


def test_money_received_comes_before_a_fine_first_for_a_question_about_money_received() -> None:
    """NU33-13: "How much money do the children of jailed Crimean Tatars get every month?"
    got first the fines for pickets ("the monthly salary of a person"), 5000 rubles third."""
    text = (
        "Children of the prisoners get fined every month: a fine of 10,000 rubles is a monthly "
        "salary here.\n\n"
        "The weather was cold.\n\n"
        "Each month, each child of a prisoner is paid assistance of 5000 rubles.\n"
    )
    answer = low_threshold_searcher(text).search(
        "How much money do the children of prisoners get every month?"
    )
    assert "5000 rubles" in answer.quotes[0].text
    assert answer.outcome == "answered"


def test_a_money_question_is_answered_by_a_joined_first_quote_that_names_money() -> None:
    """NU26B-1: the fine was in the third sentence of the first quote, beyond the first
    sentence's neighbours, and the answer fell to related (0.88 -> 0.10)."""
    fines = (
        "Protesters are fined for unauthorised rallies in the region. "
        "Even one-person pickets are punished. "
        "They impose 10,000 to 15,000 rubles each time.\n"
    )
    answer = low_threshold_searcher(fines).search("What are the fines for unauthorised rallies?")
    assert answer.quotes[0].text.startswith("Protesters are fined")
    assert "15,000 rubles" in answer.quotes[0].text  # one quote of three sentences
    assert answer.outcome == "answered"


def test_money_joined_into_the_first_quote_counts_only_when_it_is_about_what_was_asked() -> None:
    """NU28B-1: "How much was Elvira Osmanova fined?" was answered (0.30) by a quote that
    joined the fine, which names no amount, with the next sentence's fundraising total: the
    total read as the fine."""
    fined = (
        "Last week a court in Dzhankoi fined Elvira Osmanova for taking part in the picket. "
        "The union's campaign has collected 186,000 rubles, about 1,900 euros, so far.\n"
    )
    question = "How much was Elvira Osmanova fined for the picket?"
    answer = low_threshold_searcher(fined).search(question)
    assert answer.quotes[0].text.startswith("Last week a court")
    assert "186,000 rubles" in answer.quotes[0].text  # one quote of both sentences
    assert answer.outcome == "related"
    # the fine's own amount, or money in a sentence that goes on from the fine, answers it
    for amount in (
        "The fine, 20,000 rubles, was paid by her neighbours.",
        "It amounted to 20,000 rubles.",
    ):
        paid = fined.replace("so far.", f"so far. {amount}")
        assert low_threshold_searcher(paid).search(question).outcome == "answered", amount


@pytest.mark.parametrize(
    ("question", "counted"),
    [
        ("How many consultant obstetricians does Carrow employ?", {"consult", "obstetrician"}),
        ("How many political prisoners are held in Crimea?", {"polit", "prison"}),
        ("How many babies were born there?", {"babi"}),
        ("How many times did the Panthers win?", None),  # "twice" answers it
        ("How many kilos has he lost?", {"kilo", "kilogram", "kilogramm", "kg", "kgs"}),
        ("What did the trust say?", None),
        # who is counted before a verb in the past (NU33-3: no count was looked for)
        ("How many people attended the banner action in Kyiv?", {"peopl"}),
        ("How many activists attended the court hearing?", {"activist"}),
        # not a thing: "divided into three groups" answers it (SQuAD dev)
        ("How many divisions comprised Genghis Khan's army?", None),
    ],
)
def test_what_a_how_many_question_counts(question: str, counted: set[str] | None) -> None:
    assert counted_terms(question) == (None if counted is None else frozenset(counted))


def test_a_count_is_a_number_of_what_is_asked_or_of_people_for_people() -> None:
    obstetricians = counted_terms("How many consultant obstetricians does Carrow employ?")
    assert obstetricians is not None
    assert not counts(obstetricians, ["Its labour ward handled 3,100 births last year."])
    assert counts(obstetricians, ["The unit had three consultant obstetricians in 2023."])
    prisoners = counted_terms("How many political prisoners are held in Crimea?")
    assert prisoners is not None
    assert counts(prisoners, ["Occupiers in the Crimea illegally keep in custody 67 people."])
    assert counts(
        frozenset({"year"}), ["Thomas Davis, an 11-year veteran, broke his arm."]
    )  # a hyphen does not hide the number
    # a year is no count (NU32-3: "How many men ... have fled to Kazakhstan?" was answered
    # 0.94 by "Many men ... have left", its neighbour's "in October 2022, said his parents")
    men = counted_terms("How many men from Pakhari have fled to Kazakhstan?")
    assert men is not None
    assert not counts(men, ["He left for Almaty in October 2022, said his parents."])
    assert not counts(men, ["Men have left since 2022 and families stayed."])
    assert counts(men, ["By 2023, 2022 men had left."])  # a year's number after "By 2023,"
    # ... unless what is counted follows it: "attended by 2000 guests" (SQuAD dev)
    guests = counted_terms("How many guests attended the dinner?")
    assert guests is not None
    assert counts(guests, ["The opening was celebrated with a dinner attended by 2000 guests."])


def test_a_how_many_question_that_no_passage_near_the_top_counts_is_at_most_related() -> None:
    """NU25-2: "How many consultant obstetricians does Carrow employ?" was answered (0.83)
    by a count of births."""
    births = (
        "Carrow Royal Infirmary will take on about 600 extra births a year.\n\n"
        "Its labour ward handled 3,100 births last year, and its obstetricians are busy.\n"
    )
    searcher = low_threshold_searcher(births)
    asked = searcher.search("How many consultant obstetricians does Carrow employ?")
    assert asked.outcome == "related"
    counted = low_threshold_searcher(births + "\nIt employs nine consultant obstetricians.\n")
    assert counted.search("How many consultant obstetricians does Carrow employ?").outcome == (
        "answered"
    )


def test_a_count_of_people_of_another_kind_answers_only_in_the_first_passage() -> None:
    """NU28-8: "How many activists took part in the banner action?" was answered (0.80)
    because a third quote said "hundreds of other people"."""
    banner = (
        "Activists hung a banner in support of the prisoner in Kyiv today.\n\n"
        "The banner action was held on a bridge.\n\n"
        "It rained all day.\n\n"
        "The prisoner and hundreds of other people there say the land is theirs, activists "
        "said.\n"
    )
    searcher = low_threshold_searcher(banner)
    asked = searcher.search("How many activists took part in the banner action?")
    assert "hundreds of other people" in " ".join(quote.text for quote in asked.quotes[1:3])
    assert asked.outcome == "related"
    # people of any kind still count in the first passage ("67 people" for prisoners)
    counted = banner.replace("The banner action was held", "Some 40 people held the banner action")
    assert low_threshold_searcher(counted).search(
        "How many activists took part in the banner action?"
    ).outcome == ("answered")
    # NU33-3: so does a number of "people", of any kind or none ("How many people attended
    # the banner action in Kyiv?" was answered, 0.61, by the hundreds in Crimea)
    question = "How many people took part in the banner action?"
    asked = searcher.search(question)
    assert "hundreds of other people" in " ".join(quote.text for quote in asked.quotes[1:3])
    assert asked.outcome == "related"
    assert low_threshold_searcher(counted).search(question).outcome == "answered"
