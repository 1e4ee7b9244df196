"""A quotation that runs on over paragraphs belongs to its speaker (issue 8, NU18B-8).

News lets a quotation run on: a paragraph opens a quotation mark and leaves it open, the next
paragraph opens a fresh mark, and only the last one closes it and names the speaker. Every
sentence of the open paragraphs is that speaker's. The module's rule holds here too: where the
run-on is not certain (an open paragraph that narration follows, a closed quotation and then
another speaker's, a mark closed before the attribution) no sentence gets a speaker it did not
get before.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from embeddings.index import build_index
from embeddings.index_store import load_index, write_index
from embeddings.search import Searcher
from embeddings.sentences import split_sentences
from embeddings.speakers import speakers
from embeddings.types import Document
from tests.fakes import HashingEncoder, fake_manifest

SHEVCHUK = "Taras Shevchuk"
# The tester's excerpt (/work/notes/nu18b-articles/port-contract.md, its last section).
PORT_CONTRACT = (
    "## What the council says\n\n"
    '"We followed every rule of the procurement law. We published the tender for thirty '
    "days, as the law asks.\n\n"
    '"Anyone who says otherwise should go to court," said the deputy mayor, Taras Shevchuk.\n'
)


def _who(text: str) -> list[str | None]:
    spans = split_sentences(text)
    found = speakers(text, spans, "en")
    # A searcher asks only as far as the sentence it quotes: the same speaker each time.
    assert [speakers(text, spans, "en", upto=n)[n] for n in range(len(spans))] == found
    return found


def test_both_sentences_of_the_open_paragraph_are_the_closing_speakers() -> None:
    assert _who(PORT_CONTRACT) == [None, SHEVCHUK, SHEVCHUK, SHEVCHUK]


def test_a_quotation_over_three_paragraphs_is_one_speakers() -> None:
    text = (
        "The council met on Friday.\n\n"
        "“The port needs new ships. The old ones are forty years old.\n\n"
        "“We asked the ministry for money twice.\n\n"
        "“Nobody answered,” said Olena Marchuk, the director of Baltport.\n\n"
        "The ministry did not comment.\n"
    )
    marchuk = "Olena Marchuk"
    assert _who(text) == [None, marchuk, marchuk, marchuk, marchuk, None]


def test_guillemets_run_on_as_straight_and_curly_marks_do() -> None:
    text = "«We followed the law.\n\n«Ask anyone,» said Olena Marchuk.\n"
    assert _who(text) == ["Olena Marchuk", "Olena Marchuk"]


@pytest.mark.parametrize(
    "after",
    [
        "The deputy mayor, Taras Shevchuk, did not comment further.",
        # a quotation paragraph, itself left open, that narration follows: no attribution
        '"We published the tender for thirty days.\n\nThe council did not comment.',
    ],
)
def test_an_open_paragraph_that_narration_follows_names_no_speaker(after: str) -> None:
    text = f'"We followed every rule of the procurement law.\n\n{after}\n'
    assert _who(text)[0] is None


def test_a_closed_quotation_is_not_joined_to_the_next_speakers() -> None:
    text = (
        '"We followed every rule," said Olena Marchuk.\n\n'
        '"Anyone who says otherwise should go to court," said the deputy mayor, Taras Shevchuk.\n'
    )
    assert _who(text) == ["Olena Marchuk", SHEVCHUK]


def test_a_paragraph_between_that_closes_its_mark_ends_the_run_on() -> None:
    # The second paragraph's quotation closes before any attribution: the one that follows
    # is another quotation's, not the open paragraph's.
    text = (
        '"We followed every rule.\n\n'
        '"We will appeal." The council left. "No," said Petro Bondar.\n'
    )
    assert _who(text)[0] is None


def test_a_quotation_that_the_next_paragraph_opens_with_another_mark_is_not_joined() -> None:
    text = '"We followed every rule.\n\n“Ask anyone,” said Olena Marchuk.\n'
    assert _who(text) == [None, "Olena Marchuk"]


def test_he_said_after_a_run_on_is_the_person_before_the_quotation() -> None:
    # "he" is who was named before the quotation opened, not the man the quotation names in
    # its last open sentence ("Savchuk was polite."): that was Viktor Savchuk before.
    text = (
        "Taras Shevchuk, the deputy mayor, met reporters on Friday.\n\n"
        '"We met Viktor Savchuk on Monday. Savchuk was polite.\n\n'
        '"He had nothing to hide," he said.\n'
    )
    assert _who(text) == [None, SHEVCHUK, SHEVCHUK, SHEVCHUK]


def _article() -> Document:
    intro = (
        "The city's harbour dredging contract went to a company with no ships. "
        '"I have seen the ships," said Hrytsenko, the harbour master.\n\n'
    )
    return Document(id="port", title="Who won the harbour contract?", text=intro + PORT_CONTRACT)


def _procurement_quoted(searcher: Searcher) -> None:
    answer = searcher.search("What did Taras Shevchuk say?", 3)
    assert answer.outcome == "answered"
    texts = " ".join(quote.text for quote in answer.quotes)
    assert "We followed every rule of the procurement law." in texts
    assert {quote.speaker for quote in answer.quotes} == {SHEVCHUK}


def test_what_did_the_speaker_say_shows_the_open_paragraph_in_memory() -> None:
    index = build_index([_article()], HashingEncoder())
    _procurement_quoted(Searcher(index, HashingEncoder(), "hashing"))


def test_what_did_the_speaker_say_shows_the_open_paragraph_from_a_stored_index(
    tmp_path: Path,
) -> None:
    index = build_index([_article()], HashingEncoder())
    write_index(index, tmp_path, fake_manifest(index))
    stored = load_index(tmp_path).index
    _procurement_quoted(Searcher(stored, HashingEncoder(stored.dimension), "hashing"))
