"""Adjacent quotes of one article are shown as one quote, in the article's order.

The ranking scores sentences one by one, and a sentence's neighbour often ranks just below it
(the window features lift it): "Which journalists help the children of political prisoners?"
got "Despite pressure, they continue to help children of political prisoners." first and the
sentence before it, which names the journalists, second. Shown apart and out of order, a
reader sees "they" first and has to put the two back together; shown together they read as
the article wrote them, and the first quote holds the answer. Only sentences that the ranking
puts among the quotes are joined (never a neighbour added for context; a place a join frees is
filled from further down the ranking), and the words stay the article's own: a joined quote
is the article's text from its first sentence's start to its last sentence's end, paragraph
breaks included.

Two neighbours stay apart
- when their speakers differ (one quote, one voice: a citation names one speaker or none,
  never a guess), or one is in the speaker's own words and the other the article's account
  of what they said ("Refat Chubarov also expressed his indignation ..."); across a line or
  paragraph break, unless both have the same *known* speaker, since a new paragraph is where
  news articles change voice ("...," she said. / "...," a worker said.), and an article
  added from a web page has one paragraph a line;
- when either is a heading or a list item (a Markdown ``#``, ``-``, ``*``, ``+``, ``>`` or
  ``1.`` line, or a line that does not end a sentence: "What changes for passengers"): it
  does not read as part of a sentence;
- when either is also in other articles (its "also in" sources would not hold the neighbour);
- or when the run would pass ``MAX_QUOTE_SENTENCES``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from embeddings.markdown import MARKER
from embeddings.types import Quote

MAX_QUOTE_SENTENCES = 3
"""The longest run of sentences shown as one quote: a passage longer than that is not a quote."""

_BLOCK = re.compile(rf"\s*(?:{MARKER})\s")  # a Markdown heading, list item, block quote
# A sentence ends with a full stop, a question or exclamation mark or an ellipsis, perhaps
# followed by a closing quotation mark or bracket; a line without one is a heading, a caption
# or a fragment ("What changes for passengers", "**Who paid for the park**").
_ENDS_A_SENTENCE = re.compile(r"[.!?…][\"'”’»)\]]*\s*$")


def first_quotes(ranked: Sequence[Quote], count: int) -> tuple[Quote, ...]:
    """The first ``count`` quotes once consecutive sentences are joined: the fewest of the
    ranked sentences (best first) that make ``count`` quotes, so that asking for three quotes
    gives three, each with the neighbours among the first ``JOINS_READ`` that extend it."""
    runs = _runs(ranked, count)
    return tuple(_joined(run, ranked) for run in runs)


def paged_quotes(ranked: Sequence[Quote], per_page: int) -> tuple[Quote, ...]:
    """``ranked`` sentences (best first) as pages of ``per_page`` quotes, each page joined as
    ``first_quotes`` joins the first: a bot that fetches several pages at once shows on its
    first page what ``quotebot ask --top-k per_page`` shows, and a later page never repeats a
    sentence that an earlier one joined."""
    if per_page < 1:
        raise ValueError(f"a page holds at least one quote, not {per_page}")
    shown: list[Quote] = []
    rest = list(ranked)
    while rest:
        runs = _runs(rest, per_page)
        shown.extend(_joined(run, rest) for run in runs)
        used = {n for run in runs for n in run}
        rest = [quote for n, quote in enumerate(rest) if n not in used]
    return tuple(shown)


def join_adjacent(quotes: Sequence[Quote]) -> tuple[Quote, ...]:
    """``quotes`` (best first) with runs of consecutive sentences of one article joined.

    A joined quote takes the place and score of its best-ranked sentence; its ``position`` is
    its first sentence's, ``sentences`` how many it spans, its context the sentence before the
    first and after the last.
    """
    return tuple(_joined(run, quotes) for run in _runs(quotes, None))


JOINS_READ = 10
"""How many of the ranked sentences are read for neighbours of the quotes shown, however few
quotes are asked for: the sentence that completes a quote ("It had been in place for 11
days.", after the sentence that names the notice) leans on it for its subject and ranks
below sentences that restate the question (NU23-7, NU23-5). Read only among the first
``count``, a quote's words depended on how many quotes were asked for."""


def _runs(quotes: Sequence[Quote], count: int | None) -> list[list[int]]:
    """Runs of ``quotes`` (indexes, in the article's order within a run), joined in rank
    order and ordered by their best-ranked sentence; with ``count``, the first ``count``
    runs: once they are made, the rest of the first ``JOINS_READ`` sentences only extend
    them."""
    runs: list[list[int]] = []
    for n in range(len(quotes)):
        made = count is not None and n >= count and len(runs) >= count
        if made and n >= JOINS_READ and not _completes_a_short_answer(runs, n, quotes):
            break
        run = next((r for r in runs if _extends(r, n, quotes)), None)
        if run is None:
            if not made:
                runs.append([n])
            continue
        run.append(n)
        run.sort(key=lambda i: quotes[i].position)
        _absorb_neighbouring_runs(run, runs, quotes)
    return sorted(runs, key=min)  # a run stands where its best-ranked sentence stood


# A reply that answers nothing a reader can check alone: what it says yes or no to is in the
# sentence after it ("Yes. We have set aside a fund, ...").
_BARE_REPLY = re.compile(
    r"\W*(?:yes|no|partly|not yet|not really|not quite|absolutely|of course|never|certainly"
    r"|definitely|exactly|indeed|sure|maybe|perhaps|probably|in part)\W*",
    re.IGNORECASE,
)


def _completes_a_short_answer(runs: list[list[int]], n: int, quotes: Sequence[Quote]) -> bool:
    """Whether quote ``n`` is the sentence after a quote that is a bare reply alone ("Yes."
    under an interview's question, NU23-10): it joins that quote, though the count of quotes
    is made, rather than leave "Yes." without what it says yes to."""
    after = quotes[n]
    return any(
        len(run) == 1
        and _BARE_REPLY.fullmatch(quotes[run[0]].text) is not None
        and after.position == quotes[run[0]].position + 1
        and _joinable(quotes[run[0]], after)
        for run in runs
    )


def _joinable(a: Quote, b: Quote) -> bool:
    """Whether ``b``, the sentence just after ``a`` in its article, may share a quote with it."""
    if a.document.id != b.document.id or a.speaker != b.speaker or a.also_in or b.also_in:
        return False
    if a.reported_speech != b.reported_speech:
        return False  # the speaker's own words and the article's account of them (NU21-1)
    if _BLOCK.match(a.text) or _BLOCK.match(b.text):
        return False
    if not (_ENDS_A_SENTENCE.search(a.text) and _ENDS_A_SENTENCE.search(b.text)):
        return False
    if a.end is None or b.start is None:  # offsets unknown (a quote built by hand)
        return True
    gap = a.document.text[a.end : b.start]
    if gap.strip():  # something between them that is no sentence (markup): keep them apart
        return False
    # A line break counts as a paragraph break: articles added from the web keep one HTML
    # block a line, with no blank line between them. (A hard-wrapped line that happens to end
    # between two sentences only keeps two unattributed sentences apart.)
    return a.speaker is not None or "\n" not in gap


def _extends(run: list[int], n: int, quotes: Sequence[Quote]) -> bool:
    """Whether quote ``n`` is the sentence just before or just after ``run``."""
    if len(run) >= MAX_QUOTE_SENTENCES:
        return False
    first, last, quote = quotes[run[0]], quotes[run[-1]], quotes[n]
    if quote.position == first.position - 1:
        return _joinable(quote, first)
    return quote.position == last.position + 1 and _joinable(last, quote)


def _absorb_neighbouring_runs(
    run: list[int], runs: list[list[int]], quotes: Sequence[Quote]
) -> None:
    """A sentence that filled the gap between two runs joins them (when the total fits)."""
    for other in list(runs):
        if other is run or len(run) + len(other) > MAX_QUOTE_SENTENCES:
            continue
        before = quotes[run[0]].position < quotes[other[0]].position
        a, b = (run, other) if before else (other, run)
        first, second = quotes[a[-1]], quotes[b[0]]
        if second.position == first.position + 1 and _joinable(first, second):
            run[:] = a + b
            del runs[next(i for i, r in enumerate(runs) if r is other)]


def _joined(run: list[int], quotes: Sequence[Quote]) -> Quote:
    if len(run) == 1:
        return quotes[run[0]]
    members = [quotes[i] for i in run]
    best = quotes[min(run)]
    start, end = members[0].start, members[-1].end
    if start is not None and end is not None:
        text = best.document.text[start:end]  # verbatim, paragraph breaks and all
    else:
        text = " ".join(member.text for member in members)
    return replace(
        best,
        text=text,
        start=start,
        end=end,
        position=members[0].position,
        context_before=members[0].context_before,
        context_after=members[-1].context_after,
        sentences=sum(member.sentences for member in members),
    )
