"""Answers, passages and lists as Telegram HTML: pure functions, no I/O, no Telegram objects.

Every string that comes from the corpus or from a user goes through ``html.escape`` here and
nowhere else, so the handlers never build markup. Telegram rejects messages longer than 4096
characters; every function that renders a message keeps to ``MAX_MESSAGE_LENGTH`` measured in
UTF-16 code units of the *markup* (an upper bound of what Telegram counts), shortening at
sentence boundaries (passages, lists) and, for a single over-long quote, at a word boundary.

Each outcome is worded as the command line words it (the texts are shared): quotes are
presented as an answer only when the outcome is ``answered``; "related" passages are labelled
as not an answer; a declined question shows no quotes; a question in a language the model
cannot search gets the engine's reply in that language.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from html import escape

from telegram.constants import MessageLimit

from bot.attribution import speaker_label
from bot.quote_marks import balanced_paragraphs, edge_marks
from bot.telegram.pages import Page, SourcesPage
from bot.telegram.store import Stats
from embeddings import (
    Answer,
    Document,
    Passage,
    Quote,
    in_language,
    outcome_frame,
    term_spans,
    tokenize,
    unsupported_language_reply,
    unsupported_language_short,
    url_to_quote,
)

MAX_MESSAGE_LENGTH = MessageLimit.MAX_TEXT_LENGTH  # 4096
MAX_INLINE_TITLE = 100
MAX_BUTTON_TEXT = 60
MAX_ALSO_IN = 3
MAX_TITLE = 300
MAX_SOURCE = 100
MAX_NAME = 100  # a speaker's or an author's name
MAX_URL = 500
# Telegram silently drops formatting beyond about 100 entities in a message.
MAX_BOLD_RUNS = 8
ELLIPSIS = "…"


def telegram_length(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's limits (an emoji counts twice)."""
    return len(text.encode("utf-16-le")) // 2


def question_terms(question: str, language: str | None = None) -> frozenset[str]:
    """The question's terms as the engine matches them in an article of ``language`` (its
    tokenizer: stop words out, Snowball stems), so the bold words are the words that matched."""
    return frozenset(tokenize(question, language) if language else tokenize(question))


def highlight(text: str, terms: frozenset[str], language: str | None = None) -> str:
    """``text`` escaped, with runs of words whose term is in ``terms`` in bold (the first few).

    ``language`` is the article's: its words are stemmed the way the index stemmed them.
    """
    spans: list[tuple[int, int]] = []
    words = term_spans(text, language) if language else term_spans(text)
    for start, end, term in words:
        if term not in terms:
            continue
        if spans and text[spans[-1][1] : start].isspace():
            spans[-1] = (spans[-1][0], end)  # one bold run for "67 people", not two
        elif len(spans) < MAX_BOLD_RUNS:
            spans.append((start, end))
    parts: list[str] = []
    position = 0
    for start, end in spans:
        parts.append(escape(text[position:start], quote=False))
        parts.append(f"<b>{escape(text[start:end], quote=False)}</b>")
        position = end
    parts.append(escape(text[position:], quote=False))
    return "".join(parts)


def shorten_words(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, ending in an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)]
    if " " in cut.strip():
        cut = cut[: cut.rstrip().rfind(" ")]
    return cut.rstrip(" ,;:-–—") + ELLIPSIS


def _fit_text(render: Callable[[str], str], text: str, budget: int) -> str:
    """``render(text)``, with ``text`` shortened at a word boundary until it fits ``budget``."""
    rendered = render(text)
    if telegram_length(rendered) <= budget:
        return rendered
    low, high = 0, len(text)  # binary search for the longest prefix that fits
    best = render(shorten_words(text, 1))
    while low <= high:
        middle = (low + high) // 2
        candidate = render(shorten_words(text, middle))
        if telegram_length(candidate) <= budget:
            best, low = candidate, middle + 1
        else:
            high = middle - 1
    return best


def _display_date(date: str) -> str:
    """The day of an ISO 8601 date or date-time, as the source gave it."""
    return date[:10] if len(date) > 10 and date[10] == "T" else date


def _safe_url(url: str | None) -> str | None:
    """A URL worth linking: http(s) only (the corpus checks too), and not absurdly long."""
    if url and url.startswith(("https://", "http://")) and len(url) <= MAX_URL:
        return url
    return None


def _details(document: Document) -> list[str]:
    details = [shorten_words(document.source, MAX_SOURCE)] if document.source else []
    if document.author:
        details.append(shorten_words(document.author, MAX_NAME))
    if document.date:
        details.append(_display_date(document.date))
    return details


def _link(document: Document, quote_text: str | None) -> str | None:
    """The article's URL, scrolled to the quote (a text fragment) when that link is usable."""
    if quote_text is not None and document.url:
        to_quote = _safe_url(url_to_quote(document.url, quote_text))
        if to_quote:
            return to_quote
    return _safe_url(document.url)


def citation_html(
    document: Document,
    link: bool = True,
    title_chars: int = MAX_TITLE,
    quote_text: str | None = None,
    quoted_title: bool = False,
) -> str:
    """Title (linked to the article when its URL is known), source, author and date.

    With ``quote_text`` the link opens the article scrolled to that sentence; ``quoted_title``
    puts the title in quotation marks, as under a quote (see ``_citations``).
    """
    title = escape(shorten_words(document.title, title_chars), quote=False)
    url = _link(document, quote_text) if link else None
    if url:
        title = f'<a href="{escape(url, quote=True)}">{title}</a>'
    if quoted_title:
        title = f"“{title}”"
    details = [escape(detail, quote=False) for detail in _details(document)]
    return f"{title} — {', '.join(details)}" if details else title


def citation_plain(document: Document) -> str:
    """The citation without markup, for inline result descriptions."""
    details = _details(document)
    title = shorten_words(document.title, MAX_TITLE)
    return f"{title} — {', '.join(details)}" if details else title


def _citations(number: int | None, quote: Quote) -> list[str]:
    """The citation lines of a quote, from the fullest to the most compact.

    The title is in quotation marks ("— Mustafa Dzhemilev, in “<title>” — QHA"), as in the
    text output: a title that begins with a name must not read as the quote's speaker.
    """
    prefix = f"<b>{number}.</b> " if number is not None else "— "
    prefix += _speaker_prefix(quote.speaker, quote.reported_speech)
    main = prefix + citation_html(quote.document, quote_text=quote.text, quoted_title=True)
    also = quote.also_in[:MAX_ALSO_IN]
    lines = [main] + [
        f"also in: {citation_html(document, quote_text=quote.text)}" for document in also
    ]
    if len(quote.also_in) > len(also):
        lines.append(f"and in {len(quote.also_in) - len(also)} more articles")
    return [
        "\n".join(lines),
        main,
        prefix + citation_html(quote.document, quoted_title=True),
        prefix + citation_html(quote.document, link=False, quoted_title=True),
        prefix + citation_html(quote.document, link=False, title_chars=60, quoted_title=True),
    ]


def _speaker_prefix(speaker: str | None, reported_speech: bool) -> str:
    """``Mustafa Dzhemilev, in `` before a citation, or nothing when the speaker is unknown."""
    if not speaker:
        return ""
    label = speaker_label(shorten_words(speaker, MAX_NAME), reported_speech)
    return f"{escape(label, quote=False)}, in "


# The smallest quote worth showing: tags, newline and a few words.
_MIN_QUOTE_ROOM = len("<blockquote></blockquote>\n") + 40


def render_quote(number: int | None, quote: Quote, question: str, budget: int) -> str:
    """One quote: the sentence in a blockquote (matches bold), its citation under it.

    Fits ``budget``: the citation gets more compact (no "also in", no link, a shorter title)
    when it would leave no room for the quote, and then the quote is shortened.
    """
    choices = _citations(number, quote)
    citation = next(
        (line for line in choices if telegram_length(line) + _MIN_QUOTE_ROOM <= budget),
        choices[-1],
    )
    language = quote.document.language
    terms = question_terms(question, language)

    def render(text: str) -> str:
        # Marks that a sentence cut out of a longer quotation leaves open (or closes without
        # opening) are completed, paragraph by paragraph, so the quote reads as balanced; the
        # words stay verbatim (a line break inside a paragraph reads as a space).
        body = "\n".join(
            escape(before, quote=False)
            + highlight(part, terms, language)
            + escape(after, quote=False)
            for before, part, after in balanced_paragraphs(text)
        )
        return f"<blockquote>{body}</blockquote>\n{citation}"

    return _fit_text(render, quote.text, budget)


# Telegram's own words around the engine's frames, in the question's language (a multilingual
# model answers Ukrainian and Russian questions); English for any other.
SOURCES_HINT = {
    "en": "/sources lists the articles I can quote.",
    "uk": "/sources покаже статті, які я можу цитувати.",
    "ru": "/sources покажет статьи, которые я могу цитировать.",
}
MORE_ANSWERED = {
    "en": "More from the sources ({first}–{last} of {total}):",
    "uk": "Ще з джерел ({first}–{last} з {total}):",
    "ru": "Ещё из источников ({first}–{last} из {total}):",
}
MORE_RELATED = {
    "en": "More passages near the subject, not an answer ({first}–{last} of {total}):",
    "uk": "Ще уривки на цю тему, не відповідь ({first}–{last} з {total}):",
    "ru": "Ещё отрывки на эту тему, не ответ ({first}–{last} из {total}):",
}
INLINE_RELATED = {
    "en": "The sources touch on this but do not answer it",
    "uk": "Джерела згадують це, але не відповідають",
    "ru": "Источники касаются этого, но не отвечают",
}
INLINE_DECLINED = {
    "en": "Nothing in the sources answers this",
    "uk": "Ніщо в джерелах не відповідає на це",
    "ru": "Ничто в источниках не отвечает на это",
}


def render_abstention(language: str | None = None) -> str:
    declined = outcome_frame("declined", language)
    return f"{escape(declined)} {escape(in_language(SOURCES_HINT, language))}"


def render_not_answered(answer: Answer, documents: Iterable[Document] = ()) -> str:
    """A question answered without quotes: declined, or in a language the model cannot
    search (the engine's reply in the question's language; ``documents`` are the searched
    articles, so that it says they are in English only when they are)."""
    if answer.outcome == "unsupported-language":
        return escape(unsupported_language_reply(answer.language, documents), quote=False)
    return render_abstention(answer.language)


def shows_quotes(answer: Answer) -> bool:
    """Whether a page of quotes is shown: answered, or related (labelled as not an answer)."""
    return answer.outcome in ("answered", "related") and bool(answer.quotes)


def render_answer(answer: Answer, page: Page, documents: Iterable[Document] = ()) -> str:
    """One page of an answer: a one-line head, then numbered quotes with citations.

    Answered: "Here is what the sources say". Related: a plain statement that the sources
    speak of the subject but do not answer, then the closest passages. Declined (or no quotes)
    and unsupported-language show no quotes at all (see ``render_not_answered``).
    """
    if not shows_quotes(answer):
        return render_not_answered(answer, documents)
    related = answer.outcome == "related"
    language = answer.language
    if page.index == 0:
        head = escape(outcome_frame("related" if related else "answered", language))
    else:
        more = in_language(MORE_RELATED if related else MORE_ANSWERED, language)
        head = escape(more.format(first=page.first, last=page.last, total=page.total))
    separator = "\n\n"
    room = MAX_MESSAGE_LENGTH - telegram_length(head) - 2 * len(page.quotes)
    budget = room // max(len(page.quotes), 1)
    blocks = [
        render_quote(number, quote, answer.searched, budget) for number, quote in page.numbered()
    ]
    return separator.join([head, *blocks])


def inline_no_answer(answer: Answer) -> str:
    """The button text of inline results that hold no card (a quote card would read as an
    answer): why there is none. Plain text, at most 64 characters (Telegram's limit); the
    language refusal in the question's language, as the chat reply."""
    if answer.outcome == "unsupported-language":
        return unsupported_language_short(answer.language)
    if answer.outcome == "related":
        return in_language(INLINE_RELATED, answer.language)
    return in_language(INLINE_DECLINED, answer.language)


def render_inline_message(quote: Quote, question: str) -> str:
    """What an inline card posts into a chat: the quote and its citation."""
    return render_quote(None, quote, question, MAX_MESSAGE_LENGTH)


def inline_title(quote: Quote) -> str:
    """Plain text for the card's title (the quote itself, shortened)."""
    return shorten_words(" ".join(quote.text.split()), MAX_INLINE_TITLE)


def button_text(text: str) -> str:
    return shorten_words(" ".join(text.split()), MAX_BUTTON_TEXT)


def _drop_edge(sentences: list[int], focus: int) -> list[int]:
    """Drop the sentence farthest from the focus (the later one on ties)."""
    if abs(sentences[-1] - focus) >= abs(sentences[0] - focus):
        return sentences[:-1]
    return sentences[1:]


def render_passage(passage: Passage) -> str:
    """The quote in bold among its neighbours, verbatim, with the citation under it.

    When the passage does not fit, sentences far from the quote go first; a quote that does not
    fit on its own is shortened at a word boundary.
    """
    document = passage.document
    sentences = list(passage.sentences)
    run = [s for s in sentences if passage.focus <= s.position < passage.focus + passage.span]
    first, last = run[0], run[-1]
    # The quote as the article has it (a joined quote's sentences with their own spacing).
    focus_text = document.text[first.start : last.end]
    # As under the answer's quote: the speaker, and the title in quotation marks, so that a
    # title beginning with a name does not read as the speaker (NU21-6).
    speaker = _speaker_prefix(passage.speaker, passage.reported_speech)
    citation = "— " + speaker + citation_html(document, quoted_title=True)
    head = "<b>Context</b>"
    inside = range(first.position, last.position + 1)

    def render(kept: list[int], text: str) -> str:
        chosen = [s for s in sentences if s.position in kept or s.position in inside]
        before = document.text[chosen[0].start : first.start]
        after = document.text[last.end : chosen[-1].end]
        body = escape(before, quote=False) + f"<b>{escape(text, quote=False)}</b>"
        body += escape(after, quote=False)
        opening, closing = edge_marks(before + text + after)
        return f"{head}\n<blockquote>{opening}{body}{closing}</blockquote>\n{citation}"

    kept = [s.position for s in sentences if s.position not in inside]
    while kept and telegram_length(render(kept, focus_text)) > MAX_MESSAGE_LENGTH:
        kept = _drop_edge(kept, passage.focus)
    return _fit_text(lambda text: render(kept, text), focus_text, MAX_MESSAGE_LENGTH)


def _source_entries(document: Document) -> Iterable[str]:
    """One /sources entry, from the fullest to the most compact."""
    yield f"• {citation_html(document)}"
    yield f"• {citation_html(document, link=False)}"
    yield f"• {citation_html(document, link=False, title_chars=60)}"


def _source_entry(document: Document, budget: int) -> str:
    """The fullest entry that fits ``budget``; at worst the plain citation, shortened."""
    for entry in _source_entries(document):
        if telegram_length(entry) <= budget:
            return entry
    return _fit_text(
        lambda text: "• " + escape(text, quote=False), citation_plain(document), budget
    )


def render_sources_page(page: SourcesPage) -> str:
    """One page of /sources: the count, where the page is, and its articles newest first.

    Each entry is the article's citation (title linked, source, author, date); when the page
    would pass Telegram's limit, the entries that take more than their share lose the link,
    then most of the title, so every page fits whatever the metadata.
    """
    if not page.total:
        return "The index holds no articles."
    articles = f"{page.total:,} article{'s' if page.total != 1 else ''}"
    where = f", page {page.index + 1:,} of {page.count:,}" if page.count > 1 else ""
    head = f"<b>The sources</b>: {articles}{where}, newest first:"
    room = MAX_MESSAGE_LENGTH - telegram_length(head)
    entries = [next(iter(_source_entries(document))) for document in page.documents]
    if sum(telegram_length(entry) + 1 for entry in entries) > room:
        share = room // len(entries) - 1  # the newline before each entry
        entries = [_source_entry(document, share) for document in page.documents]
    return head + "\n" + "\n".join(entries)


def _source_names(documents: Sequence[Document]) -> str:
    counts = Counter(document.source for document in documents if document.source)
    names = [escape(name, quote=False) for name, _ in counts.most_common(3)]
    if len(counts) > len(names):
        names.append(f"{len(counts) - len(names)} other sources")
    if not names:
        return ""
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f" from {listed}"


def render_start(documents: Sequence[Document], has_examples: bool) -> str:
    """The greeting: what the bot knows and how to ask."""
    count = len(documents)
    articles = f"{count} news article{'s' if count != 1 else ''}"
    ask = (
        "Send me a question, or tap an example below." if has_examples else ("Send me a question.")
    )
    return (
        f"Hi! I answer questions about {articles}{_source_names(documents)} by quoting them "
        "word for word, with a citation under every quote.\n\n"
        f"{ask}\n\n/sources lists the articles; /help explains how to ask in groups and inline."
    )


ADMIN_HELP = (
    "\n\n<b>For admins</b>: <code>/add URL</code> adds the article at that address to the "
    "corpus and the index; /reload rebuilds the index from the corpus; /stats shows usage."
)


def render_help(bot_username: str | None, example: str | None = None, admin: bool = False) -> str:
    """How to ask in private chats, in groups and inline, and what the buttons do; for an
    admin, the admin commands too (nobody else is shown them)."""
    me = f"@{escape(bot_username, quote=False)}" if bot_username else "me"
    example_text = f" For example: <i>{escape(example, quote=False)}</i>" if example else ""
    return (
        "<b>How to ask</b>\n"
        f"• <b>Here</b>: send me a question in your own words.{example_text}\n"
        f"• <b>In a group</b>: mention me ({me} your question), reply to one of my messages, "
        "or send /ask your question. I stay quiet otherwise.\n"
        f"• <b>In any chat</b>: type {me} and your question, then pick a quote to post it with "
        "its citation.\n"
        "• <b>What someone said</b>: ask <i>What did (name) say about (topic)?</i> and I quote "
        "only the words the articles give that person.\n\n"
        "Every answer quotes the articles verbatim. Under it, <b>More ▸</b> shows further "
        "quotes, <b>Context</b> shows the sentences around a quote, and 👍/👎 tell me whether "
        "it helped.\n\n/sources lists the articles I can quote, newest first."
    ) + (ADMIN_HELP if admin else "")


def _duration(seconds: float) -> str:
    minutes, _ = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days}d {hours}h {minutes}m"
    return f"{hours}h {minutes}m" if hours else f"{minutes}m"


def render_stats(
    stats: Stats, uptime_seconds: float, documents: int, sentences: int, model: str
) -> str:
    """The /stats report for admins; counters persist across restarts, uptime does not."""
    rows = [
        ("Questions answered", str(stats.questions)),
        ("Nothing found", str(stats.abstentions)),
        ("Inline queries", str(stats.inline_queries)),
        ("Feedback", f"👍 {stats.thumbs_up} · 👎 {stats.thumbs_down}"),
        ("Errors", str(stats.errors)),
        ("Uptime", _duration(uptime_seconds)),
        ("Index", f"{documents} articles, {sentences} sentences, {escape(model or '?')}"),
    ]
    return "<b>Statistics</b>\n" + "\n".join(f"{name}: {value}" for name, value in rows)


def render_question_problem(reason: str) -> str:
    return f"I can't answer that: {escape(reason, quote=False)}."


def render_rate_limited(retry_after: float) -> str:
    seconds = max(1, math.ceil(retry_after))
    return (
        f"You're asking faster than I can keep up. Please wait {seconds} second"
        f"{'s' if seconds != 1 else ''} and ask again."
    )


def render_reloaded(documents: int, sentences: int, model: str) -> str:
    return f"Reloaded: {documents} articles, {sentences} sentences, model {escape(model or '?')}."


def render_reload_stale(documents: int, sentences: int, why: str) -> str:
    """/reload on a replica whose shared, read-only index is older than the corpus: nothing
    was rebuilt, so "Reloaded" would hide that the new articles are not searchable."""
    return (
        "Not reloaded: the index is older than the corpus and could not be rebuilt here "
        f"({escape(why, quote=False)}), so new articles are not searchable yet. Still serving "
        f"{documents} articles, {sentences} sentences. Publish by rebuilding the index where "
        'it can be written (docs/replicas.md, "Publishing new articles"), then /reload.'
    )


def render_reload_failed(reason: str) -> str:
    return f"Reload failed, the previous index stays in use: {escape(reason, quote=False)}"
