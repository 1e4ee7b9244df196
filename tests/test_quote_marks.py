"""Quotes read as balanced to a person: missing marks completed, the words never touched."""

from __future__ import annotations

import pytest

from bot.quote_marks import display_quote, paragraphs, unbalanced_marks


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        # A quotation that a later sentence closes: the closing mark is completed.
        ("“To date, 67 people are in custody.", "“To date, 67 people are in custody.”"),
        # A quotation opened in an earlier sentence: the opening mark is completed.
        ("They are free,” he said.", "“They are free,” he said."),
        # Plain sentences get quotebot's own frame.
        ("The court met on Monday.", "“The court met on Monday.”"),
        # A sentence that is one whole quotation is not framed twice.
        ("“It is horrible.”", "“It is horrible.”"),
        # Guillemets and straight quotes, as Ukrainian and Russian articles use them.
        ("«Это ужасно, — сказала она.", "«Это ужасно, — сказала она.»"),
        ('"We will appeal', '"We will appeal"'),
        # A straight mark after a word closes a quotation opened in an earlier sentence.
        (
            'Other nationalities help as well," he said.',
            '"Other nationalities help as well," he said.',
        ),
        ('Nobody will stop the fishermen."', '"Nobody will stop the fishermen."'),
        # Straight marks inside a sentence pair up by position, not by count.
        ('He called it "unauthorized rally".', '“He called it "unauthorized rally".”'),
        ('They said "no" and "yes" today.', '“They said "no" and "yes" today.”'),
        # Apostrophes are not quotation marks.
        ("Umerov’s lawyer spoke.", "“Umerov’s lawyer spoke.”"),
    ],
)
def test_display_quote_balances_marks(text: str, shown: str) -> None:
    assert display_quote(text) == shown


def test_the_words_between_the_marks_are_the_exact_text() -> None:
    for text in ("“To date, 67 people are in custody.", "They are free,” he said.", "x"):
        before, after = unbalanced_marks(text)
        assert display_quote(text).find(text) >= 0
        assert before + text + after in display_quote(text)


def test_balanced_text_needs_nothing() -> None:
    assert unbalanced_marks("He said “no” and left.") == ("", "")
    assert unbalanced_marks("„Так“, сказал он.") == ("", "")
    assert unbalanced_marks('"It is very important," she said.') == ("", "")


def test_a_quotation_that_runs_on_into_the_next_paragraph_is_balanced_per_paragraph() -> None:
    # The news convention: the first paragraph's quotation stays open, the next one reopens.
    # Counted over both, a mark would be added after "Kovacs said." (NU17B-3).
    text = (
        '"This library will be the heart of the old town," said the mayor, Anna Kovacs. '
        '"Children will have a place to read after school.\r\n\r\n'
        '"We will open it in spring next year," Kovacs said.'
    )
    assert display_quote(text) == (
        '"This library will be the heart of the old town," said the mayor, Anna Kovacs. '
        '"Children will have a place to read after school."\n'
        '"We will open it in spring next year," Kovacs said.'
    )


def test_a_line_break_inside_a_paragraph_reads_as_a_space() -> None:
    assert paragraphs("A hard-wrapped\r\nsentence.\n\n  Next paragraph. ") == [
        "A hard-wrapped sentence.",
        "Next paragraph.",
    ]
