"""Tests of sentence splitting: the sentences a user is quoted for hard cases, and the offset
guarantees (verbatim, ordered, stripped, nothing lost) on the corpus and on random text."""

from __future__ import annotations

import re
from pathlib import Path

import pysbd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from embeddings.sentences import SPLITTER_VERSION, split_sentences

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
UMEROV = "ilmi-umerov-solidarity-banner-kyiv.md"  # straight quotes, "August 18, FSB officers"
DZHEMILEV = "dzhemilev-67-political-prisoners.md"  # curly quotes, "$ 100", "5-6", "10,000-15,000"
# A closing quotation mark at the start of a sentence: it belongs to the sentence before.
STRAY_CLOSING_QUOTE = re.compile(r"[\"'”’»]+(\s|$|[,;:.!?])")


ARTICLES = sorted(
    path.name
    for path in CORPUS.iterdir()
    if path.suffix.lower() in {".md", ".txt"} and path.name != "README.md"
)


def article_body(name: str) -> str:
    """The article text after any front matter, as the corpus README defines it."""
    text = (CORPUS / name).read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        return text
    _, separator, body = text.partition("\n---\n")
    assert separator, f"{name}: front matter does not end"
    return body


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text)]


def assert_well_formed(text: str, spans: list[tuple[int, int]]) -> None:
    """The contract of split_sentences, checked span by span."""
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text), (start, end, spans)
        assert text[start:end] == text[start:end].strip(), repr(text[start:end])
        previous_end = end
    covered = "".join(text[start:end] for start, end in spans)
    assert "".join(covered.split()) == "".join(text.split()), "a character was lost"


def assert_sentences_in_order(found: list[str], expected: list[str]) -> None:
    """expected appears in found as a run of consecutive sentences."""
    first = found.index(expected[0])
    assert found[first : first + len(expected)] == expected


def test_a_curly_quotation_of_several_sentences_is_split_sentence_by_sentence() -> None:
    found = sentences(article_body(DZHEMILEV))

    assert_sentences_in_order(
        found,
        [
            "“To date, 67 people are in custody.",
            'All of them were groundlessly detained, their "crime" is that they do not agree'
            " with the occupation.",
            "Most of them are Crimean Tatars.",
        ],
    )
    assert (
        "Each month, each child is paid assistance in the amount of 5000 rubles (about $ 100)."
        in found
    )
    assert (
        "Not only the Crimean Tatars, but representatives of other nationalities help as well,"
        '" he said.' in found
    )


def test_numbers_ranges_and_sums_do_not_end_a_sentence() -> None:
    found = sentences(article_body(DZHEMILEV))

    assert (
        '“If more than 5-6 people gather in one place, they are fined for "unauthorized rally".'
        in found
    )
    assert (
        "They impose a fine in the amount of 10,000-15,000 rubles, which is the monthly salary"
        " of a person, if this money is given away to pay a fine, the family will remain without"
        " bread." in found
    )
    assert (
        "Accusing her of fomenting ethnic hatred, they initiated the case, intended to arrest"
        " her, but after the incident spread in the media, she was fined 300 thousand rubles,"
        " about $ 5,000." in found
    )


def test_a_short_quotation_inside_a_sentence_stays_in_it() -> None:
    found = sentences(article_body(DZHEMILEV))

    assert_sentences_in_order(
        found,
        [
            'During his speech, while talking about the occupation, he said: "The soldiers put'
            " women and children in front of them and let the Ukrainian military try to open"
            ' fire."',
            "The girl, commenting on Facebook, said that Russians and Crimean Tatars have a very"
            " different mentality, and she cannot even imagine that the Crimean Tatars in the war"
            " sent women and children before them.",
        ],
    )


def test_a_straight_quotation_of_several_sentences_is_split_sentence_by_sentence() -> None:
    found = sentences(article_body(UMEROV))

    assert_sentences_in_order(
        found,
        [
            '"It is very important for us to understand the feelings of the Ukrainian community'
            " with regard to Crimea.",
            "We cannot even think that Crimea is not Ukrainian territory in their eyes.",
            "Conducting such campaigns, we give signals to Ukrainians and Russians living in"
            " Crimea.",
            "Ilmi Umerov and hundreds of other people there say openly that Crimea is Ukrainian"
            " land.",
            "This banner will hang here for a week.",
            "Anyone who can assume that Crimea or Donbas can be yielded to Russia is a traitor,"
            '" said the Head of the Crimean Tatar Mejlis.',
        ],
    )
    assert 'They cannot prove their innocence in courts, as well," she said.' in found


def test_a_date_before_capitals_does_not_end_a_sentence() -> None:
    found = sentences(article_body(UMEROV))

    assert (
        "August 18, FSB officers - before the entry of the court decision into force - illegally"
        " transferred Umerov from the hospital to a psychiatric clinic, taking away vital"
        " medication and allowing him to see his family in a strictly specified time." in found
    )


@pytest.mark.parametrize(("name", "count"), [(UMEROV, 27), (DZHEMILEV, 33)])
def test_sentence_counts_of_the_seed_articles(name: str, count: int) -> None:
    assert len(split_sentences(article_body(name))) == count


HARD_CASES = [
    pytest.param(
        "Mr. Smith met Dr. Jones in the U.S. capital. They talked.",
        ["Mr. Smith met Dr. Jones in the U.S. capital.", "They talked."],
        id="abbreviations",
    ),
    pytest.param(
        "He was born in the U.S. He moved to the U.K. in 1990.",
        ["He was born in the U.S.", "He moved to the U.K. in 1990."],
        id="abbreviation-ends-sentence",
    ),
    pytest.param(
        "J. R. R. Tolkien wrote it. It sold well.",
        ["J. R. R. Tolkien wrote it.", "It sold well."],
        id="initials",
    ),
    pytest.param(
        "He lives at No. 5 Baker Street. It is small.",
        ["He lives at No. 5 Baker Street.", "It is small."],
        id="number-abbreviation",
    ),
    pytest.param(
        "The vote is at 5 p.m. The result comes later.",
        ["The vote is at 5 p.m.", "The result comes later."],
        id="time",
    ),
    pytest.param(
        "A title without a stop\n\nThe first sentence. The second.",
        ["A title without a stop", "The first sentence.", "The second."],
        id="blank-line-after-title",
    ),
    pytest.param(
        "It is not\n\nfinished here.",
        ["It is not", "finished here."],
        id="blank-line-always-ends",
    ),
    pytest.param(
        "Crimean Tatars in custody\nOccupiers keep 67 people. They were arrested.",
        ["Crimean Tatars in custody", "Occupiers keep 67 people.", "They were arrested."],
        id="heading-line",
    ),
    pytest.param(
        "Occupiers in the Crimea illegally keep\nin custody 67 people. They were\narrested.",
        ["Occupiers in the Crimea illegally keep\nin custody 67 people.", "They were\narrested."],
        id="hard-wrapped-lines",
    ),
    pytest.param(
        "Mr.\nSmith came. He left.",
        ["Mr.\nSmith came.", "He left."],
        id="abbreviation-at-line-end",
    ),
    pytest.param(
        "Demands:\n- release the prisoners\n- stop the searches",
        ["Demands:", "- release the prisoners", "- stop the searches"],
        id="list-items",
    ),
    pytest.param(
        "“We help. We collect money.” The campaign goes on.",
        ["“We help.", "We collect money.”", "The campaign goes on."],
        id="curly-quotation-then-sentence",
    ),
    pytest.param(
        '"We help. We collect money," he said. "It is hard."',
        ['"We help.', 'We collect money," he said.', '"It is hard."'],
        id="straight-quotation-said",
    ),
    pytest.param(
        "‘We help. We collect money,’ he said.",
        ["‘We help.", "We collect money,’ he said."],
        id="single-curly-quotation",
    ),
    pytest.param(
        "«We help. We collect money,» he said.",
        ["«We help.", "We collect money,» he said."],
        id="guillemets",
    ),
    pytest.param(
        'He said "Stop. Now." and left.',
        ['He said "Stop.', 'Now." and left.'],
        id="quotation-mid-sentence",
    ),
    pytest.param(
        '"Why?" he asked. "Because!" she said.',
        ['"Why?" he asked.', '"Because!" she said.'],
        id="question-in-quotes",
    ),
    pytest.param(
        'He said: "Stop."  The girl left.',
        ['He said: "Stop."', "The girl left."],
        id="two-spaces-after-quote",
    ),
    pytest.param(
        'He left. "$ 100 is a lot," he said.',
        ["He left.", '"$ 100 is a lot," he said.'],
        id="opening-quote-before-symbol",
    ),
    pytest.param(
        "Yes. Yes. Yes.",
        ["Yes.", "Yes.", "Yes."],
        id="repeated-sentences",
    ),
    pytest.param(
        "It ended. ...\n\n... And then it began.",
        ["It ended. ...", "... And then it began."],
        id="punctuation-is-no-sentence",
    ),
    pytest.param(
        "The ∯ sign. A ȸ too.",
        ["The ∯ sign.", "A ȸ too."],
        id="pysbd-placeholder-characters",
    ),
    pytest.param(
        "First line.\r\n\r\nSecond line.\r\n",
        ["First line.", "Second line."],
        id="windows-line-ends",
    ),
    pytest.param(" \n\n\t ", [], id="only-whitespace"),
    pytest.param("", [], id="empty"),
]


@pytest.mark.parametrize(("text", "expected"), HARD_CASES)
def test_hard_cases(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected
    assert_well_formed(text, split_sentences(text))


def test_repeated_sentences_get_their_own_offsets() -> None:
    assert split_sentences("Yes. Yes. Yes.") == [(0, 4), (5, 9), (10, 14)]


@pytest.mark.parametrize("name", ARTICLES)
def test_every_corpus_article_is_split_well_formed(name: str) -> None:
    text = article_body(name)
    spans = split_sentences(text)

    assert_well_formed(text, spans)
    for start, end in spans:
        assert not STRAY_CLOSING_QUOTE.match(text[start:end]), text[start:end]


def test_a_very_long_paragraph_is_split_as_its_parts_are() -> None:
    paragraphs = [
        paragraph
        for name in (UMEROV, DZHEMILEV)
        for paragraph in article_body(name).split("\n\n")
        if paragraph.strip()
    ] * 10
    one_paragraph = " ".join(paragraph.strip() for paragraph in paragraphs)

    expected = [sentence for paragraph in paragraphs for sentence in sentences(paragraph)]
    assert len(one_paragraph) > 50_000
    assert sentences(one_paragraph) == expected


def test_the_splitter_version_names_the_pysbd_version() -> None:
    # An index built with another pysbd may have other sentences; its fingerprint must differ.
    assert SPLITTER_VERSION.endswith(f"pysbd{pysbd.__version__}")


_TOKENS = st.sampled_from(
    [
        "He", "said", "the", "Crimea", "people", "custody", "Mr.", "U.S.", "No. 5", "J. R.",
        "$ 100", "5-6", "10,000-15,000", ".", ",", "!", "?", "...", ":", "-", "(", ")",
        '"', "'", "“", "”", "‘", "’", "«", "»", " ", " ", "  ", "\n", "\n\n", "\t",
        "\r\n", "\u00a0", "∯", "ȸ", "&ᓴ&", "1.", "a)", "#", "- ", "é", "字",
    ]
)  # fmt: skip
_TEXTS = st.lists(_TOKENS, max_size=60).map("".join) | st.text(max_size=120)


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_random_text_is_split_well_formed(text: str) -> None:
    assert_well_formed(text, split_sentences(text))


_WORDS = st.sampled_from(["He", "said", "the", "Crimea", "Mr.", "5-6", "$ 100", "it"])
_QUOTES = st.sampled_from(['"', "“", "”", "‘", "’", "«", "»", ""])
_ENDS = st.sampled_from([".", ",", "!", "?", "...", ""])
_QUOTED_WORDS = st.tuples(_QUOTES, _WORDS, _ENDS, _QUOTES, st.sampled_from([" ", "  "]))


@settings(max_examples=300, deadline=None)
@given(st.lists(_QUOTED_WORDS.map("".join), min_size=1, max_size=25).map("".join))
def test_no_sentence_starts_with_a_closing_quotation_mark(text: str) -> None:
    found = sentences(text)

    for sentence in found[1:]:
        assert not STRAY_CLOSING_QUOTE.match(sentence), found


@pytest.mark.parametrize(
    "text",
    [
        '"Our children will not learn to swim."\n"We are sorry," a spokesman for the city said.',
        '"Our children will not learn to swim." "We are sorry," a spokesman for the city said.',
        "“Our children will not learn to swim.” “We are sorry,” a spokesman for the city said.",
    ],
)
def test_two_quotations_in_a_row_are_two_sentences(text: str) -> None:
    # Two voices: the coach's words and the spokesman's are quoted (and cited) apart (NU17B-2).
    sentences = [text[a:b] for a, b in split_sentences(text)]
    assert len(sentences) == 2
    assert sentences[1].endswith("a spokesman for the city said.")
