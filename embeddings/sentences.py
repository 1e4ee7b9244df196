"""Sentence splitting with character offsets into the article text.

Quotes are shown to users verbatim, so a sentence is a span ``(start, end)`` of the article,
never a re-joined or cleaned string. Boundaries come from pysbd (a rule-based splitter that
knows abbreviations, initials, numbers and money), tuned where news text needs it:

* A blank line always ends a sentence, and a line with no final punctuation (a heading, a
  list item) is a sentence of its own; other line breaks are soft, so hard-wrapped text keeps
  its sentences whole. A line that is bold as a whole (``**Could the flood be predicted?**``,
  an interview's question or a subhead: ``markdown.is_bold_line``) is one sentence of its own
  however many sentences it holds, so that it stays one line of markup, never a quote.
* pysbd keeps everything between matching quotation marks in one sentence. That is right for
  ``he said: "Stop." and left`` but wrong for the quotation of several sentences that news
  articles are full of, so a quotation that itself contains a sentence boundary is split like
  any other text.
* A closing quotation mark is never the start of a sentence: it stays with the sentence that
  it closes, and so does a lower-case continuation such as ``" he said.``
* pysbd is slower than linear in the length of its input, so it runs per paragraph (and a
  paragraph of more than ``_MAX_PYSBD_CHARS`` is cut where a sentence almost surely ends),
  and its abbreviation pass is replaced by an equivalent one that does not repeat itself.
* Each article is split with the rules of its language (front matter ``language``): pysbd
  knows the abbreviations of English, Russian, German, French, Spanish and 18 more. It has no
  Ukrainian, so Ukrainian articles get the Russian rules (Cyrillic abbreviations such as
  "т." and "р." are closest there); a language pysbd lacks otherwise gets the English rules.
  The quotation rules above apply in every language.
* pysbd's own character offsets are unreliable (they search for each sentence's text in the
  whole input), so offsets are found here by searching forward from the previous sentence,
  and the spans partition the text: no character other than whitespace is ever lost.
"""

from __future__ import annotations

import logging
import re
from itertools import pairwise

import pysbd
from pysbd.between_punctuation import BetweenPunctuation
from pysbd.lang.english import English
from pysbd.languages import LANGUAGE_CODES
from pysbd.processor import Processor
from pysbd.punctuation_replacer import replace_punctuation

from embeddings.markdown import is_bold_line

logger = logging.getLogger(__name__)

# Bump the first part whenever a rule here changes the splitting of any text; the pysbd
# version is part of it because a new pysbd can split differently too.
SPLITTER_VERSION = f"4+pysbd{pysbd.__version__}"  # 4: a bold line is one sentence

# Characters that pysbd uses internally as placeholders; one in the input would be turned
# into something else in pysbd's output, so they are masked (same length) before splitting.
_PYSBD_PLACEHOLDERS = "ƪȸȹᓰᓱᓳᓴᓷᓸ∮∯⌬⎋☄☇☈☉☏☝♝♟♨♬♭✂"
_MASK = str.maketrans(dict.fromkeys(_PYSBD_PLACEHOLDERS, "_"))
_NON_SPACE_WHITESPACE = re.compile(r"[^\S ]")
_BLANK_LINES = re.compile(r"\n\s*\n")
_LINE_BREAK = re.compile("\n")
_MAX_PYSBD_CHARS = 10_000
_LIKELY_BOUNDARY = re.compile(r"(?<=[a-z]{3}[.!?])[\"'”’»)]*\s+(?=[\"“‘«(]?[A-Z])")
_TERMINAL = re.compile(r"[.!?。．！？…]")

_CLOSING_QUOTES = "\"'”’»›"
_OPENING_QUOTES = '"“«„'
_AFTER_CLOSING_QUOTE = " ,;:.!?)]…-–—"  # what may follow a closing mark (space: masked)
_LINE_END_PUNCTUATION = ".!?…。．！？" + ",;:-–—(/&"
_LIST_ITEM_OR_HEADING = re.compile(r"(?:[-*+•‣⁃–—]|\d{1,3}[.)])\s|#")

# A sentence boundary inside a quotation, as pysbd sees it once abbreviations and numbers
# have been masked: final punctuation, then space, then anything but a lower-case letter.
_BOUNDARY_IN_QUOTE = re.compile(r"[.!?。．！？][\"'”’»)\]]*\s+(?![a-zß-öø-ÿа-яёіїєґў])")
_PYSBD_ENDS = "。．.！!?？ȸȹ☉☈☇☄"


def _protect_single_sentence_quote(match: re.Match[str]) -> str:
    """Keep a quotation in one piece only when it holds a single sentence."""
    if _BOUNDARY_IN_QUOTE.search(match.group()[1:-1]):
        return match.group()
    return str(replace_punctuation(match))


class _BetweenPunctuation(BetweenPunctuation):  # type: ignore[misc, unused-ignore]
    """pysbd's quotation handling, but multi-sentence quotations are split."""

    def sub_punctuation_between_double_quotes(self, txt: str) -> str:
        return re.sub(self.BETWEEN_DOUBLE_QUOTES_REGEX_2, _protect_single_sentence_quote, txt)

    def sub_punctuation_between_quotes_slanted(self, txt: str) -> str:
        return re.sub(self.BETWEEN_QUOTE_SLANTED_REGEX_2, _protect_single_sentence_quote, txt)

    def sub_punctuation_between_single_quote_slanted(self, txt: str) -> str:
        return re.sub(self.BETWEEN_SINGLE_QUOTE_SLANTED_REGEX, _protect_single_sentence_quote, txt)

    def sub_punctuation_between_quotes_arrow(self, txt: str) -> str:
        return re.sub(self.BETWEEN_QUOTE_ARROW_REGEX_2, _protect_single_sentence_quote, txt)


class _AbbreviationReplacer(English.AbbreviationReplacer):  # type: ignore[misc, unused-ignore]
    """pysbd's abbreviation rules, without repeating identical replacements.

    pysbd runs a replacement over the whole text once for every occurrence of an
    abbreviation's letters (for "p." that is every word that starts with a p), which is
    quadratic on a long paragraph. Each replacement is global and idempotent, and needs the
    abbreviation followed by its period, so running it once per distinct form, and only when
    that period is there, gives the same text.
    """

    def search_for_abbreviations_in_string(self, text: str) -> str:
        lowered = text.lower()
        for abbreviation in self.lang.Abbreviation.ABBREVIATIONS:
            stripped = abbreviation.strip()
            # Every replacement needs the abbreviation followed by its period; only those
            # with a period inside ("e.g") match more than their own letters.
            if (stripped + "." if "." not in stripped else stripped) not in lowered:
                continue
            matches = re.findall(rf"(?:^|\s|\r|\n){stripped}", text, flags=re.IGNORECASE)
            # pysbd's look-up of the next character, which only finds "{abbr} X"; kept so
            # that the result stays the same.
            marker = "{" + stripped + "} "
            next_chars = re.findall(rf"(?<={re.escape(marker)}).", text) if marker in text else []
            done: set[tuple[str, str]] = set()
            for index, match in enumerate(matches):
                key = (match.strip(), next_chars[index] if index < len(next_chars) else "")
                if key not in done:
                    done.add(key)
                    text = self.scan_for_replacements(text, match, index, next_chars)
        return text


class _English(English):  # type: ignore[misc, unused-ignore]
    """pysbd's English rules, changed where quotations are concerned (and made faster).

    A quotation is a sentence of its own only when no unmasked sentence boundary lies inside
    it, and a sentence ending in a closing quote is split from the next at any amount of
    space (pysbd insists on exactly one).
    """

    AbbreviationReplacer = _AbbreviationReplacer
    BetweenPunctuation = _BetweenPunctuation
    SENTENCE_BOUNDARY_REGEX = (
        r"（(?:[^）])*）(?=\s?[A-Z])|「(?:[^」])*」(?=\s[A-Z])|\((?:[^\)]){2,}\)(?=\s[A-Z])"
        rf"|\'(?:[^\'{_PYSBD_ENDS}])*[^,]\'(?=\s[A-Z])"
        rf"|\"(?:[^\"{_PYSBD_ENDS}])*[^,]\"(?=\s[A-Z])"
        rf"|\“(?:[^\”{_PYSBD_ENDS}])*[^,]\”(?=\s[A-Z])"
        rf"|[。．.！!?？ ]{{2,}}|\S.*?[{_PYSBD_ENDS}]|[。．.！!?？]"
    )
    # A quotation that ends a sentence, then the next sentence; that one may open with a
    # quotation of its own ('"One." "Two," he said.': two voices, two sentences).
    QUOTATION_AT_END_OF_SENTENCE_REGEX = r"[!?\.-][\"\'“”’»]\s+[\"“«]?[A-Z]"
    SPLIT_SPACE_QUOTATION_AT_END_OF_SENTENCE_REGEX = r"(?<=[!?\.-][\"\'“”’»])\s+(?=[\"“«]?[A-Z])"


# pysbd has no rules of its own for these languages; the closest that it has.
_CLOSEST_RULES = {"uk": "ru", "be": "ru"}


def _rules(language: str | None) -> type:
    """The pysbd language class for an ISO 639-1 code, with quotebot's quotation rules."""
    code = re.split(r"[-_]", (language or "en").strip().lower() or "en", maxsplit=1)[0]
    code = _CLOSEST_RULES.get(code, code)
    if code == "en" or code not in LANGUAGE_CODES:
        return _English
    return _localised(code)


_LOCALISED: dict[str, type] = {}


def _localised(code: str) -> type:
    if code not in _LOCALISED:
        base = LANGUAGE_CODES[code]
        # A language with its own quotation handling (German, Chinese, Japanese) keeps it.
        extra = (
            {}
            if "BetweenPunctuation" in vars(base)
            else {"BetweenPunctuation": _BetweenPunctuation}
        )
        _LOCALISED[code] = type(f"_{base.__name__}", (base,), extra)
    return _LOCALISED[code]


def split_sentences(text: str, language: str | None = None) -> list[tuple[int, int]]:
    """Character spans (start, end) of the sentences of text, in order, non-overlapping,
    each stripped of surrounding whitespace (text[start:end] == text[start:end].strip()),
    none empty.

    Every character of ``text`` that is not whitespace lies in exactly one span.

    Args:
        text: An article body, paragraphs separated by blank lines.
        language: The article's ISO 639-1 code (front matter ``language``); None is English.

    Returns:
        The spans, in the order of the text.
    """
    rules = _rules(language)
    spans: list[tuple[int, int]] = []
    for par_start, par_end in _stripped_pieces(text, _BLANK_LINES, 0, len(text)):
        for block_start, block_end in _blocks(text, par_start, par_end):
            spans.extend(_split_block(text, block_start, block_end, rules))
    return spans


def _stripped_pieces(
    text: str, separator: re.Pattern[str], start: int, end: int
) -> list[tuple[int, int]]:
    """The non-blank pieces of text[start:end] between separators, whitespace trimmed."""
    pieces = []
    cut = start
    for match in separator.finditer(text, start, end):
        pieces.append((cut, match.start()))
        cut = match.end()
    pieces.append((cut, end))
    return [span for a, b in pieces if (span := _strip(text, a, b))[0] < span[1]]


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    """text[start:end] without whitespace at either end, as a span (empty: start == end)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _blocks(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The runs of lines of a paragraph that pysbd should see as one text.

    A line break is kept as a sentence boundary only after a line with no final punctuation
    (a heading or list item), unless the next line goes on in lower case, and before a list
    item or Markdown heading; and always before and after a line that is bold as a whole.
    """
    lines = _stripped_pieces(text, _LINE_BREAK, start, end)
    blocks = [lines[0]]
    for (previous_start, previous_end), (line_start, line_end) in pairwise(lines):
        if _ends_at_line_break(text[previous_start:previous_end], text[line_start:line_end]):
            blocks.append((line_start, line_end))
        else:
            blocks[-1] = (blocks[-1][0], line_end)
    return blocks


def _ends_at_line_break(line: str, next_line: str) -> bool:
    """Whether the break between two lines of a paragraph ends a sentence by itself."""
    if _LIST_ITEM_OR_HEADING.match(next_line) or line.startswith("#"):
        return True
    if is_bold_line(line) or is_bold_line(next_line):
        return True
    if next_line[0].islower():
        return False
    if line[-1:] in _CLOSING_QUOTES and line[-2:-1] in ".!?…" and next_line[0] in _OPENING_QUOTES:
        return True  # a quotation ends the line and the next opens another: two voices
    last = line.rstrip(_CLOSING_QUOTES + ")]}")[-1:]
    return not last or last not in _LINE_END_PUNCTUATION


def _split_block(text: str, start: int, end: int, rules: type = _English) -> list[tuple[int, int]]:
    """Sentence spans of text[start:end], a block that starts and ends with non-whitespace."""
    block = text[start:end]
    if not _TERMINAL.search(block) or is_bold_line(block):
        return [(start, end)]
    # Same length and same whitespace as the block, so offsets carry over unchanged.
    masked = _NON_SPACE_WHITESPACE.sub(" ", block.translate(_MASK))
    cuts: list[int] = []
    for chunk_start, chunk_end in pairwise([*_chunk_starts(masked), len(masked)]):
        chunk = masked[chunk_start:chunk_end]
        pieces: list[str] = Processor(chunk, rules).process() or []
        cuts.extend(chunk_start + cut for cut in _find_cuts(chunk, pieces))
    cuts = _keep_closing_quotes_with_their_sentence(masked, cuts)
    cuts = _merge_punctuation_only(masked, cuts)
    if rules is not _English:
        # pysbd's rules for other languages know fewer abbreviations ("т.е. всё"); a sentence
        # never starts in lower case there (English has "iPhone"-like starts, so not there).
        cuts = [cut for n, cut in enumerate(cuts) if n == 0 or not masked[cut].islower()]
    spans = [_strip(text, start + a, start + b) for a, b in pairwise([*cuts, len(block)])]
    return [span for span in spans if span[0] < span[1]]


def _chunk_starts(block: str) -> list[int]:
    """Where to cut a very long block so that pysbd, slower than linear, sees short texts.

    Cuts fall where a sentence almost surely ends (a word of three lower-case letters, a
    period, a capital); a block without one is cut at a space, so time stays bounded.
    """
    starts = [0]
    while len(block) - starts[-1] > _MAX_PYSBD_CHARS:
        low, high = starts[-1] + _MAX_PYSBD_CHARS // 2, starts[-1] + _MAX_PYSBD_CHARS
        cut = None
        for match in _LIKELY_BOUNDARY.finditer(block, low, high):
            cut = match.end()
        if cut is None:
            space = block.rfind(" ", low, high)
            if space < 0:
                break  # one enormous word: leave it whole
            cut = space + 1
        starts.append(cut)
    return [start for start in starts if start < len(block)]


def _find_cuts(block: str, pieces: list[str]) -> list[int]:
    """Where each sentence starts in block, searching forward from the previous one.

    A piece that cannot be found (pysbd changed its text) is merged into the sentence before
    it, so the cuts always partition the whole block.
    """
    cuts = [0]
    cursor = 0
    for piece in pieces:
        wanted = piece.strip()
        if not wanted:
            continue
        found = block.find(wanted, cursor)
        if found < 0:
            logger.debug("pysbd altered a sentence; merged it into the previous one")
            continue
        if found > 0 and block[cuts[-1] : found].strip():
            cuts.append(found)
        cursor = found + len(wanted)
    return cuts


def _keep_closing_quotes_with_their_sentence(block: str, cuts: list[int]) -> list[int]:
    """Move closing quotation marks at the start of a sentence back to the one they close.

    When what follows the marks goes on in lower case or with a comma (``" he said.``), it is
    the rest of the sentence before, and the two sentences are joined.
    """
    fixed = cuts[:1]
    for cut, next_cut in pairwise([*cuts, len(block)]):
        if cut == 0:
            continue
        after = cut
        while after < next_cut and block[after] in _CLOSING_QUOTES:
            after += 1
        if after == cut or (after < next_cut and block[after] not in _AFTER_CLOSING_QUOTE):
            fixed.append(cut)  # no quotation mark, or an opening one: "Next, "$ 5
            continue
        rest = block[after:].lstrip()
        if not rest or rest[0].islower() or rest[0] in ",;:":
            continue  # the rest of the sentence before: join them
        moved = len(block) - len(rest)
        if moved < next_cut:
            fixed.append(moved)
    return fixed


def _merge_punctuation_only(block: str, cuts: list[int]) -> list[int]:
    """Join a sentence without a letter or digit (a lone ``...``) to its neighbour."""
    bounds = [*cuts, len(block)]
    kept = [
        cut
        for index, cut in enumerate(cuts)
        if index == 0 or any(c.isalnum() for c in block[cut : bounds[index + 1]])
    ]
    if len(kept) > 1 and not any(c.isalnum() for c in block[: kept[1]]):
        del kept[1]
    return kept
