"""The layout of a question-and-answer interview: its introduction and its answers.

An interview writes each question as a line of markup (``**Why did the talks break down?**``,
``## Will you appeal?``) and the interviewee's answer below it, with no quotation marks and no
"she said". The answers are the interviewee's own words, and a reader who quotes one must be
able to say whose: without it, "What did Alan Pryce say about the closure?" was answered with
the mayor's interview answer that names him, and no speaker shown (NU25-3; NU23-10, NU24).

This module reads only the markup: where the introduction ends, where each answer lies, and
whether the introduction says that someone was interviewed. Who that is, is the people
module's reading of the introduction (``speakers.interviewee``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from embeddings.markdown import asks, is_heading_or_bold_line
from embeddings.sentences import split_sentences

# Fewer question lines than this is an article with a subhead that asks, not an interview.
INTERVIEW_QUESTIONS = 2

_LINE = re.compile(r"[^\n]*")
# What an introduction says of the person interviewed: "The Weekly spoke to her on Thursday",
# "We asked him about the decision", "He answered questions sent in by readers" ("answered
# QHA's questions by phone", NU33C-1), "met Echo reporters", "in an interview". Not "said" or
# "spoke" alone: a person who spoke somewhere else is not the one answering here.
_INTERVIEWED = re.compile(
    r"\binterview|\b(?:spoke|speaks|talked|talks) (?:to|with)\b|\basked (?:her|him)\b"
    r"|\banswered (?:[\w'’]+ ){0,3}questions\b|\bmet (?:\w+ ){0,2}(?:reporters|journalists)\b"
    r"|\bsat down with\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Layout:
    """Where an interview's introduction ends and its answers lie (character offsets)."""

    introduction_end: int
    answers: tuple[tuple[int, int], ...]

    def answers_at(self, position: int) -> bool:
        """Whether ``position`` lies in an answer (below a question line, before the next
        line of markup)."""
        return any(start <= position < end for start, end in self.answers)


@lru_cache(maxsize=1024)  # read for each quote of an article: the same text each time
def interview_layout(text: str) -> Layout | None:
    """The interview layout of an article's text, or None when it asks fewer than
    ``INTERVIEW_QUESTIONS`` questions as lines of markup.

    An answer runs from the end of its question line to the next line of markup (the next
    question, or a heading that ends the interview) or the end of the text."""
    markup: list[tuple[int, int, bool]] = []  # start, end, is a question
    for match in _LINE.finditer(text):
        line = match.group().strip()
        if line and is_heading_or_bold_line(line):
            markup.append((match.start(), match.end(), asks(line)))
    questions = [n for n, (_, _, asks) in enumerate(markup) if asks]
    if len(questions) < INTERVIEW_QUESTIONS:
        return None
    answers = []
    for n in questions:
        start = markup[n][1]
        end = markup[n + 1][0] if n + 1 < len(markup) else len(text)
        answers.append((start, end))
    return Layout(introduction_end=markup[questions[0]][0], answers=tuple(answers))


def says_interviewed(introduction: str) -> bool:
    """Whether an introduction says that someone was interviewed (``_INTERVIEWED``)."""
    return _INTERVIEWED.search(introduction) is not None


def interview_sentences(introduction: str) -> list[str]:
    """The sentences of an introduction that say someone was interviewed (``_INTERVIEWED``)."""
    return [
        sentence
        for start, end in split_sentences(introduction)
        if _INTERVIEWED.search(sentence := introduction[start:end]) is not None
    ]
