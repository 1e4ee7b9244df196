"""Does the corpus answer the question, or does it only speak of its subject?

The ranking (embeddings/ranking.py) finds the sentence most likely to answer; it cannot say
whether any does. "Who is the president of Ukraine?" asked of two articles about Crimea finds
a sentence about a presidential election with every word of the subject in it: its best score
is as high as a real answer's. What tells a reader that it does not answer is evidence about
the whole question and the best candidate's passage, not that candidate's score:

- which of the question's content words (stemmed, weighted by their rarity, IDF) the best
  sentence and its neighbours carry (``window_coverage``, ``passage_share``), and how rare the
  rarest word they lack is (``window_missing``): "born" in "When was Ilmi Umerov born?" is
  nowhere near the sentences that name Umerov;
- which of the question's words the corpus never uses at all (``corpus_missing``,
  ``unknown_terms``), and whether one of them is a name or a number (``unknown_name``: Tokyo,
  1944), or a name the corpus uses but not the best passage (``name_not_in_passage``);
- whether the kind of answer asked for (a person, a date, a number, a place) is in the best
  sentence or its neighbours (``type_missing``; for "when", a year, month or day, not "today");
- how the best candidate stands: its ranking score, how far above the runner-up (``margin``),
  how many others compete with it (``competition``), the best cosine and lexical share.

``probability`` is a logistic model over these (``WEIGHTS``, fitted by
``benchmarks/fit_ranking.py`` on SQuAD dev, SelQA dev and the bundled corpus's reader tune set,
with each SQuAD and SelQA question asked again with its own article hidden as the
near-subject negatives; validated by fitting on one set and testing on the others, and on the
reader hold-out set that is never fitted: docs/evaluation.md). It is computed once per
question in numpy, from the candidates the ranking has already scored and the tokens of the
best passage (three sentences): tens of microseconds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from embeddings.features import (
    CLOCK_TIME,
    DATE,
    FEATURES,
    REASON,
    answer_type,
    without_quotations,
)
from embeddings.lexical import LexicalIndex, term_spans, tokenize

_WORD = re.compile(r"[\w'’]+")  # "Six-time", "an 11-year veteran": the number is a word

FloatArray = npt.NDArray[np.float32]
BoolArray = npt.NDArray[np.bool_]

# A date that answers "when": a year, a month, a day of the month, a century or a time of day
# ("at eleven sharp"). The ranking's broader sense of a date ("today", "years ago") says a
# sentence is about time, not when.
_WHEN = re.compile(
    r"\b(1[0-9]\d\d|20\d\d)s?\b|\b\d{1,2}(st|nd|rd|th)\b|\bcentur(y|ies)\b|\b(january|february"
    r"|march|april|may|june|july|august|september|october|november|december)\b|" + CLOCK_TIME,
    re.IGNORECASE,
)

# "How old is Ilmi Umerov?" asks for an age, which any number does not give: the passage about
# him held "for a week" and "2016", and the question was answered (NU22-1). An age is written
# "71-year-old", "aged 71", "at the age of 71", "Maria Bondar, 71," or as a birth.
_AGE_QUESTION = re.compile(
    r"\bhow old\b|\bwhat(?:'s| is| was)? (?:the )?age\b|\bat what age\b"
    r"|\b(?:his|her|their|\w+['’]s) age\b",
    re.IGNORECASE,
)
_AGE = re.compile(
    r"\b\d{1,3}[- ]years?[- ]old\b|\b(?:aged?|age of)\s+\d{1,3}\b|,\s\d{1,3},|\bborn\b"
    r"|\b(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)[\w-]*[- ]years?[- ]old\b",
    re.IGNORECASE,
)

# "How much profit did the mine make?" asks for money, which a tonnage does not give: "41,000
# tonnes of copper concentrate" answered it at 0.68 (NU24-2). Money is written with a currency
# sign or word ("£150", "$5,000", "300 thousand rubles", "4.2 million euros").
_MONEY_QUESTION = re.compile(
    r"\bhow much (?:money|profit|revenue|income|cash|funding|compensation|tax|debt|rent"
    r"|did \w+(?: \w+){0,6} (?:cost|pay|earn|spend|raise|lose|charge|owe|borrow"
    r"|invest|fine)"
    r"|(?:does|do|will|would|is|was|were) \w+(?: \w+){0,6} (?:cost|pay|earn|spend|charge))\b"
    r"|\bhow much (?:was|is|were|are|will) \w+(?: \w+){0,6} (?:be )?(?:worth|fined|paid)\b"
    r"|\bwhat (?:was|is|were|are) (?:the )?(?:cost|price|fine|salary|budget|profit|fee|value"
    r"|worth)s?\b",
    re.IGNORECASE,
)
_MONEY = re.compile(
    r"[$£€¥₴₽]|\b(?:usd|eur|gbp|uah|rub)\b|\b(?:dollars?|euros?|pounds?|pence|cents?"
    r"|rubles?|roubles?|hryvnias?|hryvnia|yen|francs?|pesos?|rupees?|koruna|korun|zloty"
    r"|zlotys|forints?|lira|lire|kronor|krone|kroner)\b",
    re.IGNORECASE,
)

ANSWERABILITY_FEATURES = (
    "best_score",  # the ranking's (linear) score of the best candidate
    "margin",  # best minus runner-up ranking score
    "competition",  # log sum exp(score - best): 0 alone, log n among n equals
    "best_cosine",  # the highest cosine of any candidate
    "best_lexical",  # the highest lexical share (sentence + window) of any candidate
    "corpus_missing",  # IDF-weighted share of the question's terms the corpus never uses
    "window_coverage",  # IDF-weighted share of the question's terms in the best passage
    "window_missing",  # idf of the rarest term the best passage lacks / the corpus's top idf
    "type_missing",  # the asked-for kind of answer is in neither the best sentence nor window
    "unknown_terms",  # how many of the question's terms the corpus never uses (at most 3)
    "unknown_name",  # a name or number of the question that the corpus never uses
    "name_not_in_passage",  # ... that the corpus uses, but not the best passage
    "passage_share",  # share of the question's terms (unweighted) in the best passage
)
# Logistic model: bias, then one weight per ANSWERABILITY_FEATURES entry, as printed by
# ``python benchmarks/fit_ranking.py --keep-weights`` (docs/evaluation.md). Ninth round: fitted
# with reader-tune2 as well (at 0.5), paraphrased reader questions in words the articles do not
# use; fitted without them (commit eabb7a2) the model took such words for a subject the corpus
# lacks and declined or only "related" 0.43 of those questions, most with the right sentence
# first.
WEIGHTS: tuple[float, ...] = (
    -9.8223,
    0.4773,
    -0.1194,
    -0.2787,
    4.2014,
    0.7502,
    -1.7547,
    1.2678,
    1.228,
    -1.9017,
    1.4321,
    -1.7979,
    -0.2998,
    -0.3912,
)
# How fast the shown score of a quote below the first falls with its ranking score (per unit
# of the ranking's linear score): only the order and spread of later quotes depend on it.
SCORE_SCALE = 0.2359


@dataclass(frozen=True)
class QuestionTerms:
    """The question's content terms with their rarity in the corpus, in one language."""

    terms: tuple[str, ...]
    idf: FloatArray  # per term; a term the corpus never uses gets the highest possible idf
    known: BoolArray  # per term: the corpus uses it
    salient: BoolArray  # per term: a name or a number in the question (capitalised, digits)
    top_idf: float  # the idf of a term no sentence uses: the scale of ``window_missing``

    @property
    def coverage(self) -> float:
        """Share of the terms the corpus uses (1.0 for a question without content terms)."""
        return float(self.known.mean()) if len(self.terms) else 1.0


def question_terms(
    lexical: LexicalIndex,
    question: str,
    language: str = "en",
    known: Mapping[str, bool] | None = None,
) -> QuestionTerms:
    """The question's terms as ``lexical`` tokenises them, with their idf in that index.

    ``known`` overrides which terms count as used by the corpus (benchmarks ask a question
    with its own article hidden).
    """
    top = float(np.log(1.0 + (lexical.size + 0.5) / 0.5))
    spans = term_spans(question, language)
    first = spans[0][0] if spans else 0
    names = {
        term
        for start, end, term in spans
        if any(c.isdigit() for c in question[start:end])
        or (start > first and question[start].isupper())
    }
    terms = tuple(dict.fromkeys(tokenize(question, language)))
    idf, used = [], []
    for term in terms:
        t = lexical.vocabulary.get(term)
        idf.append(float(lexical.idf[t]) if t is not None else top)
        used.append(t is not None if known is None else known.get(term, False))
    return QuestionTerms(
        terms,
        np.array(idf, dtype=np.float32),
        np.array(used, dtype=np.bool_),
        np.array([term in names for term in terms], dtype=np.bool_),
        top,
    )


def answerability_features(
    question: str,
    terms: QuestionTerms,
    passage: Sequence[str],
    x: FloatArray,
    scores: FloatArray,
    language: str = "en",
    comparable: bool = True,
) -> FloatArray:
    """The ANSWERABILITY_FEATURES of a question.

    ``passage`` holds the texts of the best candidate and its neighbours (in ``language``),
    ``x`` and ``scores`` the ranking's features and scores of every candidate. A question in
    another language than the passage (a multilingual model) is not ``comparable`` word by
    word: its word features then take the values of a question whose words the passage all
    carries, and the judgement rests on the rest (scores, cosine, kind of answer).
    """
    values = np.zeros(len(ANSWERABILITY_FEATURES), dtype=np.float32)
    if not len(scores):
        values[ANSWERABILITY_FEATURES.index("corpus_missing")] = 1.0
        values[ANSWERABILITY_FEATURES.index("window_missing")] = 1.0
        return values
    ordered = np.sort(scores.astype(np.float64))[::-1]
    best = float(ordered[0])
    margin = best - float(ordered[1]) if len(ordered) > 1 else 10.0
    competition = float(np.log(np.exp(ordered - best).sum()))
    lexical = x[:, FEATURES.index("lexical_sentence")] + x[:, FEATURES.index("lexical_window")]
    total = float(terms.idf.sum())
    if total > 0 and comparable:
        present = passage_terms(passage, language)
        inside = np.array([term in present for term in terms.terms], dtype=np.bool_)
        corpus_missing = float(terms.idf[~terms.known].sum()) / total
        window_coverage = float(terms.idf[inside].sum()) / total
        lacking = terms.idf[~inside]
        window_missing = float(lacking.max()) / terms.top_idf if len(lacking) else 0.0
        unknown_terms = float(min((~terms.known).sum(), 3))
        unknown_name = float((terms.salient & ~terms.known).any())
        name_not_in_passage = float((terms.salient & terms.known & ~inside).any())
        passage_share = float(inside.mean())
    else:
        corpus_missing, window_coverage, window_missing = 0.0, 1.0, 0.0
        unknown_terms = unknown_name = name_not_in_passage = 0.0
        passage_share = 1.0
    kind = answer_type(question)
    age = bool(_AGE_QUESTION.search(without_quotations(question)))
    money = asks_for_money(question)
    if age:
        found = any(_AGE.search(text) for text in passage)
    elif money:
        found = names_money(passage)
    elif kind == DATE:
        found = any(_WHEN.search(text) for text in passage)
    else:
        top = x[int(np.argmax(scores))]
        found = top[FEATURES.index("type_in_sentence")] + top[FEATURES.index("type_in_window")] > 0
    # A "why" answer often gives its reason with no marker ("He resigned over the scandal."):
    # a missing "because" says nothing about whether the passage answers.
    type_missing = float((age or money or kind not in (0, REASON)) and not found)
    values[:] = (
        best,
        min(margin, 10.0),
        competition,
        float(x[:, FEATURES.index("cosine")].max()),
        float(lexical.max()),
        corpus_missing,
        window_coverage,
        window_missing,
        type_missing,
        unknown_terms,
        unknown_name,
        name_not_in_passage,
        passage_share,
    )
    return values


def asks_for_money(question: str) -> bool:
    """Whether the question asks for an amount of money ("How much was the wheat worth?")."""
    asked = without_quotations(question)
    return not _AGE_QUESTION.search(asked) and bool(_MONEY_QUESTION.search(asked))


def names_money(texts: Iterable[str]) -> bool:
    """Whether one of the texts writes an amount of money: a currency sign or word."""
    return any(_MONEY.search(text) for text in texts)


# What money was spent, is worth or is received, and a fine: "How much money was spent on
# building the mosque?" was answered (0.35) by "The community has been fined 200,000 roubles
# for the construction of a mosque", which gives no cost (NU33-1); "How much money do the
# children ... get every month?" got first a fine that "is the monthly salary of a person"
# (NU33-13).
_SPENDING = re.compile(
    r"\b(?:spen[dt]\w*|costs?|costing|worth|prices?|budgets?|invest\w*|raised?|raising"
    r"|donat\w*|earn\w*|salar\w*|wages?|bought|buy\w*|sold|sell\w*|get|gets|getting"
    r"|receiv\w*|allowances?)\b",
    re.IGNORECASE,
)
# What a sentence with a fine may also say money went on: then it may answer.
_SPENT = re.compile(
    r"\b(?:spen[dt]\w*|costs?|costing|worth|prices?|budgets?|invest\w*|raised|donat\w*"
    r"|receiv\w*|assistance|allowances?)\b",
    re.IGNORECASE,
)
_FINED = re.compile(r"\b(?:fine[sd]?|fining|penalt(?:y|ies))\b", re.IGNORECASE)


def money_topic(question: str) -> frozenset[str]:
    """The terms of a money question but the words that ask for money ("How much money was
    spent on building the mosque?": build, mosque)."""
    asked = _SPENDING.sub(" ", without_quotations(question))
    return frozenset(tokenize(asked)) - _MONEY_WORDS


_MONEY_WORDS = frozenset(tokenize("how much money"))


def fine_for_a_cost(question: str, text: str) -> bool:
    """Whether ``text``'s money is a fine while the question asks what was spent, is worth or
    is received: a fine is no price, cost or salary."""
    asked = without_quotations(question)
    return (
        bool(_SPENDING.search(asked))
        and not _FINED.search(asked)
        and bool(_FINED.search(text))
        and not _SPENT.search(text)
    )


# "When will Crimea be discussed at the G20 summit?" was answered (0.75) by a passage with no
# time in it at all (NU26-7). A question that opens by asking when needs some expression of
# time in the passage: a date, and also the looser words an answer may give ("during the
# war", "on Tuesday", "two years ago", "in the Miocene", "before the vote"). Only a passage
# with none of them is missing the answer: on SQuAD dev 3 answered questions with a right
# first sentence ("Under intense light, ..." for "When do chloroplasts ...?") are lost to it.
# Words that order events without placing them ("then", "first", "finally", "now") are not
# among them: "Police officers then took them to the station." beside "her case will be heard
# separately" answered "When will Elvira Osmanova's case be heard?" (NU28B-3, 0.52).
_OPENS_WHEN = re.compile(
    r"^\W*(?:when (?:did|was|were|is|will|does|do|are|had|has|would|could|can|should)\b"
    r"|(?:in |on |by )?(?:what|which) (?:year|date|day|month|time)\b)",
    re.IGNORECASE,
)
_TIME_WORDS = re.compile(
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|ago|yesterday|today"
    r"|tomorrow|tonight|weeks?|months?|years?|since|until|till|during|after|before|bce?|ad|ce"
    r"|centur\w*|eras?|ages?|period|wars?|\w+cene|decades?|seasons?|spring|summer|autumn"
    r"|fall|winter|morning|evening|night|dawn|midnight|noon|once|soon|early|earlier|late|later"
    r"|recently|previously|currently|when|whenever|while|times?|days?"
    r"|hours?|dated?|prior|following)\b",
    re.IGNORECASE,
)


def asks_when(question: str) -> bool:
    """Whether the question opens by asking when ("When was X arrested?", "In what year
    ...?"); not "What happens when ...?"."""
    return bool(_OPENS_WHEN.match(without_quotations(question)))


def asks_when_ahead(question: str) -> bool:
    """Whether the question asks when something will happen ("When will the court rule?",
    "On what date will ...?", "When is the hearing due to ...?")."""
    asked = without_quotations(question)
    return asks_when(asked) and _ASKED_AHEAD.search(asked) is not None


# Not "What year was the first manned flight scheduled?": a past plan, dated in the past.
_ASKED_AHEAD = re.compile(r"\b(?:will|shall|(?:due|going|expected|set) to)\b", re.IGNORECASE)


def tells_ahead(texts: Iterable[str]) -> bool:
    """Whether a text speaks of what is to come: "will", "is to", "scheduled", "next", or a
    future seen from the past ("would", "products to be available in 2016") ...."""
    return any(_AHEAD.search(text) for text in texts)


# What speaks of the future, in a question or in a sentence. "On what date will the court
# rule on Umerov's case?" was answered (0.74) by "August 18, FSB officers ... transferred
# Umerov" (NU32-9): a date, of something past.
_AHEAD = re.compile(
    r"\b(?:will|shall|won't|would|to be|(?:is|are|was|were) (?:to|due|going to|expected|set to)"
    r"|scheduled|due to|plans? to|planned|next|upcoming|postponed|adjourned|tomorrow)\b",
    re.IGNORECASE,
)


# "When was Mambetov arrested?" was answered (0.54) by "sentenced to 14 years" (NU28-2): a
# length of time says how long, not when. Unless it dates something ("two years ago").
_DURATION = re.compile(
    r"\b(?:\d[\d,.]*|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
    r"|fifteen|twenty|thirty|forty|fifty|several|few|many)[\s-]+(?:years?|months?|weeks?|days?"
    r"|hours?|decades?)(?![\s-]+(?:ago|later|earlier|after|before|since|on|into|old)\b)",
    re.IGNORECASE,
)


def names_time(texts: Iterable[str], last: bool = True) -> bool:
    """Whether one of the texts writes any expression of time (``_TIME_WORDS``) or a date,
    a length of time aside; without ``last``, a time something has not happened since aside
    too (``_NOT_SINCE``)."""
    for text in texts:
        if not last:
            text = _NOT_SINCE.sub(" ", text)
        if _WHEN.search(text) or _TIME_WORDS.search(_DURATION.sub(" ", text)):
            return True
    return False


# "She has not seen her parents since 2021." dates when something last happened, not an
# event: "When did Lenara Seitumerova move to Kyiv to study?" was answered (0.94) by it
# (NU33-2). A question for when something last happened ("When did he last see ...?") may be
# answered by it.
_NOT_SINCE = re.compile(
    r"\b(?:not|never|no longer|n't)\b[^.;:!?]{0,60}?\bsince\s+(?:(?:early|late|mid)[\s-]+)?"
    r"(?:\d{1,2}\s+)?(?:(?:january|february|march|april|may|june|july|august|september"
    r"|october|november|december)\b(?:\s+\d{1,2}\b,?)?\s*)?(?:\d{4}\b)?",
    re.IGNORECASE,
)
_LAST = re.compile(r"\blast\b", re.IGNORECASE)


def asks_when_last(question: str) -> bool:
    """Whether a question asks when something last happened ("When did he last see ...?")."""
    return _LAST.search(question) is not None


# "How many consultant obstetricians does Carrow employ?" was answered (0.83) by a count of
# births (NU25-2): a number alone does not count what is asked. The counted words are those
# between "how many" and the verb; a number in the passage counts them when one of them, or
# for people any word for people ("67 people" for "political prisoners", "100 children" for
# "kids"), comes within the four words after it.
_HOW_MANY = re.compile(
    r"\bhow many ((?:[\w'’-]+ ){0,3}?[\w'’-]+?)(?= (?:do|does|did|are|were|is|was|have|has|had"
    r"|will|can|could|would|should|in|of|on|at|for|to|from)\b|\s*\?|\s*$)",
    re.IGNORECASE,
)
# "How many people attended the action in Kyiv?": who is counted, followed by a verb in the
# past that _HOW_MANY's lookahead does not know (it was not read as a count, NU33-3).
_HOW_MANY_DID = re.compile(
    r"\bhow many ((?:[\w'’-]+ ){0,2}?[\w'’-]+?) (?=[\w'’-]+ed\b|(?:took|went|came|left|lost"
    r"|got|saw|made|gave|won|fell|ran|fought|spent|paid|sent|held|kept|met|heard|signed)\b)",
    re.IGNORECASE,
)
_COUNT = re.compile(
    r"\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty"
    r"|thirty|forty|fifty|hundreds?|thousands?|millions?|dozens?|several|few",
    re.IGNORECASE,
)
_COUNTED_WORDS_AFTER = 4
_PEOPLE = frozenset(
    tokenize(
        "people persons individuals men women children kids boys girls adults residents "
        "citizens workers employees staff prisoners detainees inmates victims families "
        "patients students pupils members voters soldiers officers miners doctors nurses "
        "teachers journalists activists protesters passengers survivors refugees volunteers "
        "midwives obstetricians fathers mothers parents players athletes fans spectators "
        "visitors tourists users customers participants competitors contestants candidates "
        "officials experts delegates guests attendees inhabitants"
    )
)
# "How many times ...?" is answered by "twice", "a second time", "three-time": no count of a
# thing to look for.
_NOT_COUNTED = frozenset(tokenize("times time"))


# One unit, several spellings: "How many kilos has he lost?" is answered by "16 kilograms"
# (NU28-6 was related at 0.10), "How many tons ...?" by "8 tonnes".
_UNITS = tuple(
    frozenset(tokenize(spellings))
    for spellings in (
        "kilo kilos kilogram kilograms kilogramme kilogrammes kg kgs",
        "ton tons tonne tonnes",
        "km kilometre kilometres kilometer kilometers",
        "metre metres meter meters",
        "litre litres liter liters",
    )
)


def counted_terms(question: str) -> frozenset[str] | None:
    """The stemmed words of what a "how many" question counts (a unit with its other
    spellings), or None for another question."""
    asked = without_quotations(question)
    match = _HOW_MANY.search(asked)
    terms = frozenset(tokenize(match.group(1))) if match else frozenset()
    if not terms and (did := _HOW_MANY_DID.search(asked)) is not None:
        # Only people: "How many divisions comprised the army?" is answered by "divided into
        # three groups", "How many drugs approved ...?" by "medications" (SQuAD dev).
        terms = frozenset(tokenize(did.group(1))) & _PEOPLE
    if not terms or terms & _NOT_COUNTED:
        return None
    return terms.union(*(unit for unit in _UNITS if terms & unit))


# The people a count may be of without saying who: "hundreds of other people" in one passage
# is no count of the people at an event another passage describes (NU33-3).
ANYONE = frozenset(tokenize("people persons individuals"))


def counts(terms: frozenset[str], texts: Iterable[str], as_people: bool = True) -> bool:
    """Whether one of the texts writes a number of what ``terms`` name; with ``as_people``,
    for people, a number of people of any kind."""
    people = as_people and bool(terms & _PEOPLE)
    for text in texts:
        words = _WORD.findall(text)
        for at, word in enumerate(words):
            if _COUNT.fullmatch(word):
                after = set(tokenize(" ".join(words[at + 1 : at + 1 + _COUNTED_WORDS_AFTER])))
                # "attended by 2000 guests" counts guests, though "by 2000" may be a year.
                if _a_year(words, at) and not set(tokenize(" ".join(words[at + 1 : at + 2]))) & (
                    terms | (_PEOPLE if people else frozenset())
                ):
                    continue
                if after & terms or (people and after & _PEOPLE):
                    return True
    return False


# What a year follows: "in October 2022, said his parents" counts no parents (NU32-3).
_BEFORE_A_YEAR = frozenset(
    "in since until till by before after during january february march april may june july "
    "august september october november december".split()
)
_YEAR = re.compile(r"1[89]\d\d|20\d\d")


def _a_year(words: Sequence[str], at: int) -> bool:
    """Whether ``words[at]`` is a year after a month or "in", "since", "by" ...."""
    return bool(_YEAR.fullmatch(words[at])) and at > 0 and words[at - 1].lower() in _BEFORE_A_YEAR


def passage_terms(texts: Iterable[str], language: str = "en") -> set[str]:
    """The terms of a passage (the best sentence and its neighbours), tokenised as a question."""
    return {term for text in texts for term in tokenize(text, language)}


def logit(values: FloatArray, weights: Sequence[float] = WEIGHTS) -> float:
    """The model's log-odds that the corpus answers the question."""
    bias, *coefficients = weights
    return bias + float(np.dot(np.asarray(coefficients, dtype=np.float32), values))


def probability(values: FloatArray, weights: Sequence[float] = WEIGHTS) -> float:
    """The probability (0..1) that the corpus answers the question: the answer's relevance."""
    return float(1.0 / (1.0 + np.exp(-np.clip(logit(values, weights), -30.0, 30.0))))
