"""Which language a question is in, and whether the corpus can be searched in it.

An English sentence model places a Ukrainian question nowhere near the English sentence that
answers it, so the honest reply to such a question is "the articles are in English, ask in
English", not "the sources do not answer this".

Detection uses py3langid (langid.py's model, shipped inside the wheel, numpy only, no download).
Loading its model costs most of a second, so it is loaded lazily and only for questions that do
not look English: plain ASCII with an English function word ("what", "who", "the", ...) is
English without asking the model, which keeps the cold ``quotebot ask`` fast and means a short
English question is never misdetected.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Any

from embeddings.types import Answer

logger = logging.getLogger(__name__)

ENGLISH = "en"

# The languages the detector may answer with. langid.py knows 97, many of them close relatives
# that short questions confuse ("Що написано на банері?" comes out Bulgarian, "Где?" Kazakh);
# restricting it to widely used languages makes Ukrainian and Russian come out right.
DETECTABLE = (
    "en uk ru be pl cs sk de fr es it pt nl sv da no fi et lv lt ro hu el tr ar he fa hi "
    "zh ja ko ka hy"
).split()
# Below this probability a question written in Latin letters is treated as English: a name
# or two ("Beyoncé?") says little about the language of the asker.
MIN_CONFIDENCE = 0.5

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
# English function words that are not also common words of other languages written in Latin
# letters ("in", "an", "was", "will", "a", "no", "on", "die" are left out: German, French or
# Spanish use them too).
_ENGLISH_WORDS = frozenset(
    """the of to for from with about and or but not is are were be been being do does did
    done has have had would can could should shall may might must what who whom whose which
    when where why how many much it its this that these those there their they he she his her
    him we you i me my our your than then if any some all said says say tell told whom
    happened happen""".split()
)

# Names of sentence-transformers models (or paths) that understand many languages. A model not
# listed here is taken to be monolingual unless the caller says otherwise.
_MULTILINGUAL_NAME = re.compile(
    r"multilingual|labse|bge-m3|\bm3\b|xlm|mbert|\bmuse\b|\blaser", re.I
)


# ISO 639-1: every two-letter language code. A front matter ``language`` must start with one.
ISO_639_1 = frozenset(
    """aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu
    cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho
    hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv
    kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr
    nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq
    sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh
    yi yo za zh zu""".split()
)
# ISO 639-3 codes of languages with no ISO 639-1 code that articles about Crimea, Ukraine and
# their neighbours are written in (Crimean Tatar, Rusyn, Gagauz, Karachay-Balkar, Nogai,
# Kabardian, Adyghe, Sorbian, Kashubian, Silesian, Yakut, Tuvan, Udmurt, Central Kurdish,
# Cantonese, Asturian, Hawaiian). A user whose language is missing here gets a clear error.
THREE_LETTER = frozenset(
    "crh rue gag krc nog kbd ady hsb dsb csb szl sah tyv udm ckb yue ast haw".split()
)
# A code with optional subtags (region, script): en, en-GB, pt_BR, sr-Latn, crh.
_LANGUAGE_TAG = re.compile(r"([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*")
# Names people write instead of the code, for the error's hint.
_NAMED = {
    "english": "en", "ukrainian": "uk", "russian": "ru", "german": "de", "deutsch": "de",
    "french": "fr", "spanish": "es", "italian": "it", "polish": "pl", "portuguese": "pt",
    "dutch": "nl", "turkish": "tr", "belarusian": "be", "eng": "en", "ukr": "uk", "rus": "ru",
    "deu": "de", "ger": "de", "fra": "fr", "fre": "fr", "spa": "es", "pol": "pl",
    "ita": "it", "por": "pt", "nld": "nl", "dut": "nl", "tur": "tr", "bel": "be", "ara": "ar",
    "zho": "zh", "chi": "zh", "jpn": "ja", "kor": "ko", "ces": "cs", "cze": "cs", "ell": "el",
    "gre": "el", "heb": "he", "hin": "hi", "swe": "sv", "nor": "no", "dan": "da", "fin": "fi",
    "hun": "hu", "ron": "ro", "rum": "ro", "bul": "bg", "hrv": "hr", "srp": "sr", "slk": "sk",
    "slo": "sk", "slv": "sl", "lit": "lt", "lav": "lv", "est": "et", "kaz": "kk", "aze": "az",
    "uzb": "uz", "tat": "tt", "kat": "ka", "geo": "ka", "hye": "hy", "arm": "hy", "fas": "fa",
    "per": "fa", "cat": "ca", "eus": "eu", "baq": "eu", "glg": "gl", "isl": "is", "ice": "is",
}  # fmt: skip


def language_problem(value: str) -> str | None:
    """Why a front matter ``language`` value cannot be used, or None when it can.

    It must be an ISO 639-1 code, optionally with subtags (``en-GB``), which ``normalise``
    reduces to the code. Anything else ("English", "xx") was once taken as an unknown
    language: English stop words, stemming and speakers silently off for that article.
    A three-letter ISO 639-3 code is accepted for the languages of ``THREE_LETTER``, which
    have no two-letter one (Crimean Tatar, ``crh``, which QHA also publishes in): read like
    any language without a stemmer. Any other three letters are refused, since a typo
    (``enn``) would silently switch English handling off; the three-letter forms of
    two-letter languages (``eng``, ``ukr``) are refused with the code to write.
    """
    match = _LANGUAGE_TAG.fullmatch(value.strip())
    hint = _NAMED.get(value.strip().lower())
    if match is not None and hint is None:
        code = match.group(1).lower()
        if code in ISO_639_1 or code in THREE_LETTER:
            return None
    suggestion = f"did you mean {hint!r}? " if hint else ""
    return f"is not an ISO 639-1 language code ({suggestion}write e.g. en, uk, ru or en-GB)"


def normalise(code: str | None) -> str:
    """A document's ``language`` front matter as an ISO 639-1 code; missing means English.

    ``en-GB`` and ``EN`` are English; anything else keeps its first, lower-cased part.
    """
    if not code or not code.strip():
        return ENGLISH
    return re.split(r"[-_]", code.strip().lower(), maxsplit=1)[0]


def looks_english(question: str) -> bool:
    """True for text in Latin letters with at least one English function word.

    Cheap enough to run on every question; only questions that fail it load the detector.
    """
    if not question.isascii() and not _all_latin(question):
        return False
    words = {word.lower() for word in _WORD.findall(question)}
    return bool(words & _ENGLISH_WORDS)


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(DETECTABLE)
    return identifier


def detect_language(question: str) -> str:
    """The ISO 639-1 code of the question's language ("en" when it looks English).

    Decided on the words of the question's main script (``_main_script_text``): a Latin name
    in a Cyrillic question ("Хто такий Ilmi Umerov?") does not make it English, nor a Cyrillic
    name an English one Ukrainian ("Who is Умеров?"). Cyrillic text is told Ukrainian or
    Russian by the letters and question words only one of them has (``_ukrainian_or_russian``)
    before the model is asked, since the model confuses the two on short questions ("Хто
    такий Умеров?" came out Russian). Questions in Latin letters that the model is unsure
    about count as English; text in another script is never English, whatever the confidence.
    """
    text = _main_script_text(question)
    if looks_english(text) or not _WORD.search(text):
        return ENGLISH
    if _is_cyrillic(text):
        decided = _ukrainian_or_russian(text)
        if decided is not None:
            return decided
    code, probability = _identifier().classify(text)
    if code != ENGLISH and probability < MIN_CONFIDENCE and _mostly_latin(text):
        logger.debug("unsure language %s (%.2f), taken as English", code, probability)
        return ENGLISH
    return str(code)


_CYRILLIC = re.compile(r"[\u0400-\u052f]")
# Letters of one of the two languages and not of the other. Belarusian (ў) shares letters with
# both, so text with ў is left to the model.
UKRAINIAN_LETTERS = frozenset("іїєґ")
RUSSIAN_LETTERS = frozenset("ыэёъ")
# Question and function words of one language that the other does not use.
_UKRAINIAN_WORDS = frozenset(
    """хто що який яка яке які якого якій такий така таке такі де коли чому скільки як чи
    навіщо вона вони воно це цей ця ці його її їх був була було були є""".split()
)
_RUSSIAN_WORDS = frozenset(
    """кто что какой какая какое какие какого такой такая такое такие где когда почему
    сколько как ли зачем она они оно это этот эта эти его её их был была было были есть
    чем чего кого кому""".split()
)


def _script(word: str) -> str:
    """ "latin", "cyrillic" or "other": the script of most of the word's letters."""
    latin = sum(1 for c in word if _LATIN.match(c))
    cyrillic = sum(1 for c in word if _CYRILLIC.match(c))
    if latin == cyrillic == 0:
        return "other"
    return "latin" if latin > cyrillic else "cyrillic"


def _main_script_text(question: str) -> str:
    """The question, or only its words in its main script when it mixes Latin and Cyrillic.

    The main script is the one whose words weigh most, a capitalised word after the first
    counting half (it may be a name, which says little about the asker's language); ties go
    to the script with more letters.
    """
    if question.isascii():
        return question
    words = _WORD.findall(question)
    scripts = [_script(word) for word in words]
    if len(set(scripts)) < 2:
        return question
    weight: dict[str, float] = {}
    letters: dict[str, int] = {}
    for n, (word, script) in enumerate(zip(words, scripts, strict=True)):
        name_like = n > 0 and word[:1].isupper()
        weight[script] = weight.get(script, 0.0) + (0.5 if name_like else 1.0)
        letters[script] = letters.get(script, 0) + len(word)
    main = max(weight, key=lambda script: (weight[script], letters[script]))
    return " ".join(word for word, script in zip(words, scripts, strict=True) if script == main)


def _is_cyrillic(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(1 for c in letters if _CYRILLIC.match(c)) * 2 > len(letters)


def _ukrainian_or_russian(text: str) -> str | None:
    """ "uk" or "ru" when the letters and words only one of the two has say so, else None.

    Each word votes: a Ukrainian-only letter (і ї є ґ) or word (хто, що, такий) for "uk", a
    Russian-only letter (ы э ё ъ) or word (кто, что, такой) for "ru"; the larger vote wins.
    """
    words = [word.lower() for word in _WORD.findall(text)]
    if any("ў" in word for word in words):
        return None
    ukrainian = russian = 0
    for word in words:
        letters = set(word)
        ukrainian += bool(letters & UKRAINIAN_LETTERS) or word in _UKRAINIAN_WORDS
        russian += bool(letters & RUSSIAN_LETTERS) or word in _RUSSIAN_WORDS
    if ukrainian > russian:
        return "uk"
    if russian > ukrainian:
        return "ru"
    return None


def _all_latin(text: str) -> bool:
    return all(_LATIN.match(c) for c in text if c.isalpha())


def _mostly_latin(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(1 for c in letters if _LATIN.match(c)) * 2 >= len(letters)


def is_multilingual_model(model_name: str) -> bool:
    """Whether the model's name says it embeds many languages in one space."""
    return bool(_MULTILINGUAL_NAME.search(model_name))


def can_search(question_language: str, multilingual: bool) -> bool:
    """Whether a question in this language can be searched with the model.

    A monolingual model (the default MiniLM is English only) maps a question in another
    language far from every sentence, even from one in the question's own language, so only
    English can be searched; a multilingual model matches across languages.
    """
    return multilingual or question_language == ENGLISH


def unsupported_language_answer(question: str, multilingual: bool) -> Answer | None:
    """The answer to a question the model cannot search, or None when it can be searched.

    ``Searcher.search`` gives the same answer; a front end may call this first so that a
    question it must refuse does not wait for the sentence model to load.
    """
    code = detect_language(question.strip())
    if can_search(code, multilingual):
        return None
    return Answer(question.strip(), outcome="unsupported-language", language=code)
