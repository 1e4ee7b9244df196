"""A speaker's own words against the article's account of them (NU21-1).

"Refat Chubarov also expressed his indignation at some Ukrainian MPs, ..." is the journalist's
sentence about what Chubarov said. It keeps his name (it says whose view it is, and "What did
Chubarov say about the MPs?" should find it), but it is marked as reported speech, and never
joined to his quotation as one quote in one voice.
"""

from __future__ import annotations

import pytest

from embeddings.search import Searcher
from embeddings.sentences import split_sentences
from embeddings.speakers import in_own_words, speakers
from embeddings.types import Document


def _own_words(text: str) -> list[bool]:
    return [in_own_words(text, start, end) for start, end in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"We will not sign," said Mayor Irena Kovalenko.', [True]),
        ("“We will not sign,” said the mayor.", [True]),
        ('"We came. We saw. We left," he said.', [True, True, True]),  # inside a quotation
        ('He said: "We will not leave our homes, whatever they do."', [True]),
        ('"Para one.\n\n"Para two," she said.', [True, True]),  # a run-on quotation
        ("Irena Kovalenko also expressed her anger at the regional government.", [False]),
        ("According to the mayor, the ferry will be late.", [False]),
        ('He called the MPs "traitors" on Monday.', [False]),  # a quoted word, his sentence
        ('"We stay," he said. Kovalenko later noted that the ferry is late.', [True, False]),
        # NU29B-3: a colon introduction of any length opens the speaker's words
        (
            'Crimean Tatar lawyer Edem Seitablayev: "The court did not read the post. It '
            'copied the police report."',
            [True, True],
        ),
        ('Aliye Kerimova of Crimean Prisoners Watch: "Russia will not pay."', [True]),
        ('Kurbedinov listed the charges: "extremism" and "separatism", and left.', [False]),
    ],
)
def test_own_words_are_the_ones_in_quotation_marks(text: str, expected: list[bool]) -> None:
    assert _own_words(text) == expected


def test_the_bundled_articles_reported_speech_is_exactly_the_journalists_sentences(
    corpus_documents: list[Document],
) -> None:
    reported = []
    for document in corpus_documents:
        spans = split_sentences(document.text)
        for (start, end), speaker in zip(spans, speakers(document.text, spans, "en"), strict=True):
            if speaker is not None and not in_own_words(document.text, start, end):
                reported.append((speaker, document.text[start:end][:40]))
    assert reported == [
        ("Mustafa Dzhemilev", "Dzhemilev noted that many people in the "),
        ("Mustafa Dzhemilev", "The leader of the Crimean-Tatar people r"),
        ("Mustafa Dzhemilev", "Earlier, Dzhemilev stated that the elect"),
        ("Refat Chubarov", "Refat Chubarov also expressed his indign"),
        ("Refat Chubarov", "Moreover, the Head of the Mejlis said th"),
        ("Nikolai Polozov", "Nikolai Polozov, the defendant's lawyer,"),
    ]


def test_quotes_and_the_context_view_carry_the_mark(fake_searcher: Searcher) -> None:
    answer = fake_searcher.search("Refat Chubarov also expressed his indignation at MPs", 3)
    first = answer.quotes[0]
    assert first.text.startswith("Refat Chubarov also expressed his indignation")
    assert (first.speaker, first.reported_speech, first.sentences) == (
        "Refat Chubarov",
        True,
        1,  # not joined to his quotation in the paragraph before
    )
    passage = fake_searcher.passage(first.document.id, first.position)
    assert (passage.speaker, passage.reported_speech) == ("Refat Chubarov", True)
    said = fake_searcher.search("Anyone who can assume that Crimea can be yielded is a traitor")
    assert said.quotes[0].speaker == "Refat Chubarov"
    assert not said.quotes[0].reported_speech
