"""Consecutive sentences among an answer's quotes are shown as one quote, in article order."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from bot.cli.render import answer_record, render_quote
from embeddings.model import DEFAULT_MODEL
from embeddings.quote_joining import (
    JOINS_READ,
    MAX_QUOTE_SENTENCES,
    first_quotes,
    join_adjacent,
    paged_quotes,
)
from embeddings.service import open_searcher
from embeddings.types import Document, Quote
from tests.conftest import CORPUS

ARTICLE = Document(id="a", title="A", text="unused")
OTHER = Document(id="b", title="B", text="unused")


def quote(position: int, score: float, **fields: object) -> Quote:
    values: dict[str, object] = {
        "text": f"Sentence {position}.",
        "score": score,
        "document": ARTICLE,
        "position": position,
        "context_before": f"Sentence {position - 1}.",
        "context_after": f"Sentence {position + 1}.",
        **fields,
    }
    return Quote(**values)  # type: ignore[arg-type]


def test_a_sentence_and_its_neighbour_read_as_the_article_wrote_them() -> None:
    # The second-best quote is the sentence before the best: shown as one, in article order.
    joined = join_adjacent([quote(5, 0.9), quote(4, 0.8), quote(9, 0.7)])
    assert [q.text for q in joined] == ["Sentence 4. Sentence 5.", "Sentence 9."]
    first = joined[0]
    assert (first.position, first.sentences, first.score) == (4, 2, 0.9)
    assert (first.context_before, first.context_after) == ("Sentence 3.", "Sentence 6.")


@pytest.mark.parametrize(
    "neighbour",
    [
        quote(6, 0.8, document=OTHER),  # another article
        quote(6, 0.8, speaker="Refat Chubarov"),  # another voice: one quote, one speaker
        quote(6, 0.8, also_in=(OTHER,)),  # syndicated: its other sources lack the neighbour
    ],
)
def test_sentences_that_cannot_share_a_citation_stay_apart(neighbour: Quote) -> None:
    joined = join_adjacent([quote(5, 0.9), neighbour])
    assert [q.sentences for q in joined] == [1, 1]


def test_a_sentence_that_fills_a_gap_joins_the_runs_on_both_sides() -> None:
    joined = join_adjacent([quote(4, 0.9), quote(6, 0.8), quote(5, 0.7)])
    assert [q.text for q in joined] == ["Sentence 4. Sentence 5. Sentence 6."]
    assert joined[0].score == 0.9


def test_no_quote_is_longer_than_the_longest_run() -> None:
    joined = join_adjacent([quote(p, 1.0 - p / 10) for p in range(1, 8)])
    assert max(q.sentences for q in joined) == MAX_QUOTE_SENTENCES
    assert sum(q.sentences for q in joined) == 7
    assert [q.position for q in joined] == sorted(q.position for q in joined)


def test_asking_for_three_quotes_gives_three_reading_further_down_the_ranking() -> None:
    ranked = [quote(5, 0.9), quote(4, 0.8), quote(20, 0.7), quote(30, 0.6), quote(40, 0.5)]
    shown = first_quotes(ranked, 3)
    assert [q.text for q in shown] == ["Sentence 4. Sentence 5.", "Sentence 20.", "Sentence 30."]
    assert first_quotes(ranked[:2], 3) == join_adjacent(ranked[:2])


def test_a_short_answer_that_closes_the_count_takes_the_sentence_after_it() -> None:
    """NU23-10: "Yes." under an interview's question was the third quote alone, the sentence
    that says what it says yes to ranked fourth."""
    ranked = [
        quote(5, 0.9),
        quote(20, 0.8),
        quote(30, 0.7, text="Yes."),
        quote(31, 0.69),
        quote(40, 0.5),
    ]
    shown = first_quotes(ranked, 3)
    assert [q.text for q in shown] == ["Sentence 5.", "Sentence 20.", "Yes. Sentence 31."]
    # Past the sentences read for neighbours (JOINS_READ quotes asked for), only a bare
    # reply still takes the sentence that ranks next.
    fillers = [quote(100 + 2 * n, 0.9 - n / 100) for n in range(JOINS_READ - 1)]
    late = [*fillers, quote(30, 0.7, text="Yes."), quote(31, 0.6)]
    assert [q.text for q in first_quotes(late, JOINS_READ)][-1] == "Yes. Sentence 31."
    plain = [*fillers, quote(30, 0.7), quote(31, 0.6)]
    assert [q.text for q in first_quotes(plain, JOINS_READ)][-1] == "Sentence 30."


def test_a_neighbour_ranked_below_the_quotes_asked_for_completes_its_quote() -> None:
    """NU23-7: "It had been in place for 11 days." ranked sixth, after the sentence that names
    the notice; read only among the first three, quote 1 lacked the answer, and what a quote
    said depended on how many quotes were asked for."""
    ranked = [quote(p, 1.0 - n / 100) for n, p in enumerate([5, 20, 30, 40, 50, 6])]
    for count in (1, 3, 5):
        assert first_quotes(ranked, count)[0].text == "Sentence 5. Sentence 6."
    assert [q.text for q in first_quotes(ranked, 3)][1:] == ["Sentence 20.", "Sentence 30."]
    # A neighbour no better than the JOINS_READ-th sentence stays where it ranks.
    deep = [quote(5, 0.9), *[quote(20 + 2 * n, 0.8 - n / 100) for n in range(JOINS_READ)]]
    assert first_quotes([*deep, quote(6, 0.1)], 3)[0].text == "Sentence 5."


def test_pages_fetched_at_once_are_joined_page_by_page() -> None:
    # Sentence 21 ranks on the second page but completes the first page's quote 20: it is
    # shown there, and the second page does not repeat it.
    ranked = [quote(p, 1.0 - n / 10) for n, p in enumerate([5, 4, 20, 30, 21, 40, 50, 60])]
    pages = paged_quotes(ranked, 3)
    assert pages[:3] == first_quotes(ranked, 3)
    with pytest.raises(ValueError, match="at least one"):
        paged_quotes(ranked, 0)
    assert [q.text for q in pages] == [
        "Sentence 4. Sentence 5.",
        "Sentence 20. Sentence 21.",
        "Sentence 30.",
        "Sentence 40.",
        "Sentence 50.",
        "Sentence 60.",
    ]


@pytest.mark.integration
def test_the_journalists_question_gets_the_sentence_that_names_them_first(
    real_index_dir: Path,
) -> None:
    # The best sentence says "they"; the one before it names them. Shown as one quote, the
    # first thing a reader sees holds the answer, verbatim and in the article's order.
    real_searcher = open_searcher(CORPUS, real_index_dir, DEFAULT_MODEL)
    answer = real_searcher.search("Which journalists help the children of political prisoners?")
    first = answer.quotes[0]
    assert first.text == (
        "In Crimea, the organization is run by well-known journalists Lily Budzhurova and "
        "Elzara Islyamova. Despite pressure, they continue to help children of political "
        "prisoners."
    )
    assert len(answer.quotes) == 3
    record = json.loads(json.dumps(answer_record(answer)))["quotes"][0]
    assert (record["sentences"], record["speaker"]) == (2, "Mustafa Dzhemilev")
    alone = real_searcher.search(
        "Which journalists help the children of political prisoners?", join=False
    )
    assert alone.quotes[0].text.startswith("Despite pressure, they")


def article_quotes(text: str, speakers: list[str | None]) -> list[Quote]:
    """The sentences of ``text`` (one per '.'-ended chunk) as ranked quotes, best first."""
    document = Document(id="m", title="M", text=text)
    quotes, start = [], 0
    for position, speaker in enumerate(speakers):
        while text[start].isspace():
            start += 1
        end = text.index(".", start) + 1
        quotes.append(
            Quote(text[start:end], 1.0 - position / 10, document, position, None, None, (),
                  speaker, start=start, end=end)
        )  # fmt: skip
        start = end
    return quotes


def test_a_joined_quote_keeps_the_articles_paragraph_break_verbatim() -> None:
    text = "Polozov visited him.\n\nHe said the health is stable."
    joined = join_adjacent(article_quotes(text, ["Nikolai Polozov", "Nikolai Polozov"]))
    assert [q.text for q in joined] == [text]
    shown = render_quote(1, joined[0])
    assert shown.startswith("1. “Polozov visited him.\n   He said the health is stable.”\n")


def test_a_speakers_words_and_the_articles_account_of_them_stay_apart() -> None:
    # NU21-1: the mayor's quotation and the journalist's "Irena Kovalenko also expressed her
    # anger ..." were one quote under her name, as if she spoke of herself.
    text = (
        '"We will not sign a contract," said Mayor Irena Kovalenko.\n\n'
        "Irena Kovalenko also expressed her anger at the regional government."
    )
    quotes = article_quotes(text, ["Irena Kovalenko", "Irena Kovalenko"])
    quotes[1] = replace(quotes[1], reported_speech=True)
    assert [q.text for q in join_adjacent(quotes)] == [quotes[0].text, quotes[1].text]


def test_a_new_paragraph_by_an_unknown_voice_is_a_quote_of_its_own() -> None:
    # Narration, then somebody's words in the next paragraph: no speaker known for either.
    text = "Tickets cost more now.\n\n“We cannot pay this.”"
    assert len(join_adjacent(article_quotes(text, [None, None]))) == 2
    same_paragraph = "Tickets cost more now. Buses run less often."
    assert len(join_adjacent(article_quotes(same_paragraph, [None, None]))) == 1


@pytest.mark.parametrize("line", ["## Who paid.", "- A list item.", "3) Third item.", "> Quoted."])
def test_headings_and_list_items_are_never_joined(line: str) -> None:
    text = f"The terminal opened.\n{line}"
    assert len(join_adjacent(article_quotes(text, [None, None]))) == 2


def spaced_quotes(parts: list[str], separators: list[str], speaker: str | None) -> list[Quote]:
    """Quotes for the sentences ``parts`` of one article, ``separators`` between them."""
    text = parts[0] + "".join(sep + part for sep, part in zip(separators, parts[1:], strict=True))
    document = Document(id="w", title="W", text=text)
    quotes, start = [], 0
    for position, part in enumerate(parts):
        start = text.index(part, start)
        quotes.append(
            Quote(part, 1.0 - position / 10, document, position, speaker=speaker, start=start,
                  end=start + len(part))
        )  # fmt: skip
        start += len(part)
    return quotes


def test_an_article_added_from_the_web_keeps_its_paragraphs_and_headings_apart() -> None:
    # `quotebot add` stores one HTML block a line: a line break is a paragraph break there, and
    # a heading is a line that ends no sentence.
    reporter_then_passenger = spaced_quotes(
        ["A single ticket still costs 8 hryvnias.", '"We waited a long time for the tram."'],
        ["\n"],
        None,
    )
    assert len(join_adjacent(reporter_then_passenger)) == 2
    heading = spaced_quotes(
        ["It cost 42 million euros.", "What changes for passengers", "Trams run more often."],
        ["\n", "\n"],
        "Olena Marsh",
    )
    assert [q.sentences for q in join_adjacent(heading)] == [1, 1, 1]
    bold_heading = spaced_quotes(
        ["The park opened.", "**Who paid for the park**", "A bank paid."], [" ", " "], None
    )
    assert [q.sentences for q in join_adjacent(bold_heading)] == [1, 1, 1]
    one_voice = spaced_quotes(
        ['"We will open it."', '"It will be free," she said.'], ["\n"], "Kovacs"
    )
    assert [q.sentences for q in join_adjacent(one_voice)] == [2]
