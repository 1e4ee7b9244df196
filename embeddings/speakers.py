"""Who said a sentence, when the article says so.

News articles are mostly quoted and reported speech, and a quote is worth little without its
speaker. This module reads the attributions that English news prose uses:

* a quotation paragraph that ends ``...," he said.`` / ``...," said the Head of the Mejlis.``
  (every sentence of the quotation is the speaker's, nested quotations included: the speaker
  is the one who says the sentence, whoever he quotes), also with a phrase about the occasion
  after the name (``...," said Mayor X at the opening.`` / ``on Monday`` / ``in an interview``),
  or a title and the name as two phrases (``...," the chief librarian, Iryna Bondar, said.``),
  the title of several words too (``said the chief executive, Ivan Petrenko``); a full name
  written there wins over whoever else the article gives the title (``said the mayor, Anna
  Koval``, ``said a parent, Svitlana Moroz``); a quotation that runs on over paragraphs (each
  paragraph opens a mark, only the last closes it and names the speaker) is the speaker's in
  every paragraph;
* ``X said that ...``, ``Earlier, X stated ...``, ``X, the defendant's lawyer, assesses ...``,
  ``The head teacher of School No. 5, X, said ...``, ``X replied that ...``,
  ``Speaking to Y, X said ...`` (the opening phrase's people are not the speaker);
* ``According to X, ...``.

A name after of/to/for/by/with/from is someone else than the speaker the phrase describes
(``said a spokesman for Mayor X``, ``the son of President X``), except inside a capitalised
title that the name holds (``People's Deputy of Ukraine X``). Where the article gives no name,
the phrase itself is the speaker (``wife of Ivan Franko``), never the X inside it, and a
pronoun after "The lawyer of X spoke." is not X either.

The speaker is named as the article names them: a surname alone ("Dzhemilev") becomes the
full name that the same article gives ("Mustafa Dzhemilev"), a title ("the Head of the Mejlis")
becomes the one person that the article gives that title, a pronoun becomes the one person
named just before: the one that sentence names (someone the article treats as a person
elsewhere), or the one holder of the title it opens with ("The mayor defended the new ferry.
"...," she said."). Whenever that is not certain (two people in the previous sentence, a
pronoun after an organisation, a title nobody in the article holds, a common noun such as
"the girl") the answer is None: a wrong speaker is worse than none.

English only: an article whose front matter gives another language gets no speakers (its
attributions, «...», — сказал он, are not read yet).

A pure function of the text, cheap (regular expressions over one article), so it runs at
build time and at query time alike.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from embeddings.interviews import (
    Layout,
    interview_layout,
    interview_sentences,
    says_interviewed,
)
from embeddings.language import normalise as normalise_language

Span = tuple[int, int]

# Verbs that report speech whatever follows them ("X said", "X expressed his indignation").
_SPEECH = (
    r"said|says|say|stated|noted|stressed|stresses|added|adds|told|tells|explained|explains|"
    r"emphasi[sz]ed|emphasi[sz]es|commented|remarked|asserted|insisted|expressed|expresses|"
    r"assessed|assesses|pointed out|points out|underlined|underlines"
)
# Verbs that report speech only when "that", a colon, a comma or a quotation follows:
# "Khan recalled that ..." is speech, "Khan recalled Subutai to Mongolia" is not, nor is
# "Luther wrote about the Jews" or "He continued his father's policies"; "X replied that ..."
# is speech, "X replied to the letter" or "X answered the phone" is not (NU18-4).
_BOUND = (
    r"reminded|reminds|recalled|recalls|wrote|writes|warned|warns|claimed|declared|"
    r"announced|continued|concluded|replied|replies|answered|answers|responded|responds|"
    r"denied|denies"
)
# Verbs that report speech only right after a quotation: '"We will close at eleven,"
# Savchuk promised.' is his (NU21B-1). Not before one: "Franko argued that every village
# needs a school" is an encyclopedia's account of his views, "X promised to build a road"
# or "X was admitted to hospital" no speech at all.
_AFTER_QUOTE_ONLY = (
    r"promised|promises|vowed|vows|pledged|pledges|admitted|admits|argued|argues|"
    r"complained|complains|urged|urges|confirmed|confirms|predicted|predicts"
)
_VERB = rf"(?:{_SPEECH}|{_BOUND}|{_AFTER_QUOTE_ONLY})"
# Verbs that report someone's words when a quotation follows their object: "Maryna
# Dovzhenko, the head of the group, called the notices "a punishment for the whole village""
# (NU27-3); "X called the meeting" or "X described the search" is no speech.
_NAMING = r"called|calls|described|describes|labelled|labeled|branded|dubbed"
_NAMING_QUOTED = rf"(?:{_NAMING})\b(?=[^.;:!?\"“”„«»]{{0,60}}[\"“«])"
_REPORTING_VERB = rf"(?:(?:{_SPEECH})\b|(?:{_BOUND})(?=\s*(?:that\b|[:,\"“«]))|{_NAMING_QUOTED})"
_OPENING = "\"“„«‘'"
_CLOSING = "\"”»’'“"
# Text that may name a speaker: no sentence punctuation and no quotation marks.
_WHO = r"[^,.;:!?\"“”„«»]{1,120}?"
# `"...," he said.` / `"...?" said X, head of Y.` / `"...," — сказал он` (dash optional).
# A prefix with a capital after it is part of the name: MacLeod, McDonald, DiMaggio, LeBlanc
# ("Ewan MacLeod, the union's general secretary, ... said" had no speaker, NU24-6).
_NAME_TOKEN = r"(?:Ma?c|D[aei]|L[ae])?[A-Z](?:['’][A-Z])?[a-z]+(?:-[A-Z][a-z]+)?"
# A full name after a title and a comma (`said the mayor, Anna Koval.`, `said a parent, X.`),
# ending the sentence or followed by a phrase that is not a list ("and ...").
_NAMED_AFTER = (
    rf"(?:,\s+(?P<named_after>{_NAME_TOKEN}(?: {_NAME_TOKEN}){{1,5}})"
    rf"(?=\s*(?:[.!?;]|$)|,\s+(?!and\b|or\b)))?"
)
_LIST_AFTER = re.compile(rf",\s+{_NAME_TOKEN}(?: {_NAME_TOKEN})*\s+(?:and|or)\s")
# A person's age as news writes it after their name ("Helen Price, 52,", "aged 71").
_AGE = r"(?:aged\s+)?(?:[1-9]\d?|1[01]\d)"
_AFTER_QUOTE = re.compile(
    rf"[,!?…\.][{_CLOSING}]\s*(?:[-–—]\s*)?"
    rf"(?:(?P<verb_first>{_VERB})\s+(?P<who_after>{_WHO}){_NAMED_AFTER}\s*(?:[,.!?;]|$)"
    # '"...," a local resident, Dilyaver Osmanov, 70, said.' (NU30-7): an age after the name
    rf"|(?:(?P<apposed>{_WHO}),\s+)?(?P<who_before>{_WHO})(?(apposed)(?:,\s+{_AGE})?,|)"
    rf"\s+(?:also\s+)?{_VERB}\b)"
)
# What may open a sentence before its subject: "Earlier, ", "Moreover, ", and a participle or
# preposition phrase that may name other people ("Speaking to Ivan Bohun, ", "In Kyiv, ").
# Only these: "Ivan Bohun, Olha's husband, said" is a subject with an apposition, not an opener.
_PHRASE_OPENER = (
    r"(?:Speaking|Talking|Writing|Commenting|Responding|Referring|Answering|Asked|"
    r"In|At|On|During|After|Before)\b[^,.;:!?\"“”„«»]{1,80},\s+"
)
_OPENER = rf"(?:[A-Z][a-z]+(?: [a-z]+){{0,3}},\s+|{_PHRASE_OPENER})"
_PHRASE_OPENER_AT_START = re.compile(f"^{_PHRASE_OPENER}")
# "Earlier, X said that" / "X, the lawyer, said" / "Moreover, the Head of the Mejlis said".
_REPORTED = re.compile(
    rf"^(?:{_OPENER})?(?P<who>{_WHO})"
    # "Helen Price, 52, a teacher at ..., said" / "Helen Price, 52, said" (NU23-6)
    rf"(?:\s*,\s*(?P<age>{_AGE})(?=\s*,))?"
    rf"(?:\s*,\s*(?P<apposition>[^,.;:\"“”«»]{{1,80}}),)?(?(age),?)"
    # "X, the union's general secretary, welcomed the fund but said" (NU24-6): one subject,
    # a first verb in the past and "and"/"but" before the saying; no capitalised word, which
    # may be another subject ("... met Ann Roe and Bo Li said").
    rf"(?:\s+[a-z]+ed\b[^,.;:!?\"“”„«»A-Z]{{0,60}}?\s+(?:and|but)(?=\s))?"
    rf"\s+(?:also\s+|then\s+|later\s+|again\s+)?{_REPORTING_VERB}"
)
_ACCORDING = re.compile(
    rf"^(?:[A-Z][a-z]+(?: [a-z]+){{0,3}},\s+)?[Aa]ccording to (?P<who>{_WHO}),"
)
# "..., according to his sister, Lenie Asanova." at the end of the sentence (NU26-12): the
# phrase up to a comma names the source, as at the start.
_ACCORDING_AFTER = re.compile(
    rf",\s+according to (?P<who>{_WHO})(?:,\s+[^,.;:!?\"“”„«»]{{1,80}})?\s*[.!?]?\s*$"
)
# "..., said Zarina Kadyrova, the sister of detainee Rustem Kadyrov." at the end of a
# sentence with no quotation marks (NU27-10): reported speech, its speaker after the verb.
_FULL_NAME_RUN = rf"(?:{_NAME_TOKEN})(?:\s+(?:{_NAME_TOKEN}))+"
_SAID_AFTER = re.compile(
    r",\s+(?:(?P<pronoun>he|she)\s+(?:said|added)"
    r"|(?:said|says|added|noted|stressed)\s+"
    rf"(?:(?P<name>{_FULL_NAME_RUN})(?:,\s+[^,.;:!?\"“”„«»]{{1,80}})?"
    rf"|(?P<title>(?:the|a|an)\s+[^,.;:!?\"“”„«»]{{1,60}}),\s+(?P<apposition>{_FULL_NAME_RUN})))"
    r"\s*[.!?]?\s*$"
)
# "..., his wife Leniye Mambetova told QHA." / "..., Kerimova said." / "..., Mambetov's
# defence lawyer, Emil Kurbedinov, told QHA." (NU28-5): the speaker before a verb that ends
# a sentence with no quotation marks; read as any speaker phrase, so "the report said" or
# "and Ann Roe said" names nobody.
# Told whom: an agency or a paper by name ("told QHA", "told Radio Liberty"), or the press.
_TOLD = r"told\s+(?:[A-Z][\w-]*(?:\s+[A-Z][\w-]*){0,3}|reporters|journalists|us)"
_SAID_AT_END = re.compile(
    rf",\s+(?P<who>[^,.;:!?\"“”„«»]{{1,80}}?)(?:,\s+(?P<apposition>{_FULL_NAME_RUN}),)?"
    rf"\s+(?:said|added|stressed|noted|{_TOLD})\s*[.!?]?\s*$"
)
# "Most of the bans were issued in Simferopol, Umerova said, and in 9 of the 14 cases ..."
# (NU30B-9): the same phrase in the middle, before "and" or "but" and more of what was said.
_SAID_MIDWAY = re.compile(
    rf",\s+(?P<who>[^,.;:!?\"“”„«»]{{1,60}}?)\s+(?:said|added|{_TOLD}),\s+(?:and|but)\s"
)
# 'Aliye Kerimova of Crimean Prisoners Watch: "Russia will not pay ..."' (NU28-5): a full
# name, perhaps with its organisation or title, introducing a quotation with a colon.
_COLON_INTRO = re.compile(
    rf"^(?P<who>{_FULL_NAME_RUN})(?:\s+of\s+[^,.;:!?\"“”„«»]{{1,60}}|,\s+[^,.;:!?\"“”„«»]{{1,60}},)?"
    r":\s*[\"“«„]"
)
# 'Crimean Tatar lawyer Emil Kurbedinov: "..."' (NU29-7): a title before the name, its last
# word a role or occupation in lower case.
_TITLED_COLON_INTRO = re.compile(
    rf"^(?P<title>(?:[\w'’-]+\s+){{0,5}}(?P<role>[a-z]+))\s+(?P<who>{_FULL_NAME_RUN}):\s*[\"“«„]"
)
# 'Hrytsenko's representative in Kyiv, Iryna Bondar: "Nobody informed the owner."' (NU33-11):
# a title, a comma and the name before the colon; the title must be the name's
# (``_apposed_name``).
_APPOSED_COLON_INTRO = re.compile(
    rf"^(?P<title>[^,.;:!?\"“”„«»]{{1,80}}),\s+(?P<who>{_FULL_NAME_RUN}):\s*[\"“«„]"
)
# The words a title may have before its role there: names ("Crimean Tatar"), other roles
# ("lawyer and rights defender") and these; not a verb ("Police detained blogger X:").
_TITLE_MODIFIERS = frozenset(
    "and human rights civil public senior chief deputy former independent local prominent "
    "veteran defence defense".split()
)
# "... the Mufti of the community, Ahmed Karaev, who called them "an attack on the faith""
# (NU27-10): the name right before "who" and a verb of saying.
_WHO_SAID = re.compile(
    rf"(?:^|,\s+)(?P<who>[^,.;:!?\"“”„«»]{{1,80}}),\s+who\s+(?:also\s+)?"
    rf"(?:{_REPORTING_VERB})"
)
_QUOTATION_MARK = re.compile(r"[\"“”„«»]")
# After "said X": a phrase about the occasion, not the speaker ("said X at the opening",
# "on Monday", "in an interview", "during the meeting", "to reporters"); the speaker phrase
# ends before it. "of", "for", "from" and "with" stay: they may say who the speaker is.
_OCCASION = re.compile(r"\s+(?:at|on|in|during|after|before|while|when|to)\s+\S.*$")

_NAME_RUN = re.compile(rf"(?<![\w'’-])(?:{_NAME_TOKEN})(?: (?:{_NAME_TOKEN}))*(?![\w'’-])")
_DETERMINER = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_THEIR = re.compile(r"^(?:its|his|her|their)\s+", re.IGNORECASE)
# A named owner in place of "the" before a title: "Dunmore's provost", "Greyfell Mining's chief
# executive" (NU24-6).
_OWNER = re.compile(r"^(?:[A-Z][\w&-]*\s+){0,3}[A-Z][\w&-]*['’]s\s+")
_PRONOUNS = {"he", "she"}
_WORD = re.compile(r"[A-Za-z]+")
# Compiled once: these run for every sentence or name of a quoted article.
_BLANK_LINE = re.compile(r"\n\s*\n")
_APPOSITION = re.compile(r",\s+((?:the|a|an)\s+[^,.;:]{1,70})")
# An age in apposition ("Margaret Dunne, 64, has driven a crane ...", "Maria Bondar, aged 71,"):
# news gives an age to a person, never to a place or a group (NU22B-7, NU22-11).
_AGE_APPOSITION = re.compile(rf",\s+{_AGE},")
# "Lenara Osmanova, who hosted the morning show ...": "who" is said of a person, never of a
# place or a group ("which"), so the name is one (NU31-10: "She said that ..." after it had no
# speaker).
_WHO_CLAUSE = re.compile(r",\s+who\s")
# A description by "is" right after the name (and its age): the same as an apposition.
_DESCRIBED_AS = re.compile(r"\s+(?:is|was)\s+((?:the|a|an)\s+[^,.;:]{1,70})")
_CLAUSE_END = re.compile(r"[.;:!?\"“”«»]")
_POSSESSIVE = re.compile(r"['’]s$")
_NUMBER_ABBREVIATION = re.compile(r"\b(No|Nos|no)\.(?=\s*\d)")
_TITLE_TOKEN = re.compile(r"[A-Za-z]+(?:['’]s\b)?")

# Capitalised words that are not part of a person's name: places, peoples, organisations,
# titles, calendar words and sentence openers (adverbs too: "Normally, the leader of the largest
# party is ..." made "Normally" a person with a title). A name run is cut at them.
_NOT_NAME = frozenset(
    """
    The A An This That These Those It He She They We I You His Her Their Our My Its There
    Today Yesterday Tomorrow Earlier Later Moreover However Also Then Now Meanwhile According
    As In On At By For From To Of With After Before During Despite Since Even If Why What Who
    When Where How Not Yes Of Course Anyone Most Each Every All Some Many Such
    January February March April May June July August September October November December
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday
    Crimea Crimean Crimeans Tatar Tatars Ukraine Ukrainian Ukrainians Russia Russian Russians
    Turkey Turkish Soviet Union United States Kingdom Europe European America American Kyiv
    Kiev Moscow Simferopol China Chinese Donbas Facebook Twitter Telegram Internet
    Mejlis Head Leader Chairman Chairwoman Deputy Deputies President Prime Minister Ministry
    People People's Peoples Council Court Office Prosecutor Prosecutor's Public Party Summit
    Day World Alley Street Square Bridge River Hospital Clinic Channel Agency News Centre
    Center Committee Commission Parliament Government Republic Federation Army Service
    Marathon Heavenly Hundred Heroes Solidarity Stop Killing North South East West Central
    National International State Supreme City Region District Organization Organisation
    Association Foundation Institute University School Church Mosque Police Security
    Mr Mrs Ms Dr Prof General Colonel Captain Sir Lord Lady Saint St Activists Occupiers
    Normally Usually Typically Generally Currently Recently Previously Finally Initially
    Originally Eventually Traditionally Historically Additionally Similarly Ironically
    Notably Consequently Subsequently Furthermore Nevertheless Instead Otherwise Thus Indeed
    """.split()
)
# Nouns that name a person by role: the head of a title phrase ("the Head of the Mejlis").
_PERSON_NOUNS = frozenset(
    """
    head leader chairman chairwoman chair deputy president minister lawyer attorney
    advocate correspondent reporter journalist spokesman spokeswoman spokesperson wife
    husband mother father son daughter brother sister director chief official activist
    editor prosecutor judge ombudsman ombudsperson mufti mayor governor ambassador envoy
    commissioner commissar secretary representative member founder coordinator expert analyst
    cousin nephew niece uncle aunt grandson granddaughter councillor councilor
    master harbourmaster harbormaster stationmaster postmaster headmaster
    mp mep
    """.split()
)
# "master" is a title only as a person noun: "the harbour master", "said harbour master X"
# (NU19-1). "a master plan", "a Master's degree" name no holder: a title phrase that speaks
# ends at its head or goes on with "of" (``_title_words`` strict), and a possessive is no head.
_TITLE_FILLER = frozenset({"the", "of", "a", "an", "and"})
# Words after which a name is someone else than the speaker the phrase describes.
_OBJECT_OF = frozenset({"of", "to", "for", "by", "with", "from"})
# Capitalised words written before a name that are a role, not a name ("Biographer Martin
# Brecht", "Environment Commissioner Stavros Dimas"); also any word ending in -ist.
_ROLES = _PERSON_NOUNS | frozenset(
    """
    professor biographer historian emperor empress king queen prince princess pope bishop
    archbishop cardinal senator congressman congresswoman governor general colonel captain
    sergeant author writer poet novelist philosopher commissioner chancellor premier sheikh
    imam rabbi father sister doctor dr mr mrs ms sir lord lady saint judge justice speaker
    """.split()
)


# Occupations and other person nouns written in lower case before a name ("said farmer Petro
# Ivanenko", "coach Serhiy Rebrov", "said passenger Olena Shevchuk"): a title there, but not in
# _ROLES, since capitalised they are also surnames (Farmer, Baker), and a name run must not be
# cut at them. Only nouns that name a person, never an organisation (not publisher,
# broadcaster, carrier, developer: "said publisher Penguin Random House"), and no sports
# positions ("Fellow lineman Mario Addison added 6 sacks" is no speech). Titles that are also
# surnames (Councillor, Alderman, Constable, Marshal) are here rather than in _ROLES for the same
# reason: "Councillor Petro Koval" is Petro Koval, "John Constable" stays whole (NU18-11).
_LOWER_CASE_ROLES = frozenset(
    """
    farmer coach teacher librarian student resident pensioner volunteer engineer architect
    manager owner driver nurse soldier officer priest player singer actor actress lawmaker
    researcher scientist economist designer curator organizer organiser executive producer
    adviser advisor aide consultant negotiator commander administrator inspector investigator
    diplomat politician entrepreneur businessman businesswoman
    passenger witness eyewitness neighbour neighbor villager worker protester protestor
    demonstrator voter customer shopkeeper vendor trader tourist visitor refugee survivor
    veteran photographer filmmaker blogger lecturer pupil graduate mechanic firefighter
    paramedic surgeon physician pilot fisherman miner electrician plumber accountant
    translator interpreter musician technician detainee prisoner inmate defendant plaintiff
    victim grandmother grandfather widow widower parent cousin uncle aunt friend colleague
    schoolteacher pastor monk nun cleric chaplain policeman policewoman guard warden
    midwife counsellor counselor caretaker cashier clerk employee staffer intern banker
    investor landlord tenant commuter pedestrian
    provost dean rector superintendent treasurer registrar chairperson
    rescuer lifeguard medic diver sailor fireman ranger headteacher headmaster headmistress
    councillor councilor councilman councilwoman alderman sheriff constable marshal
    defender campaigner observer
    dancer choreographer ballerina performer composer poet sculptor artist conductor
    """.split()
)


@lru_cache(maxsize=65536)
def _is_role(word: str) -> bool:
    # Cached: ``_people`` asks it of every capitalised word of an article, most of them many
    # times (a third of a quote's speaker cost at a million sentences before).
    lowered = word.lower()
    return lowered in _ROLES or (lowered.endswith("ist") and len(lowered) > 5)


def _is_any_role(word: str) -> bool:
    """A role ("lawyer", "ecologist") or an occupation written in lower case ("farmer")."""
    return _is_role(word) or word in _LOWER_CASE_ROLES


def _heads_title(words: Sequence[str], at: int, occupations: bool = True) -> bool:
    """Whether ``words[at]`` may be the head of a title phrase: an office ("mayor") anywhere,
    or, with ``occupations``, a role or occupation ("headteacher", "ecologist", "farmer")
    within its first three words and before any "of"/"to"/"for" ("an ecologist at the
    university", not "the Court of Justice"). "What did the headteacher say?" read no title
    when only offices counted (NU21-5). Not for a phrase that speaks (``_title_words``
    strict): "said the friend of Olena Shevchuk" and "said an aide to the Mayor and Governor
    Vitali Klitschko" name no one who holds an office."""
    word = words[at]
    if word in _PERSON_NOUNS:
        return True
    if not occupations or at > 2 or any(before in _OBJECT_OF for before in words[:at]):
        return False
    return _is_any_role(word)


def _is_name_word(word: str) -> bool:
    return bool(re.fullmatch(_NAME_TOKEN, word)) and word not in _NOT_NAME and not _is_role(word)


@dataclass
class _People:
    """The people an article names: full names, and the titles it gives each."""

    full_names: set[str] = field(default_factory=set)
    introduced: set[str] = field(default_factory=set)  # one-word names with an apposition
    surnames_used: set[str] = field(default_factory=set)  # full names whose last word stands alone
    # Full names the article describes as a person right after them ("Oksana Lungu, an
    # ecologist, ..."), whatever the description's noun: no title needed (NU19B-3).
    described: set[str] = field(default_factory=set)
    # Of those, the ones the sentence gives only an age ("Zera Asanova, 67, said"): it says
    # less of who they are than a title does (NU26-11).
    aged_only: set[str] = field(default_factory=set)
    # Full names followed by "who" ("Lenara Osmanova, who hosted ..."): people, though the
    # clause need not say who they are ("Ann Roe, who was arrested in May").
    said_who: set[str] = field(default_factory=set)
    # Each title as its content words and its heads: the person nouns it gives the holder
    # ("the mayor's cousin": none, "the wife of the mayor": wife).
    titles: dict[str, list[tuple[frozenset[str], frozenset[str]]]] = field(default_factory=dict)

    def canonical(self, name: str) -> str | None:
        """The name as the article gives it in full, or None when that is not certain."""
        if " " in name:
            longer = {full for full in self.full_names if full.endswith(" " + name)}
            return longer.pop() if len(longer) == 1 else name
        matches = {
            full for full in self.full_names if full.split()[-1] == name or full.split()[0] == name
        }
        if len(matches) == 1:
            return matches.pop()
        if not matches and name in self.introduced:
            return name
        return None

    def is_person(self, name: str) -> bool:
        """Whether the article gives the name a title or apposition, or uses its last word
        alone (as news does with surnames)."""
        return self.is_described(name) or name in self.introduced or name in self.surnames_used

    def is_described(self, name: str) -> bool:
        """Whether the article writes who or what the named person is right beside the name:
        a title, a description, an age, a "who" clause (not only its last word alone)."""
        return name in self.titles or name in self.described or name in self.said_who

    def holder_of(self, title_words: frozenset[str], head: str) -> str | None:
        """The one person the article gives a title with these words and this head, if
        exactly one. The head must be one the title gives its holder: "the mayor's cousin"
        and "the wife of the mayor" are not the mayor (NU18-3)."""
        holders = {
            name
            for name, titles in self.titles.items()
            if any(head in heads and title_words <= words for words, heads in titles)
        }
        return holders.pop() if len(holders) == 1 else None


def speakers(
    text: str, spans: Sequence[Span], language: str | None = None, upto: int | None = None
) -> list[str | None]:
    """The speaker of each sentence ``text[start:end]``, or None where the article does not
    say who spoke it.

    Args:
        text: The article body the spans index into.
        spans: The sentences, in order, as from ``split_sentences``.
        language: The article's front matter ``language``. The patterns are English ones;
            an article in another language gets None everywhere rather than a guess.
        upto: Attribute only sentences ``0..upto`` (the later ones are left None), for a
            searcher that quotes sentence ``upto``. Each of them gets the very speaker the
            whole article would give it: a sentence's attribution reads the people of the
            whole text, its own paragraph and the sentences before it, and no later paragraph
            but the ones a quotation that runs on over paragraphs spans, up to the one that
            closes it and names its speaker.
    """
    if normalise_language(language) != "en":
        return [None] * len(spans)
    last = len(spans) - 1 if upto is None else min(upto, len(spans) - 1)
    people = _people(text)
    sentences = [text[start:end] for start, end in spans]
    result: list[str | None] = [None] * len(spans)
    in_quotation = [False] * len(spans)
    paragraphs = _paragraphs(text, spans)
    starts = frozenset(paragraph[0] for paragraph in paragraphs)
    for paragraph in _run_on_quotations(text, spans, sentences, paragraphs):
        if paragraph[0] > last:
            break
        _attribute_quotations(sentences, paragraph, people, result, in_quotation, starts)
    for n, sentence in enumerate(sentences):
        if n > last:
            break
        if in_quotation[n]:
            continue
        phrase = _reported_speaker(sentence)
        if phrase is not None:
            result[n] = _resolve(phrase, people, sentences, result, n, starts)
    for paragraph in paragraphs:
        if paragraph[0] > last:
            break
        if _INTRODUCED.search(text, spans[paragraph[0]][0], spans[paragraph[-1]][1]):
            _continue_introduced_quotations(text, spans, paragraph, result, last)
    _attribute_answers(text, spans, result, last, people)
    return result


def _attribute_answers(
    text: str, spans: Sequence[Span], result: list[str | None], last: int, people: _People
) -> None:
    """Give each sentence of an interview's answers that has no speaker yet the
    interviewee (``interviewee``). A sentence the article attributes otherwise keeps its
    speaker: an answer that quotes someone else ("Our safety representative, Tomas Bell,
    said ...") is that person's account."""
    layout = interview_layout(text)
    if layout is None:
        return
    person = _interviewee(text, layout, people)
    if person is None:
        return
    for n, (start, _) in enumerate(spans[: last + 1]):
        if (
            result[n] is None
            and layout.answers_at(start)
            and not _IN_EDITORS_NOTE.search(text, start, spans[n][1])
        ):
            result[n] = person


# "The interview has been edited for length." after the last answer is the editor's.
_IN_EDITORS_NOTE = re.compile(r"\binterview\b", re.IGNORECASE)


@lru_cache(maxsize=1024)  # asked for each quote of an article: the same text each time
def interviewee(text: str) -> str | None:
    """The person whose answers an interview article prints, when it is certain."""
    layout = interview_layout(text)
    return None if layout is None else _interviewee(text, layout, _people(text))


def _interviewee(text: str, layout: Layout, people: _People) -> str | None:
    """The one person the interview's introduction names, when it says that someone was
    interviewed ("The Weekly spoke to her on Thursday"): a full name the article gives a
    title, an age or a description ("Helen Carrick, 58, has been mayor ..."), or else the
    full name that opens the introduction when it speaks of the person as "her" or "him"
    ("Sarah Kimber leads the union. We asked her ..."). A name the article titles as a
    reporter or the like asks, never answers. Two other people there (someone the interviewee
    lost, a second guest): no one, never a guess."""
    introduction = text[: layout.introduction_end]
    if not says_interviewed(introduction):
        return None
    named = {
        canonical
        for match in _NAME_RUN.finditer(introduction)
        if (run := _strip_not_names(match.group())) is not None
        and " " in run
        and (canonical := people.canonical(run)) is not None
    }
    # The interviewer is no candidate: "Our arts correspondent, Leon Hartley, spoke to her"
    # had every answer cited to the reporter (NU25B-1).
    reporters = {name for name in named if _reports_news(people, name)}
    persons = {name for name in named - reporters if people.is_person(name)}
    if len(persons) == 1:
        return persons.pop()
    if not _REFERS_BACK.search(introduction):
        return None
    opening = _NAME_RUN.match(introduction.lstrip())
    if opening is None:
        return None
    run = _strip_not_names(opening.group())
    if run is None or " " not in run or run != opening.group() or run in reporters:
        return None
    # The others only as the opener's kin: "Elmaz Dzhemalova, 35, is the daughter of Ismail
    # Dzhemalov, a political prisoner ... QHA spoke to her" (NU30-6: no answer had a speaker).
    others = persons - {people.canonical(run)}
    if any(not _introduced_as_kin(introduction, other) for other in others):
        return None
    # "His son, Arsen Kadyrov, 17, plays in the club's youth team. QHA spoke to the coach"
    # (NU32B-1: no answer had a speaker). The kin so introduced may be the one interviewed:
    # "Her son, Arsen Ablaev, 16, ... QHA spoke to Arsen after the court hearing." is his
    # interview (NU33B-1: every answer was cited to his mother); "QHA spoke to him" after
    # "Her son" may be too: no one.
    opener = set(run.split())
    for other in others:
        whose = _kin_by_possessive(introduction, other)
        if whose is None:
            continue
        own = set(other.split()) - opener  # "Arsen": not the surname they share
        for sentence in interview_sentences(introduction):
            words = set(_WORDS.findall(sentence))
            if own & words and not (opener - set(other.split())) & words and len(others) == 1:
                return other
            if own & words or _OTHER_GENDER[whose].search(sentence):
                return None
    return run


def _introduced_as_kin(introduction: str, name: str) -> bool:
    at = introduction.find(name)
    return at >= 0 and (
        _KIN_OF.search(introduction[:at]) is not None
        or _kin_by_possessive(introduction, name) is not None
    )


def _kin_by_possessive(introduction: str, name: str) -> str | None:
    """The possessive ("his" or "her") where ``name`` is introduced as "His son, <name>" or
    "her daughter <name>", else None."""
    at = introduction.find(name)
    found = _KIN_BY_POSSESSIVE.search(introduction[:at]) if at >= 0 else None
    return None if found is None else found.group("whose").lower()


# What introduces someone as the interviewee's relative, right before their name.
_KIN = (
    "daughter|son|wife|husband|mother|father|sister|brother|child|grandson|granddaughter"
    "|grandfather|grandmother"
)
_RELATIVES = _KIN + "|niece|nephew|uncle|aunt|cousin"
_KIN_OF = re.compile(
    rf"\b(?:(?:widow|widower|{_RELATIVES})\s+of"
    rf"|whose\s+(?:[a-z]+\s+)?(?:{_KIN}))(?:\s+the\s+[a-z\s-]+?)?\s*,?\s*$"
)


_KIN_BY_POSSESSIVE = re.compile(
    rf"\b(?P<whose>his|her)\s+(?:{_RELATIVES})\s*,?\s*$", re.IGNORECASE
)
_WORDS = re.compile(r"[^\W\d_]+")
# The pronouns of someone other than the one "his" or "her" speaks of.
_OTHER_GENDER = {
    "his": re.compile(r"\b(?:her|she)\b", re.IGNORECASE),
    "her": re.compile(r"\b(?:him|he|his)\b", re.IGNORECASE),
}


# Whoever an article titles so is the one asking in an interview, never the one answering.
_NEWS_ROLES = frozenset(
    "reporter correspondent journalist editor interviewer columnist writer presenter host".split()
)


def _reports_news(people: _People, name: str) -> bool:
    return any(heads & _NEWS_ROLES for _, heads in people.titles.get(name, ()))


_SPEECH_WORD = re.compile(
    rf"\b(?:{_VERB}|according to|saying|stating|telling|claiming|adding)\b", re.IGNORECASE
)


def reports_speech(sentence: str) -> bool:
    """Whether a sentence reports someone's words: a verb of saying ("said", "stated", "stating",
    "commented", "wrote", "told") or "according to"."""
    return _SPEECH_WORD.search(sentence) is not None


# What ends the words that may name a verb's speaker: "questioned by investigator Pavel
# Sorokin, relatives said" names the relatives, not Sorokin.
_SPEAKERS_CLAUSE_END = re.compile(r"[,;:.!?()\"“”„«»]")
_APPOSED_END = re.compile(r"[;:.!?()\"“”„«»]")
_SPEAKING_PRONOUNS = frozenset({"he", "she", "they", "i", "we"})
# The pronouns that may stand for one person in someone else's words: in the mother's '"They
# told me that my son does not want to see me," she said.' neither "they" nor "I" is the
# ombudsman whose reaction was asked for (NU30-2).
ONE_OTHER = frozenset({"he", "she"})
_SPEAKER_WORDS_READ = 6  # of the clause before the verb: "In a statement, Sorokin later said"
_NOT_NAME_WORDS = frozenset({"the", "a", "an", "of", "and", "mr", "mrs", "ms", "dr"})
_PARTICIPLES = frozenset({"saying", "stating", "telling", "claiming", "adding"})


def _name_words(name: str) -> set[str]:
    """The words of an asked name or title that may name its person in a sentence."""
    return {word.casefold() for word in _WORD.findall(name)} - _NOT_NAME_WORDS


def reports_speech_of(
    sentence: str, name: str, pronouns: frozenset[str] = _SPEAKING_PRONOUNS
) -> bool:
    """Whether a sentence reports words that may be ``name``'s: a verb of saying whose
    speaker, as the clause before it writes it (or the words after it: '"...," said Pavel
    Sorokin', "according to Sorokin"), holds a word of the name or is a pronoun ('he said:
    "The soldiers ..."', Putin's words in Dzhemilev's account). Not "X was questioned by
    Sorokin, relatives said" (NU27-2) nor "Asanov said that his client Mustafayev ..."
    (NU27-1): there the words are someone else's about the person. ``pronouns``: those that
    may stand for the one asked about."""
    wanted = _name_words(name)
    for match in _SPEECH_WORD.finditer(sentence):
        clauses = _SPEAKERS_CLAUSE_END.split(sentence[: match.start()])
        before = _WORD.findall(clauses[-1])[-_SPEAKER_WORDS_READ:]
        after = _WORD.findall(_SPEAKERS_CLAUSE_END.split(sentence[match.end() :])[0])[:4]
        verb = match.group().casefold()
        if verb == "according to":
            speaker = after
        elif verb in _PARTICIPLES:
            # "Joseph Haas was arrested for sending an email to the councilors stating, ...":
            # the words are the email's, the writer the clause's subject.
            speaker = _WORD.findall(_APPOSED_END.split(sentence[: match.start()])[-1])
            if {word.casefold() for word in speaker} & (wanted | pronouns):
                return True
            continue
        elif not before:
            # '"...," said Pavel Sorokin', and 'Sorokin, the investigator, said' back over
            # commas, never into a quotation ('"Sorokin lied," said Roe').
            apposed = _APPOSED_END.split(sentence[: match.start()])[-1]
            speaker = after + _WORD.findall(apposed)[-8:]
        else:
            speaker = before
        words = {word.casefold() for word in speaker}
        if words & wanted or (before and before[-1].casefold() in pronouns):
            return True
    return False


# What a person's name as the subject of a verb is followed by: "Aksyonov rejected",
# "Aksyonov has not responded", "Aksyonov, the head of Crimea, dismissed", "Aksyonov's office
# did not reply"; not "a petition to Sergei Aksyonov, asking him to move the route", nor "his
# client Server Mustafayev had been held".
_ACTS_AFTER = re.compile(
    r"(?:(?:'s|’s)(?:\s+[a-z]+){1,2})?\s*(?:,[^,;:.!?\"“”]{1,80},\s*|,\s*)?"
    # "Police in Crimea did not reply" (NU30B-1): a place after the name
    r"(?:(?:in|of)\s+(?:the\s+)?[A-Z][\w-]*(?:\s+[A-Z][\w-]*)*\s+)?"
    r"(?:(?:has|have|had|did|does|do|would|will|could|can|may|might|should)\s+"
    r"(?:(?:not|never|also|yet|since|already|now|then)\s+)*(?!been\b)[A-Za-z]+"
    # "was preparing", not "was sentenced" (NU30B-4: done to him, no reaction of his)
    r"|(?:was|were|is|are)\s+(?:(?:not|never|also)\s+)*[A-Za-z]+ing"
    r"|(?:not|never|also|then|later|quickly|publicly)\s+[A-Za-z]+(?:ed|s)"
    r"|[A-Za-z]+ed(?!\s+by\b)|(?!(?:is|was|has|as|does)\b)[a-z]+s"
    r"|said|told|met|wrote|gave|took|made|spoke|sent|kept|left|paid|did)\b"
)


def acts_in(sentence: str, name: str) -> bool:
    """Whether the sentence makes a word of ``name`` the subject of a verb: what a reaction
    question asks for ("How did Sergei Aksyonov respond to the petition?" is not answered by
    "The residents have collected signatures under a petition to ... Sergei Aksyonov, asking
    him to move the route.", NU29-1)."""
    wanted = _name_words(name)
    for match in _WORD.finditer(sentence):
        if match.group().casefold() in wanted:
            after = sentence[match.end() :]
            following = _WORD.match(after.lstrip())
            if following and following.group().casefold() in wanted:
                continue  # "Sergei Aksyonov": read from the last word of the name
            if _ACTS_AFTER.match(after) and not _AN_OBJECT.search(sentence[: match.start()]):
                return True
    return False


# A name after these is no subject: "A petition to the Ministry of Culture asked ...".
_AN_OBJECT = re.compile(
    r"\b(?i:to|for|with|from|by|against|about|towards?)\s+(?:the\s+)?(?:[A-Z][\w'’-]*\s+)*$"
)


def answers_as_interviewee(text: str, start: int, speaker: str) -> bool:
    """Whether the sentence at ``start`` is the interviewee's answer: their own words,
    though an interview prints them without quotation marks."""
    layout = interview_layout(text)
    return layout is not None and layout.answers_at(start) and interviewee(text) == speaker


# What speaks of the person who opens an interview's introduction again: a pronoun, or "his"
# ("His son, Arsen Kadyrov, 17, ...", NU32B-1).
_REFERS_BACK = re.compile(r"\b(?:her|him|he|she|his)\b", re.IGNORECASE)


def _continue_introduced_quotations(
    text: str, spans: Sequence[Span], paragraph: list[int], result: list[str | None], last: int
) -> None:
    """Give the sentences inside a quotation that a speaker's sentence opens after a colon
    ('Priya Raman, a nurse, said: "I finish at three. There is no other bus."') that
    speaker: the second sentence of her words got none (NU23B-4). Only a colon introduces:
    'He called the plan "a disaster. A shame."' does not make the words after it his."""
    closing: str | None = None  # the mark that closes the open quotation, if one is open
    speaker: str | None = None  # who opened it after a colon, if anyone known
    for n in paragraph:
        if n > last:
            return
        start, end = spans[n]
        if closing is not None and speaker is not None and result[n] is None:
            result[n] = speaker
        for at in range(start, end):
            char = text[at]
            if closing is not None and char == closing:
                closing = speaker = None
            elif closing is None and char in _OPEN_MARKS:
                closing = _OPEN_MARKS[char]
                introduced = text[start:at].rstrip().endswith(":")
                speaker = result[n] if introduced else None


_QUOTED_SHARE = 0.5  # at least this much of a sentence in quotation marks: the speaker's words


def in_own_words(text: str, start: int, end: int) -> bool:
    """Whether the sentence ``text[start:end]`` opens in quotation marks or is mostly in
    them: the speaker's own words, not the article's account of them.

    "Refat Chubarov also expressed his indignation at some Ukrainian MPs, ..." is the
    journalist's sentence about what he said: cited as "— Refat Chubarov" it reads as his
    words, in which he speaks of himself in the third person (NU21-1). A sentence that opens
    inside a quotation or with one ('"A. B. C," he said.': each of them), or whose quoted
    part is at least half of it ('He said: "We will not leave."'), is in the speaker's
    words; 'He called the MPs "traitors".' is not. The marks are read from the start of the
    sentence's paragraph, so a sentence that a quotation opened before it is inside it.
    """
    paragraph = max((m.end() for m in _BLANK_LINE.finditer(text, 0, start)), default=0)
    sentence = text[start:end]
    first = start + len(sentence) - len(sentence.lstrip())  # its first visible character
    closing: str | None = None  # the mark that closes the open quotation, if one is open
    quoted = 0
    for at in range(paragraph, end):
        char = text[at]
        opening = char in _OPEN_MARKS
        if at == first and (closing is not None or opening):
            return True  # inside a quotation, or opening one: '"...," said X.'
        if closing is not None and char == closing:
            closing = None
        elif closing is None and opening:
            closing = _OPEN_MARKS[char]
        elif at >= start and closing is not None and not char.isspace():
            quoted += 1
    visible = sum(1 for char in sentence if not char.isspace() and char not in _MARKS)
    return visible > 0 and (quoted >= _QUOTED_SHARE * visible or _ends_introduced(sentence))


def _ends_introduced(sentence: str) -> bool:
    """Whether the sentence ends in a quotation that a colon introduces ('Crimean Tatar lawyer
    Edem Seitablayev: "The court did not even read the post.'): the rest of it is the
    speaker's words however long the introduction (NU29B-3: cited as reported speech, and the
    quotation's next sentence quoted apart)."""
    introduced = _INTRODUCED.search(sentence)
    if introduced is None:
        return False
    closing = _OPEN_MARKS[sentence[introduced.end() - 1]]
    closed = sentence.find(closing, introduced.end())
    return closed < 0 or not sentence[closed + 1 :].strip(" .,!?…")


def title_head(phrase: str) -> str | None:
    """The office a title phrase names ("mayor" for "the mayor", "deputy mayor" for "the
    deputy mayor"), or None when it names no person ("the banner")."""
    asked = _asked_title(phrase)
    return None if asked is None else asked[1]


def _asked_title(phrase: str) -> tuple[frozenset[str], str] | None:
    """A title phrase's content words and the office it names, read once for both."""
    words = _title_words(phrase)
    if words is None:
        return None
    tokens = _title_tokens(phrase)
    at = tokens.index(words[1]) if words[1] in tokens else 0
    return words[0], _office(tokens, at, words[1])


def _title_tokens(phrase: str) -> list[str]:
    """A phrase's words as a title's are compared: lower case, without a possessive."""
    return [_POSSESSIVE.sub("", token).lower() for token in _TITLE_TOKEN.findall(phrase)]


@lru_cache(maxsize=4096)  # asked of the same articles for each candidate of a question
def offices_of(text: str, person: str, language: str | None = None) -> frozenset[str]:
    """The offices an article gives a person ("deputy mayor", "spokesman"); none known: empty."""
    if normalise_language(language) != "en":
        return frozenset()
    return frozenset(head for _, heads in _people(text).titles.get(person, ()) for head in heads)


@lru_cache(maxsize=1024)  # asked of the same article for each question naming the person
def treats_as_person(text: str, name: str, language: str | None = None) -> bool:
    """Whether an article writes ``name`` as a person's: with a title, a description, an
    age or its surname alone (``_People.is_person``); not "Doctor Who" or "Judicial Council"."""
    if normalise_language(language) != "en":
        return False
    people = _people(text)
    canonical = people.canonical(name)
    return canonical is not None and people.is_person(canonical)


def describes_someone(text: str, language: str | None = None) -> bool:
    """Whether a sentence says who any person it names in full is. The names are the
    attributions' own runs, so a title written before the name ("the leader of the Crimean
    Tatar people Mustafa Dzhemilev") is not read as part of a longer capitalised run."""
    if normalise_language(language) != "en":
        return False
    people = _people(text)  # read once for all its names
    return any(_describes(text, people, name, by_age=False) for name in people.full_names)


@lru_cache(maxsize=4096)  # asked of the same sentences for each "Who is X?" of a session
def describes(text: str, name: str, language: str | None = None, by_age: bool = True) -> bool:
    """Whether a sentence says who the person ``name`` is: gives them a title ("the Head of
    the Crimean Tatar Mejlis, Refat Chubarov", "Nikolai Polozov, the defendant's lawyer") or
    describes them right after their name ("Daniel Hughes, 34, a bus driver", "Martin
    Greaves, chief executive of Northvale Water"). The same reading of titles as the
    attributions make, so a sentence that only names them ("Refat Chubarov also expressed
    his indignation ...") or someone else by them ("Zare, the wife of Ilmi Umerov's
    brother", for Ilmi Umerov) says nothing of who they are. Without ``by_age`` an age alone
    ("Zera Asanova, 67, said") does not describe them."""
    if normalise_language(language) != "en":
        return False
    return _describes(text, _people(text), name, by_age)


def _describes(text: str, people: _People, name: str, by_age: bool) -> bool:
    """``describes`` for an English sentence whose people are read (``_people(text)``)."""
    full = people.canonical(name)
    if full is None:
        return False
    if full in people.titles or full in people.introduced:
        return True
    if full in people.described and (by_age or full not in people.aged_only):
        return True
    before = re.search(rf"(?:^|[,;:(])\s*([^,;:()]{{1,80}}),\s+{re.escape(full)}(?![\w'’-])", text)
    # '"...," said the head of the group, Ann Roe.' gives her a title too (NU26-1): the
    # quotation's end and the verb are not part of it.
    title = _SAID_BEFORE_TITLE.sub("", before[1]) if before is not None else ""
    if title and _apposed_name(title, full) == full:
        return True  # "The head of the regional fire service, Pavel Sedlak, said" (NU24B-2)
    surname = full.split()[-1]
    if re.search(rf"(?<![\w'’-])(?:{re.escape(full)}|{re.escape(surname)}),\s+{_WHO_HOLDS}", text):
        return True  # "Roe, who heads the group, told QHA"
    after = re.search(rf"(?<![\w'’-]){re.escape(full)},\s+(?:{_AGE},\s+)?([^,.;:]{{1,80}})", text)
    return after is not None and any(_is_any_role(w) for w in _WORD.findall(after[1])[:4])


# What ends a quotation and reports it before a title: '", said ' in '"...," said the head'.
_SAID_BEFORE_TITLE = re.compile(rf"^\s*[{_CLOSING}]?\s*(?:{_VERB})\s+", re.IGNORECASE)
# A relative clause that says what someone does: "Roe, who heads the group,".
_WHO_HOLDS = (
    r"who\s+(?:heads|headed|leads|led|runs|ran|chairs|chaired|directs|directed|founded|manages"
    r"|managed|represents|represented|coordinates|co-founded"
    r"|(?:is|was|has\s+been|had\s+been)\s+(?:a|an|the)\s)\b"
)


@lru_cache(maxsize=4096)
def names_in_anothers_title(text: str, name: str, language: str | None = None) -> bool:
    """Whether a sentence gives someone else a title that names ``name`` ("Zare, the wife
    of Ilmi Umerov's brother", for Ilmi Umerov): it says who that other person is, not who
    ``name`` is."""
    if normalise_language(language) != "en":
        return False
    people = _people(text)
    full = people.canonical(name)
    asked = set(_title_tokens(name))  # the words as a title's are read
    return any(
        asked <= words
        for person, titles in people.titles.items()
        if person != full
        for words, _ in titles
    )


@lru_cache(maxsize=4096)  # a searcher asks it of the same articles for the same titles
def title_holder(text: str, title: str, language: str | None = None) -> str | None:
    """The one person an article gives ``title`` ("the Head of the Mejlis", "the lawyer"),
    as the article names them in full; None when nobody or several hold it there.

    For questions that name a speaker by title ("What did the Mejlis head say?"): the same
    reading of titles as the attributions make.
    """
    if normalise_language(language) != "en":
        return None
    asked = _asked_title(title)
    if asked is None:
        return None
    people = _people(text)
    holder = people.holder_of(*asked)
    qualifiers = _qualifiers(asked) if names_a_place(title) else frozenset()
    if holder is not None or not qualifiers or not qualifiers <= _words_of(text):
        return holder
    # "the mayor of Brodivka" in an article about Brodivka that writes "Mayor Olha Kravets":
    # the one holder of the office whose title names no other place or body (NU22-6).
    unqualified = {
        name
        for name, titles in people.titles.items()
        if any(
            asked[1] in heads and not _proper_qualifiers(text, words, heads)
            for words, heads in titles
        )
    }
    return unqualified.pop() if len(unqualified) == 1 else None


@lru_cache(maxsize=4096)  # asked of the same articles for each candidate of a question
def qualified_otherwise(text: str, person: str, title: str, language: str | None = None) -> bool:
    """Whether the article gives ``person`` the office of ``title`` only "of" somewhere else:
    "The mayor of Lysets, Petro Savchenko" is not "the mayor of Brodivka" (NU22-6), though an
    article about Lysets names no mayor of Brodivka."""
    if normalise_language(language) != "en":
        return False
    asked = _asked_title(title)
    qualifiers = frozenset() if asked is None else _qualifiers(asked)
    if asked is None or not qualifiers:
        return False
    held = [
        (words, heads)
        for words, heads in _people(text).titles.get(person, ())
        if asked[1] in heads
    ]
    return bool(held) and all(
        _proper_qualifiers(text, words, heads) and not qualifiers <= words for words, heads in held
    )


# "the mayor of Brodivka", "the police chief in Lysets": a title of a place or a body. Not
# "Umerov's lawyer": whose lawyer is the article's to say ("the defendant's lawyer"), and a
# holder found by the office alone would be answered by the speaker's words only.
_PLACE_OF = re.compile(r"\b(?:of|in|for|from|at)\s+(?:the\s+)?[A-Z]")


def names_a_place(title: str) -> bool:
    """Whether an asked title is "of" a place or a body ("the mayor of Brodivka"): its holder
    may be found by the office alone, in an article that names the place."""
    return bool(_PLACE_OF.search(title))


_POSSESSIVE_PRONOUNS = frozenset({"his", "her", "their", "its", "our", "my", "your"})


def _qualifiers(asked: tuple[frozenset[str], str]) -> frozenset[str]:
    """The words of an asked title beyond its office: "brodivka" in "the mayor of Brodivka"."""
    words, office = asked
    return words - frozenset(office.split()) - _TITLE_FILLER


def _proper_qualifiers(text: str, words: frozenset[str], heads: frozenset[str]) -> frozenset[str]:
    """The words of a title the article gives someone that name a place or a body: written
    capitalised and never in lower case ("Lysets" in "The mayor of Lysets"; not "company")."""
    office_words = {part for head in heads for part in head.split()}
    candidates = words - office_words - _TITLE_FILLER - _POSSESSIVE_PRONOUNS
    proper = _proper_nouns(text)
    return frozenset(word for word in candidates if word in proper)


@lru_cache(maxsize=256)
def _words_of(text: str) -> frozenset[str]:
    return frozenset(word.lower() for word in _WORD.findall(text))


_MID_SENTENCE_CAPITAL = re.compile(r"(?<=[a-z,;:])\s+([A-Z][a-z]+)\b")


@lru_cache(maxsize=256)
def _proper_nouns(text: str) -> frozenset[str]:
    """Lower-cased words the article capitalises inside a sentence and never writes in lower
    case: the names of places and bodies ("Lysets"), not a sentence's first word."""
    capitalised = {word.lower() for word in _MID_SENTENCE_CAPITAL.findall(text)}
    return frozenset(capitalised - {word for word in _WORD.findall(text) if word.islower()})


def _paragraphs(text: str, spans: Sequence[Span]) -> list[list[int]]:
    """Sentence numbers grouped by paragraph (a blank line separates paragraphs)."""
    groups: list[list[int]] = []
    previous_end = None
    for n, (start, end) in enumerate(spans):
        if previous_end is None or _BLANK_LINE.search(text[previous_end:start]):
            groups.append([])
        groups[-1].append(n)
        previous_end = end
    return groups


# The opening marks a quotation that runs on over paragraphs may use, each with its closing
# mark. Single quotes are left out: ’ and ' are also apostrophes.
_RUN_ON_CLOSERS = {'"': '"', "“": "”", "«": "»"}
# Quotation marks for telling the speaker's own words from the article's account of them:
# those of a run-on quotation, and the low „ that opens one closed by “. Single quotes are
# left out: ’ and ' are also apostrophes.
_OPEN_MARKS = {**_RUN_ON_CLOSERS, "„": "“"}
# A quotation opened after a colon ('said: "'): the only paragraphs read character by
# character for one (``_continue_introduced_quotations``), not every paragraph of the corpus.
_INTRODUCED = re.compile(r":\s*[" + re.escape("".join(_OPEN_MARKS)) + "]")
_MARKS = frozenset(_OPEN_MARKS) | frozenset(_OPEN_MARKS.values())


def _run_on_quotations(
    text: str, spans: Sequence[Span], sentences: list[str], paragraphs: list[list[int]]
) -> list[list[int]]:
    """``paragraphs`` with the paragraphs of each quotation that runs on over paragraphs
    joined into one, so that the quotation is one, attributed where it closes.

    News style lets a quotation run on: a paragraph opens a quotation mark and leaves it open,
    the next paragraph opens a fresh mark, and only the last one closes it and names the
    speaker (``"We followed every rule. We published the tender.`` / ``"Anyone who says
    otherwise should go to court," said the deputy mayor.``). Read paragraph by paragraph, the
    open paragraph named no speaker (NU18B-8). Joined, a pronoun in the attribution ("he
    said") is the person before the quotation, not one its open paragraph names.

    The marks are read here, not with ``bot/quote_marks.py``'s ``unbalanced_marks``: the
    engine never imports the front ends, and the question is a narrower one (is a paragraph
    wholly inside the quotation it opens, and where does the next one close it).
    """
    joined: list[list[int]] = []
    at = 0
    while at < len(paragraphs):
        end = _run_on_end(text, spans, sentences, paragraphs, at)
        joined.append([n for paragraph in paragraphs[at : end + 1] for n in paragraph])
        at = end + 1
    return joined


def _run_on_end(
    text: str,
    spans: Sequence[Span],
    sentences: list[str],
    paragraphs: list[list[int]],
    at: int,
) -> int:
    """The paragraph that closes the quotation paragraph ``at`` leaves open, or ``at`` itself.

    Only a certain run-on (a wrong speaker is worse than none): paragraph ``at`` and each
    paragraph up to the last opens with the same mark, never writes it again nor its closing
    mark (every sentence of it is inside the quotation) and has no attribution; each follows
    the one before with only a blank line between; and the last closes the mark it opens
    right at its first attribution (``"...," said X.``), so the attribution is the
    quotation's own. Otherwise (an open paragraph that narration follows, a mark closed
    before the attribution) nothing is joined.
    """
    mark = sentences[paragraphs[at][0]][:1]
    end = at
    while _left_open(text, spans, sentences, paragraphs[end], mark):
        if end + 1 == len(paragraphs):
            return at
        gap = text[spans[paragraphs[end][-1]][1] : spans[paragraphs[end + 1][0]][0]]
        if gap.strip() or not sentences[paragraphs[end + 1][0]].startswith(mark):
            return at
        end += 1
    if end == at or not _closed_by_attribution(text, spans, sentences, paragraphs[end], mark):
        return at
    return end


def _paragraph_text(text: str, spans: Sequence[Span], paragraph: list[int]) -> str:
    return text[spans[paragraph[0]][0] : spans[paragraph[-1]][1]]


def _left_open(
    text: str, spans: Sequence[Span], sentences: list[str], paragraph: list[int], mark: str
) -> bool:
    """Whether a paragraph is all inside a quotation that it opens and does not close."""
    if mark not in _RUN_ON_CLOSERS:
        return False
    rest = _paragraph_text(text, spans, paragraph)[1:]
    if mark in rest or _RUN_ON_CLOSERS[mark] in rest:
        return False
    return not any(_AFTER_QUOTE.search(sentences[n]) for n in paragraph)


def _closed_by_attribution(
    text: str, spans: Sequence[Span], sentences: list[str], paragraph: list[int], mark: str
) -> bool:
    """Whether the quotation a paragraph opens with ``mark`` closes at the paragraph's first
    attribution: no other quotation opens before it closes, and none closes between."""
    body = _paragraph_text(text, spans, paragraph)
    closer = _RUN_ON_CLOSERS[mark]
    marks = [n for n, char in enumerate(body) if n and char in (mark, closer)]
    if not marks:
        return False
    closes = marks[0]
    if mark == closer:
        # A straight mark has no direction: after a space and before a word it opens.
        if body[closes - 1].isspace() and not body[closes + 1 : closes + 2].isspace():
            return False
    elif body[closes] != closer:
        return False
    for n in paragraph:
        match = _AFTER_QUOTE.search(sentences[n])
        if match is not None:
            return spans[n][0] - spans[paragraph[0]][0] + match.start() + 1 == closes
    return False


def _attribute_quotations(
    sentences: list[str],
    paragraph: list[int],
    people: _People,
    result: list[str | None],
    in_quotation: list[bool],
    starts: frozenset[int],
) -> None:
    """Give each quotation of a paragraph (from an opening mark to its attribution) its
    speaker. A quotation after the last attribution keeps that speaker only when it is the
    paragraph's only speaker."""
    segment: list[int] = []
    speakers_here: list[str | None] = []
    for n in paragraph:
        sentence = sentences[n]
        if not segment and not sentence.startswith(tuple(_OPENING)):
            continue
        segment.append(n)
        match = _AFTER_QUOTE.search(sentence)
        if match is None:
            continue
        phrase = match.group("who_before")
        # "said the mayor, Anna Koval and Petro Koval": a list, not one speaker.
        listed = phrase is None and _LIST_AFTER.match(sentence, match.end("who_after"))
        if phrase is None:
            phrase = _OCCASION.sub("", match.group("who_after"))
            named = match.group("named_after")
            if named is not None:
                # '"...," said the mayor, Anna Koval.': the name given in the attribution
                # itself, whoever else the article gives the title (NU18-3, NU18-4).
                phrase = _apposed_name(phrase, named) or phrase
        speaker = (
            None if listed else _resolve(phrase, people, sentences, result, segment[0], starts)
        )
        apposed = match.group("apposed")
        if apposed is not None:
            # '"...," the chief librarian, Iryna Bondar, said': two phrases for one person;
            # kept only when they do not name two different people ("and X" is a list).
            # A full name written there wins over a title the article gives someone else.
            other = _resolve(apposed, people, sentences, result, segment[0], starts)
            named = _apposed_name(apposed, phrase) or _apposed_name(phrase, apposed)
            if phrase.lstrip().lower().startswith(("and ", "or ")):
                speaker = None
            elif _role_after_preposition(apposed.split()):
                speaker = None  # "the wife of the mayor, Anna Koval, said": whose name?
            elif speaker is None or other is None or speaker == other:
                speaker = speaker or other
            elif named is not None:
                speaker = people.canonical(named)
            else:
                speaker = None
        for member in segment:
            result[member] = speaker
            in_quotation[member] = True
        speakers_here.append(speaker)
        segment = []
    if segment and len(set(speakers_here)) == 1 and speakers_here[0] is not None:
        for member in segment:
            result[member] = speakers_here[0]
            in_quotation[member] = True
    elif segment:
        # Quoted, speaker unknown (never guessed): up to the last sentence with a closing
        # mark; what follows it is the article's own prose again.
        closing = [n for n in segment if any(c in sentences[n][1:] for c in _CLOSING)]
        for member in segment:
            if closing and member <= closing[-1]:
                in_quotation[member] = True


def within_quotations(sentence: str) -> str:
    """The sentence without its own attribution: what follows the quotation it closes
    ('"They told me ...," she said.', or the last sentence of a longer quotation, 'Nobody
    wanted to take the petition," she said.': that "she" is the speaker, not someone she
    speaks of, NU30B-1), and a short introduction before the quotation ('She said: "They told
    me ..."'). A longer clause before it is an account of someone's words ('During his speech
    he said: "The soldiers ..."', Dzhemilev's of Putin's) and stays. With no quotation
    marks, what its attribution to a pronoun reports: the "She" of "She said that the
    bailiffs had cut off the electricity", a sentence the articles attribute to Zarina
    Memetova, is her, not the man named before it whose reaction was asked for (NU31B-1)."""
    marks = list(_QUOTATION_MARK.finditer(sentence))
    if not marks:
        return _reported_words(sentence)
    end = len(sentence)
    if sentence[: marks[-1].start()].rstrip()[-1:] in (",", ".", "!", "?", "…"):
        end = marks[-1].start()  # the last mark closes a quotation: what follows names who
    start = 0
    if len(marks) > 1 and not _QUOTATION_MARK.match(sentence.lstrip()):
        head = sentence[: marks[0].start()]
        if len(_WORD.findall(head)) <= _INTRODUCTION_WORDS and head.rstrip()[-1:] in (":", ","):
            start = marks[0].end()
    return sentence[start:end]


_INTRODUCTION_WORDS = 4  # 'Fatma Abdullaeva told QHA: "..."'


def _reported_words(sentence: str) -> str:
    """A sentence without quotation marks less an attribution to a pronoun ("She said that
    ...", "..., she told QHA."), which stands for the speaker the sentence is attributed to.
    An attribution by name stays: the name tells whose words they are."""
    for pattern in (_SAID_AFTER, _SAID_AT_END):
        match = pattern.search(sentence)
        if match is not None:
            who = match["pronoun"] if pattern is _SAID_AFTER else match["who"]
            if who is not None and who.strip().casefold() in _PRONOUNS:
                return sentence[: match.start()]
    reported = _REPORTED.match(sentence)
    if reported is not None and reported["who"].strip().casefold() in _PRONOUNS:
        return sentence[reported.end() :]
    return sentence


def _after_quotations(sentence: str) -> str | None:
    """What follows the sentence's last quotation mark, when it opens with its own words and
    closes every quotation: where a trailing attribution names its speaker ("questioned
    about "an unauthorised gathering", his wife Lenara Ablyaeva told QHA.", NU28B-4; 'He
    called the charges "absurd ...", his lawyer Emil Kurbedinov told QHA.', the lawyer's
    account, had "He" for its speaker, read as the woman quoted before)."""
    marks = list(_QUOTATION_MARK.finditer(sentence))
    if not marks:
        return sentence
    if _QUOTATION_MARK.match(sentence.lstrip()) or len(marks) % 2:
        return None
    return sentence[marks[-1].end() :]


def _reported_speaker(sentence: str) -> str | None:
    """The phrase naming who speaks in reported speech ("X said that"), if any: a full name
    in apposition to a title ("The head teacher of School No. 5, Oleh Rudenko, said") rather
    than the title."""
    sentence = _NUMBER_ABBREVIATION.sub(r"\1 ", sentence)  # "No. 5" does not end the phrase
    # "Officers told the family that ..., said Dilara Emirova, the sister of Ruslan Emirov.":
    # the trailing "said X" reports the whole sentence, its own "told" included (NU27B-2).
    tail = _after_quotations(sentence)
    said = _SAID_AFTER.search(tail) if tail is not None else None
    if said is not None:
        if said["name"] is not None or said["pronoun"] is not None:
            return said["name"] or said["pronoun"]  # "..., she said.": her, as '"...," she said'
        named = _apposed_name(said["title"], said["apposition"])
        if named is not None:
            return named  # "..., said the head of the group, Ann Roe."
    ended = _SAID_AT_END.search(tail) if tail is not None else None
    if ended is not None:
        apposition = ended["apposition"]
        named = ended["who"] if apposition is None else _apposed_name(ended["who"], apposition)
        if named is not None:
            return named
    midway = _SAID_MIDWAY.search(tail) if tail is not None else None
    if midway is not None:
        return midway["who"]
    introduced = _COLON_INTRO.match(sentence)
    if introduced is not None:
        return introduced["who"]
    titled = _TITLED_COLON_INTRO.match(sentence)
    if titled is not None and all(
        word[:1].isupper() or word in _TITLE_MODIFIERS or _is_any_role(word)
        for word in titled["title"].split()
    ):
        return titled["who"]
    apposed = _APPOSED_COLON_INTRO.match(sentence)
    if apposed is not None:
        named = _apposed_name(apposed["title"], apposed["who"])
        if named is not None:
            return named
    for pattern in (_ACCORDING, _REPORTED):
        match = pattern.match(sentence)
        if match is not None:
            apposition = match.groupdict().get("apposition")
            if apposition is not None:
                named = _apposed_name(match.group("who"), apposition.strip())
                if named is not None:
                    return named
            return match.group("who")
    after = _ACCORDING_AFTER.search(sentence)
    if after is not None:
        return after.group("who")
    who = _WHO_SAID.search(sentence)
    return who.group("who") if who is not None else None


def _apposed_name(title: str, name: str) -> str | None:
    """The full name (two or more name words) written beside a title phrase with only a
    comma between ("the mayor, Anna Koval", "a parent, Svitlana Moroz"), when it is certainly
    the title's holder; else None.

    The title must be a person's ("the"/"a"/"an" and a role) naming nobody itself. After
    of/for/to, a role makes the name ambiguous ("the wife of the chief executive, Ivan
    Petrenko": Ivan may be the chief executive), and so does a clause ("the lawyer
    representing the chief executive, X"); a name or an organisation there does not ("the
    lawyer of Ilmi Umerov, Nikolai Polozov", "The head teacher of School No. 5, Oleh Rudenko").
    """
    title = _OCCASION.sub("", title.strip())
    # "Its spokesman, Colonel Viktor Lazarev, told Interfax" (NU28-5): a possessive
    # determines the title as "the" does.
    determined = _DETERMINER.match(title) or _OWNER.match(title) or _THEIR.match(title)
    if determined is None or not _is_title(title[determined.end() :]):
        return None
    words = _NUMBER_ABBREVIATION.sub(r"\1", title).split()
    stripped = _strip_not_names(name) if _NAME_RUN.fullmatch(name) else None
    if stripped is None or " " not in stripped:
        return None
    prepositions = [n for n, word in enumerate(words) if word.lower() in _OBJECT_OF]
    if _clause_after_role(words[1 : prepositions[0] if prepositions else len(words)]):
        return None  # "the lawyer representing ...", "a farmer near ..."
    if not _names_someone_else(words) and _trailing_name(title) is not None:
        return None  # the title names its own holder: two names, not one person
    return None if _role_after_preposition(words) else stripped


def _role_after_preposition(words: Sequence[str]) -> bool:
    """Whether a title names another person by role after of/for/to ("the wife of the chief
    executive"), so that a name beside it may be either's; not when a name ends it ("the
    lawyer of Ilmi Umerov"): a name takes no name in apposition."""
    if not _names_someone_else(words):
        return False
    last = max(n for n, word in enumerate(words) if word.lower().strip(",") in _OBJECT_OF)
    after = [_POSSESSIVE.sub("", word) for word in words[last + 1 :]]
    return not _is_name_word(after[-1] if after else "") and any(
        _is_role(word) or word.lower() in _LOWER_CASE_ROLES for word in after
    )


def _resolve(
    phrase: str,
    people: _People,
    sentences: list[str],
    known: list[str | None],
    first: int,
    starts: frozenset[int],
) -> str | None:
    """The person a speaker phrase names, or None; ``first`` is the sentence it speaks in
    (a pronoun looks at the one before); ``starts``, the sentences that begin a paragraph."""
    phrase = phrase.strip()
    if phrase.lower() in _PRONOUNS:
        person = _antecedent(people, sentences, known, first, phrase.lower(), starts)
        if person is not None and _described_as_other_sex(person, phrase.lower(), sentences):
            return None  # "He called ..." after "his wife Lenara Ablyaeva told QHA."
        return person
    if " and " in phrase or phrase.lower() == "they":
        return None
    name = _trailing_name(phrase)
    if name is not None:
        return people.canonical(name)
    return _title_holder(phrase, people)


def _trailing_name(phrase: str) -> str | None:
    """The person's name that ends a phrase ("People's Deputy of Ukraine Mustafa Dzhemilev")."""
    words = phrase.split()
    name: list[str] = []
    for word in reversed(words):
        if _is_name_word(word):
            name.insert(0, word)
        else:
            break
    if not name:
        return None
    cased_role = _leads_with_cased_role(name)
    if cased_role:
        name = name[1:]  # "Passenger Olena Shevchuk said": the role, then the name
    before = words[: len(words) - len(name)]
    if before and before[-1].lower() in {"the", "a", "an"}:
        return None  # "the Mejlis": an organisation, not a name
    if _names_someone_else(before):
        return None  # "the wife of Ivan Franko", "a spokesman for Mayor X": not the speaker
    if before and not cased_role and not _is_title(" ".join(before)):
        return None  # "Ilmi Umerov and hundreds of people": not a speaker phrase
    if before and not (before[-1][:1].isupper() or _is_any_role(before[-1])):
        return None  # "the lawyer representing X", "the actor playing X": X is not the title's
    if _clause_after_role(before):
        return None  # "the lawyer representing farmer X": X is the farmer, not the lawyer
    return " ".join(name)


def _clause_after_role(before: Sequence[str]) -> bool:
    """Whether a lower-case word that is neither a role nor "the"/"of"/"a" follows the first
    role of a title phrase ("the lawyer representing farmer", "the actor playing coach"): the
    name after it is the object of a clause, not the title's holder. Words before the first
    role describe it ("human rights activist", "the former chief executive")."""
    roles = [n for n, word in enumerate(before) if _is_any_role(word)]
    return bool(roles) and any(
        word[:1].islower() and word not in _TITLE_FILLER and not _is_any_role(word)
        for word in before[roles[0] + 1 :]
    )


def _leads_with_cased_role(name: Sequence[str]) -> bool:
    """Whether a capitalised run starts with a lower-case role written capitalised, as at the
    start of a sentence ("Passenger Olena Shevchuk", "Coach Rebrov"): the name is the rest, a
    surname alone resolving to the article's full name ("Serhiy Rebrov") or to None. Only the
    first word: "Frances Farmer" is a name (Farmer, Baker are surnames)."""
    return len(name) > 1 and name[0].lower() in _LOWER_CASE_ROLES


def _names_someone_else(before: Sequence[str]) -> bool:
    """Whether a name written after these words is the object of a preposition in another
    person's description ("the wife of", "a spokesman for Mayor", "the son of President",
    "an aide to the Mayor and Governor"), so the name is not who the phrase describes.

    Every of/to/for/by/with/from counts, whatever titles, capitalised words, "the" or
    possessives stand between it and the name, except the "of" inside a capitalised title
    that the name holds ("People's Deputy of Ukraine Mustafa Dzhemilev", "the Head of the
    Crimean Tatar Mejlis Refat Chubarov"): a capitalised role just before "of", and only
    capitalised words that are no role between "of" and the name (a role there, "the Deputy
    of Mayor X", is the name's own title, and the first role someone else's).
    """
    lowered = [word.lower().strip(",") for word in before]
    for at, word in enumerate(lowered):
        if word not in _OBJECT_OF:
            continue
        between = [_POSSESSIVE.sub("", w) for w in before[at + 1 :]]
        title_inside = (
            word == "of"
            and at > 0
            and before[at - 1][:1].isupper()
            and _is_role(before[at - 1])
            and not any(_is_role(w) for w in between)
            and all(w[:1].isupper() or w.lower() in _TITLE_FILLER for w in between)
        )
        if not title_inside:
            return True
    return False


def _is_title(phrase: str) -> bool:
    words = _WORD.findall(_DETERMINER.sub("", phrase))
    return bool(words) and any(_is_any_role(w) for w in words)


def _title_words(phrase: str, strict: bool = False) -> tuple[frozenset[str], str] | None:
    """The content words of a title phrase and its head noun (the first person noun).

    ``strict`` (for a phrase that speaks): the head comes within the first four words and
    only "of ..." follows it, so a clause ("the case was opened after the activist") is not
    taken for a title.
    """
    tokens = _TITLE_TOKEN.findall(_DETERMINER.sub("", phrase.strip()))
    words = [_POSSESSIVE.sub("", w).lower() for w in tokens]
    # A possessive is someone else's ("the mayor's cousin" is a cousin, NU18-3).
    at = next(
        (
            n
            for n, w in enumerate(words)
            if _heads_title(words, n, occupations=not strict) and not _POSSESSIVE.search(tokens[n])
        ),
        None,
    )
    if at is None:
        return None
    end = at + 1  # a compound title ends at its last role word: "chief executive"
    while end < len(words) and _is_any_role(words[end]):
        end += 1
    if strict and (at > 3 or (end < len(words) and words[end] != "of")):
        return None
    return frozenset(w for w in words if w not in _TITLE_FILLER), words[at]


def _title_heads(phrase: str) -> frozenset[str]:
    """The person nouns a title gives its holder: none that is a possessive ("the mayor's
    cousin") or the object of of/for/to ("the wife of the mayor", "the son-in-law of a
    powerful official"), looking back over "the", adjectives, roles and capitalised words;
    a verb or "is" starts a new phrase ("... in the state is the Governor of Victoria"), and
    so does a comma ("the leader of the people, People's Deputy of Ukraine")."""
    heads: set[str] = set()
    for part in phrase.split(","):
        tokens = _TITLE_TOKEN.findall(part)
        words = [_POSSESSIVE.sub("", token).lower() for token in tokens]
        for at, token in enumerate(tokens):
            own = not _POSSESSIVE.search(token) and not _object_of_preposition(tokens[:at])
            if own and _heads_title(words, at):
                heads.add(_office(tokens, at, words[at]))
    return frozenset(heads)


def _office(tokens: Sequence[str], at: int, head: str) -> str:
    """The head noun at ``at`` with the word before it when that makes it another office:
    "deputy mayor", "former mayor" (NU18B-2)."""
    before = tokens[at - 1].lower() if at > 0 else ""
    return f"{before} {head}" if before in _ANOTHER_OFFICE else head


# A word just before a title's noun that makes it another office: the deputy mayor is not
# the mayor, nor the former one (NU18B-2).
_ANOTHER_OFFICE = frozenset({"deputy", "vice", "assistant", "former", "ex", "ex-"})


# Words after which a noun starts a new phrase, not an object of the preposition before.
_NEW_PHRASE = frozenset(
    "is was are were be been became become becomes as and or who which that whom named "
    "appointed elected".split()
)


def _object_of_preposition(before: Sequence[str]) -> bool:
    """Whether a noun after these words is governed by an of/for/to/by/with/from before it
    (up to six words back, through "the", adjectives, roles and capitalised words)."""
    window = list(before[-6:])
    for at in range(len(window) - 1, -1, -1):
        word = _POSSESSIVE.sub("", window[at]).lower()
        if word in _NEW_PHRASE:
            return False
        if word in _OBJECT_OF:
            after = window[at + 1] if at + 1 < len(window) else ""
            # "to kill the Governor of Bosnia": an infinitive, its object a new phrase.
            infinitive = word == "to" and after[:1].islower() and not _is_determined(after)
            return not infinitive
    return False


def _is_determined(word: str) -> bool:
    """Whether a word may open the noun phrase after "to" ("the", "a", a role)."""
    return word.lower() in {"the", "a", "an"} or _is_any_role(word)


def _title_holder(phrase: str, people: _People) -> str | None:
    """The person holding a title, or the title itself when the article names nobody with it
    but writes it as a proper title ("the Head of the Crimean Tatar Mejlis"); None for a
    common noun ("the girl", "the prosecution")."""
    parsed = _title_words(phrase, strict=True)
    if parsed is None:
        return None
    holder = people.holder_of(*parsed)
    if holder is not None:
        return holder
    if not phrase.strip().lower().startswith("the "):
        return None  # "a correspondent", "All EU member": not one known person
    words = _DETERMINER.sub("", phrase.strip()).split()
    if len(words) > 1 and any(w[:1].isupper() for w in words[1:]) and len(words) <= 10:
        return " ".join(words)
    return None


# Words that say a person is a woman or a man, written before their name ("his wife Lenara
# Ablyaeva") or after it ("Ablyaeva, his wife,"): "he" is not her, "she" not him.
_SEX_WORDS = {
    "he": "wife|mother|sister|daughter|widow|grandmother|granddaughter|aunt|niece|mrs|ms",
    "she": "husband|father|brother|son|widower|grandfather|grandson|uncle|nephew|mr",
}


def _described_as_other_sex(person: str, pronoun: str, sentences: Sequence[str]) -> bool:
    """Whether the article describes ``person`` by a word for the other sex than
    ``pronoun``'s: a pronoun never refers to them then."""
    surname = re.escape(person.split()[-1])
    words = _SEX_WORDS[pronoun]
    described = re.compile(
        rf"\b(?i:{words})\.?\s+(?:[A-Z][\w'’-]*\s+){{0,2}}{surname}\b"
        rf"|\b{surname},\s+(?i:his|her|their|the|a)\s+(?:[\w'’-]+\s+){{0,2}}(?i:{words})\b"
    )
    return any(described.search(sentence) for sentence in sentences)


def _antecedent(
    people: _People,
    sentences: list[str],
    known: list[str | None],
    first: int,
    pronoun: str,
    starts: frozenset[int],
) -> str | None:
    """The person ``pronoun`` at sentence ``first`` refers to: the speaker of the sentence
    just before, or the only person that sentence names, unless it names them for the first
    time in a paragraph whose sentence before says the same pronoun: someone else is in view
    (``_pronoun_before``). Not across paragraphs: "... From this he surmised ..." then a new
    paragraph "... an experiment conducted by the British clergyman Joseph Priestley ..." and
    "He noted ...": Priestley."""
    if first == 0:
        return None
    previous = first - 1
    opener = _PHRASE_OPENER_AT_START.match(sentences[previous])
    if opener is not None and _named_people(opener.group(), people):
        # "Speaking to Ivan Bohun, Olha Kobylianska said ..." then "He said": two people
        # are in view, and which one "he" is depends on gender, which is not read.
        return None
    if known[previous] is not None:
        return known[previous]
    phrase = _reported_speaker(sentences[previous])
    if phrase is not None and phrase.strip().lower() not in _PRONOUNS:
        resolved = _resolve(phrase, people, sentences, known, previous, starts)
        if resolved is not None:
            return resolved
    named = {
        name
        for name in _named_people(sentences[previous], people)
        if name is None or people.is_described(name) or not _at_a_place(sentences[previous], name)
    }
    subject = _subject_title(sentences[previous])
    if subject is not None:
        # "The mayor defended the new ferry. "...," she said.": the subject's title, read as
        # '"...," the mayor said.' would be: its one holder in the article, or None (two
        # mayors, "the mayor's cousin", "the deputy mayor") (NU19-2). Only a holder the
        # article names, never the phrase itself ("The lawyer of Ivan Melnyk spoke." names
        # no one known); and anyone else the sentence names may be the one the pronoun means.
        holder = people.holder_of(*subject)
        return holder if holder is not None and named <= {holder} else None
    if len(named) != 1:
        return None
    (person,) = named
    # A capitalised pair of words may be a place ("Ancient Greece") or an organisation
    # ("Stare Selo voted ...", "Save Vylkove said ..."): only someone the article treats as a
    # person elsewhere (a title, an apposition, the surname alone) counts. A full name written
    # once as the subject before the quotation ("Olena Marchuk defended the ferry.", NU19-3)
    # was tried and dropped: word lists cannot tell a village or a school from a person
    # (NU19B-1), and a wrong speaker is worse than none.
    if person is None or not people.is_person(person):
        return None
    if previous not in starts and _pronoun_before(pronoun, person, sentences, previous):
        # the pronoun goes on meaning whom it meant in that sentence, if anyone the
        # articles say: "On 27 September she filed ..." after the mother's own quotation
        earlier = _antecedent(people, sentences, known, previous - 1, pronoun, starts)
        return None if earlier == person else earlier
    return person


def _pronoun_before(pronoun: str, person: str, sentences: list[str], named: int) -> bool:
    """Whether the sentence before ``named`` (the first to name ``person``) has ``pronoun``
    as a word: "On 27 September she filed a complaint ... The enlistment
    office is headed by military commissar Igor Zhuravlev, to whom the complaint was
    addressed." then '"Nobody has answered me," she said.': the "she" is the mother who
    complained, not the commissar (NU32-1)."""
    if named == 0:
        return False
    surname = re.compile(rf"\b{re.escape(person.split()[-1])}\b")
    if any(surname.search(sentence) for sentence in sentences[:named]):
        return False
    return re.search(rf"\b{pronoun}\b", sentences[named - 1], re.IGNORECASE) is not None


# Words that may follow a sentence's subject as its verb: a past tense in -ed (checked
# apart), an irregular past or an auxiliary. Not a present in -s: "The master plans call for
# ..." has no subject "The master".
_SUBJECT_VERBS = frozenset(
    """
    said told spoke gave took made went came met led ran won lost held kept left sent spent
    set put brought bought thought felt found stood sat saw wrote read began became fought
    drove rose fell broke chose got hit cut let paid sold shut struck swore threw withdrew
    was is has had will would could can did does may might must should also then later again
    """.split()
)


def _is_subject_verb(word: str) -> bool:
    return word in _SUBJECT_VERBS or (
        word.islower() and word.isalpha() and len(word) > 4 and word.endswith("ed")
    )


def _subject_title(sentence: str) -> tuple[frozenset[str], str] | None:
    """The content words and head of the title phrase a sentence opens with as its subject
    ("The mayor", "The harbour master", "The Head of the Mejlis") when a verb follows it, or
    None. Only "The ...": the sentence-initial definite subject that a pronoun in the next
    sentence leans on; a phrase that is no title ("The master plan") is None."""
    words = sentence.split()
    if len(words) < 3 or words[0] != "The":
        return None
    for end in range(2, min(len(words), 9)):
        phrase = words[:end]
        if any(
            not word.replace("'", "").replace("’", "").replace("-", "").isalpha()
            for word in phrase
        ):
            return None  # a comma, a quotation: not a plain subject
        if _is_subject_verb(words[end].rstrip(",.;:")):
            return _title_words(" ".join(phrase), strict=True)
    return None


# "on Radio Meydan", "in Stare Selo": where a name no title or description makes a person is
# a place or a body, which a pronoun does not mean, even where the article writes its last
# word alone ("the radio stations Meydan and Lider"). NU31-10: "Lenara Osmanova, who hosted
# the morning show on Radio Meydan, ... She said that ..." had no speaker.
_AT_A_PLACE = frozenset("on at in near".split())


def _at_a_place(sentence: str, name: str) -> bool:
    """Whether every time ``sentence`` writes ``name`` it follows "on", "at", "in" or "near"."""
    found = [sentence[: m.start()].split()[-1:] for m in re.finditer(re.escape(name), sentence)]
    return bool(found) and all(before and before[0] in _AT_A_PLACE for before in found)


def _named_people(sentence: str, people: _People) -> set[str | None]:
    """People a sentence names (not as a possessive: "Umerov's brother" is the brother)."""
    names: set[str | None] = set()
    for match in _NAME_RUN.finditer(_outside_quotes(sentence)):
        run = _strip_not_names(match.group())
        if run is None:
            continue
        after = sentence[match.end() : match.end() + 2]
        if after.startswith(("'s", "’s")):
            continue
        before = sentence[: match.start()].rstrip().lower()
        if before.endswith((" the", " a")) or before in {"the", "a"}:
            continue
        if _after_role_of(sentence[: match.start()]):
            continue  # "The lawyer of Ivan Melnyk spoke.": the lawyer, not Ivan Melnyk
        if " " in run or run in people.introduced or people.canonical(run):
            names.add(people.canonical(run))
    return names


def _after_role_of(before: str) -> bool:
    """Whether a name written after ``before`` is the object in a person's description ("the
    lawyer of", "the wife of farmer", "a spokesman for Mayor"): the phrase is that person,
    never the named one (NU18-1). Only "the"/"a", roles and possessives may stand between the
    preposition and the name, and a role must come just before the preposition."""
    words = _CLAUSE_END.split(before)[-1].split(",")[-1].split()
    while words and (
        words[-1].lower() in {"the", "a", "an"}
        or _is_role(_POSSESSIVE.sub("", words[-1]))
        or _POSSESSIVE.sub("", words[-1]).lower() in _LOWER_CASE_ROLES
        or _POSSESSIVE.search(words[-1])
    ):
        words.pop()
    if len(words) < 2 or words[-1].lower() not in _OBJECT_OF:
        return False
    role = _POSSESSIVE.sub("", words[-2]).lower()
    # "People's Deputy of Ukraine Mustafa Dzhemilev": a capitalised title the name holds.
    return _is_any_role(role) and _names_someone_else(words)


def _outside_quotes(sentence: str) -> str:
    """The sentence with quoted text blanked (same length), so quoted names do not count."""
    return re.sub(r"[“\"«„][^”\"»“]*[”\"»“]", lambda m: " " * len(m.group()), sentence)


def _strip_not_names(run: str) -> str | None:
    """A capitalised run without the non-name words at its ends; None if nothing is left."""
    words = run.split()
    roles = [n for n, word in enumerate(words) if _is_role(word)]
    if roles:
        words = words[roles[-1] + 1 :]  # "Environment Commissioner Stavros Dimas"
    if _leads_with_cased_role(words):
        words = words[1:]  # "Passenger Olena Shevchuk said that ..."
    while words and words[0] in _NOT_NAME:
        words.pop(0)
    while words and words[-1] in _NOT_NAME:
        words.pop()
    if not words or any(word in _NOT_NAME for word in words):
        return None
    return " ".join(words)


def _people(text: str) -> _People:
    """Everyone the article names in full, with the titles it gives them.

    Runs on the query path (a quoted article's speakers), so the title before a name is read
    only for the runs that are kept, and the article's name runs are found once.
    """
    people = _People()
    runs = list(_NAME_RUN.finditer(text))
    for match in runs:
        run = _strip_not_names(match.group())
        if run is None:
            continue
        start = match.start() + match.group().index(run)
        end = start + len(run)
        after = text[end : end + 80]
        aged = _AGE_APPOSITION.match(after)
        # "Helen Price, 52, a teacher at ...": the description follows the age (NU23-6).
        apposition = _APPOSITION.match(after[aged.end() - 1 :] if aged else after)
        if apposition is None:
            # "Alie Kurtumerova, 19, is the daughter of Enver Kurtumerov." (NU30B-5: "What
            # did Kurtumerov's daughter say?" did not find her).
            apposition = _DESCRIBED_AS.match(after[aged.end() :] if aged else after)
        # Only an apposition whose noun is a person describes one: "Save Vylkove, an activist
        # group," is a group, "Horodok Lyceum, a school for the mayor's children," a school.
        described = apposition.group(1) if apposition else None
        if described is not None and not _describes_person(described):
            described = None
        if " " in run:
            people.full_names.add(run)
            if described is not None or aged:
                people.described.add(run)
            elif _WHO_CLAUSE.match(after):
                people.said_who.add(run)
            if aged and described is None:
                people.aged_only.add(run)
        elif described is not None and _is_title(described):
            people.introduced.add(run)
        else:
            continue
        title_before = _title_before(text[max(0, start - 120) : start])
        for title in (title_before, described):
            parsed = _title_words(title) if title else None
            if title and parsed is not None:
                people.titles.setdefault(run, []).append((parsed[0], _title_heads(title)))
    # A word alone after "in" is a place, no surname: "founded Yildiz Bakhchysarai ... spoke
    # to the coach in Bakhchysarai" made the club a second person (NU32B-1).
    single = {
        run
        for match in runs
        if " " not in (run := match.group())
        and run not in _NOT_NAME
        and not _PLACE_BEFORE.search(text, max(0, match.start() - 12), match.start())
    }
    people.surnames_used = {name for name in people.full_names if name.split()[-1] in single}
    return people


_PLACE_BEFORE = re.compile(r"\b(?:in|near|outside)\s+$", re.IGNORECASE)


# Words that end an apposition's noun phrase: what follows them qualifies the noun ("an
# ecologist at the Danube institute", "a school where ...").
_PHRASE_END = frozenset(
    "of at in on from for with to by who whose which that where when since".split()
)


def _describes_person(apposition: str) -> bool:
    """Whether an apposition's noun is a person ("an ecologist at the institute", "the
    company's chief executive", "a human rights activist"), not a place, a school or a group
    ("a village of 300", "an activist group"): its head, the last word before anything that
    qualifies it, is a role or an occupation."""
    words = _TITLE_TOKEN.findall(_DETERMINER.sub("", apposition.strip()))
    head: str | None = None
    for word in words:
        if word.lower() in _PHRASE_END:
            break
        head = _POSSESSIVE.sub("", word).lower()
    return head is not None and _is_any_role(head)


def _title_before(before: str) -> str | None:
    """The title written just before a name: up to two comma-separated phrases back,
    within the sentence ("the leader of the Crimean Tatar people, People's Deputy of
    Ukraine"). None when the name is the object of a preposition ("the wife of X")."""
    clause = _CLAUSE_END.split(before)[-1]
    parts = [part.strip() for part in clause.split(",") if part.strip()]
    if not parts:
        return None
    last_word = parts[-1].split()[-1]
    if last_word.lower() in _TITLE_FILLER or last_word.lower() in {"to", "by", "with", "for"}:
        return None
    title = [parts[-1]]
    if len(parts) >= 2 and _DETERMINER.match(parts[-2]):
        title.insert(0, parts[-2])
    adjacent = parts[-1].split(" and ")[-1].split()  # "X and the Head of Y Z": Z's own title
    if _names_someone_else(adjacent):
        # "the daughter of Mayor X": X is the mayor, not the daughter; only the words after
        # the last preposition are X's title. After a comma, "the lawyer of Y, X" keeps it (an
        # apposition: Y is named, so X is the lawyer), but in "the wife of the chief
        # executive, X" X may be the chief executive as well as the wife: only that is kept.
        last = max(n for n, word in enumerate(adjacent) if word.lower() in _OBJECT_OF)
        rest = " ".join(adjacent[last + 1 :])
        named = any(_is_name_word(_POSSESSIVE.sub("", w)) for w in adjacent[last + 1 :])
        apposed = clause.rstrip().endswith(",")
        if not (apposed and named):
            if rest and _is_title(rest):
                return rest
            if not (apposed and rest):
                return None
            # "the deputy minister of education of Crimea, X": what "of" names is no person
            # (no role, no name), so the whole title is X's (NU31-9: it gave X no title).
    joined = ", ".join(title)  # the comma kept: each part has its own heads
    if clause.strip().lower() in _LOWER_CASE_ROLES:
        # "Headteacher Maria Levchenko said ...": the occupation, capitalised, opens the
        # sentence (NU21-5). Only there: "... to All Christians to Guard Against
        # Insurrection" names a book, not a guard.
        return clause.strip().lower()
    return joined if _is_title(joined) else None
