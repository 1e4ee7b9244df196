"""Cyrillic words inside an English question, spelled in Latin letters the corpus may know.

Readers in Ukraine and Crimea often type a name in Cyrillic inside an English question ("Who
is Умеров?", "Who leads the Меджліс?"). The question is rightly detected English, but the
English articles spell the names in Latin letters (Umerov, Mejlis), so neither BM25 nor the
English sentence model can match them and the bot declined. Before such a question is searched,
its Cyrillic words are transliterated: by the Ukrainian national system (KMU 2010) and by the
usual Russian one, with a few spellings the press uses ("dzh" as "j": Mejlis; "є" inside a word
as "e": Dzhemilev; -ий as -y: Zelensky; -ія as -ia: Natalia). Of these candidate spellings the
one the index's vocabulary knows wins, so the question uses the corpus's own spelling; when none
is known, the Ukrainian rule's. A few places central to the corpus that English names otherwise
(Крим -> Crimea, Киев -> Kyiv) get their English name, as "Krym" is a word no article uses.

Pure functions, no model: the spelling rules take a ``known`` predicate, which
``searchable_question`` builds from the index's BM25 vocabulary.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable

from embeddings.language import RUSSIAN_LETTERS, UKRAINIAN_LETTERS
from embeddings.lexical import LexicalIndex, tokenize

logger = logging.getLogger(__name__)

# A Cyrillic word, apostrophes inside it included (Ukrainian "м'ясо", "Мар’яна").
_CYRILLIC_WORD = re.compile(r"[\u0400-\u04ff]+(?:['’ʼ][\u0400-\u04ff]+)*")
_APOSTROPHES = "'’ʼ"

# Languages written in Cyrillic: a question detected as one of these is searched as it is.
CYRILLIC_LANGUAGES = frozenset("uk ru be bg mk sr kk ky tg mn tt ba cv os ab ce".split())

# KMU 2010 (Ukrainian national transliteration, resolution 55 of 27 January 2010): letters that
# are spelled differently at the start of a word come first, then everywhere else.
_UK_WORD_START = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}
_UK = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie",
    "ж": "zh", "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l",
    "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "iu",
    "я": "ia",
    # Russian letters in a Ukrainian-rule spelling, read as the Russian rule does.
    "ы": "y", "э": "e", "ё": "e", "ъ": "",
}  # fmt: skip
# The common Russian romanisation of the press (BGN/PCGN without diacritics): Г g, И i, Й y.
_RU_WORD_START = {"е": "ye", "ё": "yo"}
_RU = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
    # Ukrainian letters in a Russian-rule spelling.
    "і": "i", "ї": "yi", "є": "ye", "ґ": "g",
}  # fmt: skip
# Spellings the English-language press uses for a few Ukrainian letters inside a word
# (Dzhemilev for Джемілєв, Kyiv for Київ): a simplification of KMU, tried after it.
_UK_SIMPLE = {**_UK, "є": "e", "ї": "i", "й": "y", "ю": "yu", "я": "ya"}
# Word endings the English-language press shortens: Зеленський -> Zelensky (not Zelenskyi),
# Наталія -> Natalia (not Nataliia); Russian Зеленский, Наталия likewise.
_PRESS_ENDINGS = (("ий", "y"), ("ій", "y"), ("ый", "y"), ("ія", "ia"), ("ия", "ia"))
# Stress marks a reader may type on a vowel (Умеро́в): not letters, dropped before spelling.
_STRESS_MARKS = re.compile(r"(?<=[\u0400-\u04ff])[\u0300\u0301]")


def _exonym_table() -> dict[str, str]:
    """Places central to this corpus that English names differently from any transliteration
    (Крим is Crimea, not Krym; Киев is Kyiv), in their Ukrainian and Russian case forms."""
    forms = {
        "Crimea": "крим криму кримом крима кримі крым крыму крыма крымом крыме",
        "Kyiv": "київ києва києві києву києвом киев киева киеве киеву киевом",
        "Ukraine": "україна україни україні україну україною "
        "украина украины украине украину украиной",
        "Russia": "росія росії росію росією россия россии россию россией",
        "Moscow": "москва москви москвы москві москве москву москвою москвой",
        "Odesa": "одеса одеси одесі одесу одесою одесса одессы одессе одессу одессой",
        "Donbas": "донбас донбасу донбасі донбасом донбасс донбасса донбассе донбассу донбассом",
    }
    return {form: english for english, words in forms.items() for form in words.split()}


EXONYMS = _exonym_table()


def has_cyrillic(text: str) -> bool:
    """Whether the text holds a Cyrillic word (cheap: questions without one are untouched)."""
    return _CYRILLIC_WORD.search(text) is not None


def _spell(word: str, table: dict[str, str], word_start: dict[str, str]) -> str:
    """``word`` (lower case) letter by letter; apostrophes and unknown letters dropped.

    KMU writes "зг" as "zgh" (Згурський -> Zghurskyi), so that it is not read as "zh".
    """
    out = []
    for n, char in enumerate(word):
        if char in _APOSTROPHES:
            continue
        if n == 0:
            out.append(word_start.get(char, table.get(char, "")))
        elif char == "г" and word[n - 1] == "з" and table.get(char) == "h":
            out.append("gh")
        else:
            out.append(table.get(char, ""))
    return "".join(out)


def transliterate_uk(word: str) -> str:
    """The word by the Ukrainian national rule (KMU 2010), in lower case: "Щорс" -> "shchors"."""
    return _spell(word.lower(), _UK, _UK_WORD_START)


def transliterate_ru(word: str) -> str:
    """The word by the common Russian romanisation, in lower case: "Гагарин" -> "gagarin"."""
    return _spell(word.lower(), _RU, _RU_WORD_START)


def candidates(word: str) -> list[str]:
    """Plausible Latin spellings of one Cyrillic word, in lower case, most likely first.

    The Ukrainian rule first (this bot's readers are Ukrainian), unless the word has a letter
    only Russian has; then the press's simplified Ukrainian spelling, then the Russian rule,
    then the press's short endings (Зеленський -> zelensky, Юлія -> yulia); each also with
    "dzh" written "j" (Меджліс -> Mejlis). No duplicates.
    """
    lower = word.lower()
    uk = transliterate_uk(lower)
    simple = _spell(lower, _UK_SIMPLE, _UK_WORD_START)
    ru = transliterate_ru(lower)
    letters = set(lower)
    if letters & RUSSIAN_LETTERS and not letters & UKRAINIAN_LETTERS:
        order = [ru, uk, simple]
    else:
        order = [uk, simple, ru]
    order += _press_spellings(lower)
    order += [spelling.replace("dzh", "j") for spelling in order if "dzh" in spelling]
    return list(dict.fromkeys(spelling for spelling in order if spelling))


def _press_spellings(lower: str) -> list[str]:
    """The press's short ending for a word ending in -ий/-ій/-ый/-ія/-ия, its stem spelled by
    the simplified Ukrainian and the Russian rule: Сирський -> syrsky, Юлія -> yulia."""
    for ending, latin in _PRESS_ENDINGS:
        stem = lower[: -len(ending)]
        if lower.endswith(ending) and stem:
            return [
                _spell(stem, _UK_SIMPLE, _UK_WORD_START) + latin,
                _spell(stem, _RU, _RU_WORD_START) + latin,
            ]
    return []


def _russian_spellings(lower: str) -> set[str]:
    """The Russian-rule spellings among a word's candidates (with "dzh" as "j" too)."""
    ru = transliterate_ru(lower)
    return {ru, ru.replace("dzh", "j")}


def _cased(spelling: str, word: str) -> str:
    """``spelling`` with the case of ``word``: "Умеров" -> "Umerov", "НАТО" -> "NATO"."""
    if len(word) > 1 and word.isupper():
        return spelling.upper()
    if word[:1].isupper():
        return spelling[:1].upper() + spelling[1:]
    return spelling


def transliterate_word(word: str, known: Callable[[str], bool] | None = None) -> str:
    """One Cyrillic word in Latin letters, cased like the word.

    A place English names otherwise is its English name (Крим -> Crimea). Else the first of
    ``candidates`` that ``known`` accepts (the corpus spells it so), else the Ukrainian rule's
    spelling. ``known`` compares stems, so two spellings can both be known (Mejlys, Mejlis);
    then, for a word with no Ukrainian-only letter (Меджлис), the Russian rule's spelling wins,
    as the word is most likely Russian and the corpus writes it so.
    """
    lower = word.lower()
    exonym = EXONYMS.get(lower)
    if exonym is not None:
        return exonym.upper() if len(word) > 1 and word.isupper() else exonym
    options = candidates(word)
    if not options:
        return word
    accepted = [option for option in options if known is not None and known(option)]
    if len(accepted) > 1 and not set(lower) & UKRAINIAN_LETTERS:
        russian = _russian_spellings(lower)
        accepted = [option for option in accepted if option in russian] or accepted
    return _cased(accepted[0] if accepted else options[0], word)


def transliterate_question(text: str, known: Callable[[str], bool] | None = None) -> str:
    """``text`` with each Cyrillic word transliterated (``transliterate_word``).

    ``known(word)`` says whether the corpus knows a word. A Cyrillic word it knows as it is
    (an index with Ukrainian articles) is left alone, unless the corpus also knows one of its
    Latin spellings: in a folder that mixes English articles with a Ukrainian one (Умеров and
    Umerov), an English question is searched with the Latin spelling, as over the English
    articles alone, so "Who is Умеров?" finds what "Who is Umerov?" finds. (Searching both
    spellings was measured and is worse: on 34 reader questions with the names in Cyrillic,
    over the bundled articles and a Ukrainian one, the Latin spelling alone gets the Latin
    questions' 27 right first sentences and 33 answered; "Umerov? Умеров" 26 and 32, "Умеров
    Umerov" 28 and 31, and "What position does Ільмі Умеров hold?" was declined at 0.00: the
    rare Cyrillic words take most of the question's lexical weight, and only the Ukrainian
    sentence, which the English ranking cannot judge, matches them.)

    Text without Cyrillic is returned as it is, the same object. Text with Cyrillic is first
    NFC-normalised (a Й typed as И and a combining breve) and loses stress marks (Умеро́в),
    so both spell as the plain word.
    """
    if not has_cyrillic(text):
        return text
    text = _STRESS_MARKS.sub("", unicodedata.normalize("NFC", text))

    def replace(match: re.Match[str]) -> str:
        word = match.group()
        latin = transliterate_word(word, known)
        if known is not None and known(word.lower()) and not known(latin.lower()):
            return word
        return latin

    result = _CYRILLIC_WORD.sub(replace, text)
    logger.debug("transliterated %r -> %r", text, result)
    return result


def corpus_knows(lexical: LexicalIndex, language: str | None) -> Callable[[str], bool]:
    """Whether the index's vocabulary holds every term of a word, tokenised as a question in
    ``language`` is (stemmed: "umerov's" is known when "Umerov" is)."""
    languages = lexical.query_languages(language)
    vocabulary = lexical.vocabulary

    def known(word: str) -> bool:
        terms = {term for code in languages for term in tokenize(word, code)}
        return bool(terms) and all(term in vocabulary for term in terms)

    return known


def searchable_question(question: str, language: str, lexical: LexicalIndex) -> str:
    """The text to encode and match for a question detected in ``language``.

    A question in a language written in Latin letters (English) with Cyrillic words gets them
    transliterated in the corpus's spelling; any other question is returned as it is, so a
    question without Cyrillic is searched exactly as before, and a Cyrillic question
    (Ukrainian, Russian) is answered as its language allows.
    """
    if language in CYRILLIC_LANGUAGES or not has_cyrillic(question):
        return question
    return transliterate_question(question, corpus_knows(lexical, language))
