"""Who said each sentence: right or None, never wrong.

Every sentence of both bundled articles is listed with the speaker a careful reader gives it
(None where the article does not say who spoke), then synthetic hard cases.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from embeddings.corpus import read_corpus
from embeddings.index import SentenceIndex
from embeddings.search import Searcher
from embeddings.sentences import split_sentences
from embeddings.speakers import reports_speech_of, speakers, within_quotations
from tests.fakes import HashingEncoder, titled_searcher

CORPUS = Path(__file__).parent.parent / "corpus"
DZHEMILEV = "Mustafa Dzhemilev"
CHUBAROV = "Refat Chubarov"

# (start of the sentence, expected speaker), every sentence of each article in order.
EXPECTED = {
    "dzhemilev-67-political-prisoners": [
        ("Occupiers in the Crimea illegally keep", None),  # the news, not a quotation
        ("They were arrested for not agreeing", None),  # "made a corresponding stated": unread
        ("“To date, 67 people are in custody.", DZHEMILEV),  # quotation: "..., he said."
        ("All of them were groundlessly detained", DZHEMILEV),  # nested "crime"
        ("Most of them are Crimean Tatars.", DZHEMILEV),
        ("If Crimean Tatars make up 13%", DZHEMILEV),
        ("Why is that?", DZHEMILEV),
        ("Because the Crimean Tatars are resisting", DZHEMILEV),
        ("Of course, they have children", DZHEMILEV),
        ("As the Mejlis of the Crimean Tatar people, we announced", DZHEMILEV),
        ("To date, there are more than 100 children", DZHEMILEV),
        ("Each month, each child is paid", DZHEMILEV),
        ("In Crimea, the organization is run by", DZHEMILEV),
        ("Despite pressure, they continue", DZHEMILEV),
        ("Moreover, entrepreneurs, ordinary citizens", DZHEMILEV),
        ("In the mainland of Ukraine, in Kyiv", DZHEMILEV),
        ("Not only the Crimean Tatars", DZHEMILEV),  # ends ', he said.'
        ("Dzhemilev noted that many people", DZHEMILEV),  # surname -> the article's full name
        ("“If more than 5-6 people gather", DZHEMILEV),  # "he" after "Dzhemilev noted"
        ("Even the participants in one-person pickets", DZHEMILEV),
        ("They impose a fine in the amount", DZHEMILEV),
        ("The people are also collecting assistance", DZHEMILEV),
        ("The leader of the Crimean-Tatar people reminded", DZHEMILEV),  # title -> its holder
        ("“Last year in August a girl named Zarema", DZHEMILEV),  # "he" after that title
        (
            "During his speech, while talking about the occupation, he said:",
            DZHEMILEV,
        ),  # quotes Putin
        ("The girl, commenting on Facebook, said that", DZHEMILEV),  # he reports the girl
        ("Accusing her of fomenting ethnic hatred", DZHEMILEV),
        ("This child has not seen so much money", DZHEMILEV),
        ("After that, the people began to collect", DZHEMILEV),
        ("Yes, of course, there were those who gave", DZHEMILEV),
        ("After 2 weeks, the fine was paid", DZHEMILEV),
        ("The people liked it very much", DZHEMILEV),
        ("Earlier, Dzhemilev stated that", DZHEMILEV),
    ],
    "ilmi-umerov-solidarity-banner-kyiv": [
        ("Today, on the World Day of Solidarity", None),
        ("According to a QHA correspondent", None),  # a correspondent with no name: None
        (
            '"It is very important for us',
            CHUBAROV,
        ),  # ', said the Head of the Crimean Tatar Mejlis.'
        ("We cannot even think that Crimea", CHUBAROV),
        ("Conducting such campaigns", CHUBAROV),
        ("Ilmi Umerov and hundreds of other people there say", CHUBAROV),  # not Umerov's words
        ("This banner will hang here for a week.", CHUBAROV),
        ("Anyone who can assume that Crimea or Donbas", CHUBAROV),
        ("Refat Chubarov also expressed his indignation", CHUBAROV),
        ("He did not list all the MPs", None),  # no speech verb next to "He": not read
        ("Moreover, the Head of the Mejlis said that", CHUBAROV),  # short title -> its holder
        ("The campaign was also attended by Zare", None),
        ('"We hope that he will be released', "Zare"),  # "she said" after "Zare, the wife of"
        ("For the first time since the Soviet Union", "Zare"),
        ("We were shocked having learned", "Zare"),
        ("The situation of the Crimean Tatars in the occupied Crimea is horrible.", "Zare"),
        ("Anyone can be subjected to searches", "Zare"),
        ("They cannot prove their innocence", "Zare"),
        ("The activists called on people", None),
        ("As QHA reported earlier", None),
        ("In his statement, Ilmi Umer called on", None),
        ("The criminal case against the Deputy Chairman", None),
        ("The prosecution alleges that", None),  # an institution, not a person
        ("August 18, FSB officers", None),
        ("The health of the Deputy Chairman", None),
        ("He lost consciousness", None),
        ("Nikolai Polozov, the defendant's lawyer, assesses", "Nikolai Polozov"),
    ],
}


def _speakers_of(text: str) -> list[tuple[str, str | None]]:
    spans = split_sentences(text)
    return [
        (text[start:end], who)
        for (start, end), who in zip(spans, speakers(text, spans), strict=True)
    ]


@pytest.mark.parametrize("document_id", sorted(EXPECTED))
def test_every_sentence_of_the_bundled_articles_has_the_right_speaker_or_none(
    document_id: str,
) -> None:
    (document,) = [d for d in read_corpus(CORPUS) if d.id == document_id]
    found = _speakers_of(document.text)
    expected = EXPECTED[document_id]
    assert len(found) == len(expected)
    for (sentence, who), (start, expected_who) in zip(found, expected, strict=True):
        assert sentence.startswith(start)
        assert (sentence[:50], who) == (sentence[:50], expected_who)


def _who(text: str) -> list[str | None]:
    return [who for _, who in _speakers_of(text)]


def test_two_speakers_in_a_row_each_get_their_own_quote() -> None:
    text = (
        "Refat Chubarov met Mustafa Dzhemilev in Kyiv.\n\n"
        '"We will not give up," said Refat Chubarov. "Crimea is Ukraine," Dzhemilev added.'
    )
    assert _who(text) == [None, CHUBAROV, DZHEMILEV]


def test_a_pronoun_after_two_people_is_not_guessed() -> None:
    text = 'Refat Chubarov met Mustafa Dzhemilev in Kyiv.\n\n"We will not give up," he said.'
    assert _who(text) == [None, None]


def test_a_pronoun_after_an_organisation_or_no_one_is_not_guessed() -> None:
    assert _who('The Mejlis issued a statement.\n\n"We will fight," he said.') == [None, None]
    assert _who('"We will fight," he said.') == [None]
    text = 'The banner hung over the Heavenly Hundred Heroes Alley.\n\n"It stays," she said.'
    assert _who(text) == [None, None]


def test_a_pronoun_after_a_sentence_that_names_one_person_is_that_person() -> None:
    text = (
        "Nikolai Polozov, the lawyer, visited the clinic.\n\n"
        '"He is stable. He needs medicine," he said.'
    )
    assert _who(text) == [None, "Nikolai Polozov", "Nikolai Polozov"]
    # A capitalised pair that the article never treats as a person is not an antecedent.
    assert _who('Philosophy began in Ancient Greece.\n\n"It is so," he said.') == [None, None]


def test_a_possessive_is_not_the_person_who_speaks() -> None:
    text = (
        'The action was attended by the wife of Ilmi Umerov\'s brother.\n\n"Free him," she said.'
    )
    assert _who(text) == [None, None]


def test_nested_quotes_belong_to_the_outer_speaker() -> None:
    text = (
        "Mustafa Dzhemilev spoke to QHA.\n\n"
        '“Putin said: "The soldiers hid behind women." '
        'That is a lie," Dzhemilev said.'
    )
    assert _who(text) == [None, DZHEMILEV, DZHEMILEV]


def test_a_title_becomes_its_holder_only_when_one_person_holds_it() -> None:
    quote = '"Crimea is Ukraine," said the Head of the Mejlis.'
    named = "The Head of the Mejlis Refat Chubarov came.\n\n"
    assert _who(named + quote) == [None, CHUBAROV]
    # Nobody, or two people, hold the title: the article's own words, not a name.
    assert _who(quote) == ["Head of the Mejlis"]
    two = (
        "The Head of the Mejlis Mustafa Dzhemilev and the Head of the Mejlis "
        "Refat Chubarov came.\n\n"
    )
    assert _who(two + quote) == [None, "Head of the Mejlis"]
    # The former head does not hold the title (NU18B-2).
    former = (
        "The former Head of the Mejlis Mustafa Dzhemilev and the Head of the Mejlis "
        "Refat Chubarov came.\n\n"
    )
    assert _who(former + quote) == [None, CHUBAROV]


def test_a_name_after_the_title_is_the_speaker() -> None:
    text = '"Crimea is Ukraine," said the Head of the Mejlis Refat Chubarov.'
    assert _who(text) == [CHUBAROV]


def test_reported_speech_forms() -> None:
    assert _who("According to Refat Chubarov, the banner will hang for a week.") == [CHUBAROV]
    assert _who("Refat Chubarov stressed that the banner will hang for a week.") == [CHUBAROV]
    assert _who("Yesterday, Refat Chubarov added that it will hang.") == [CHUBAROV]
    assert _who("According to the data, 67 people are in custody.") == [None]
    # at the end of the sentence too (NU26-12)
    assert _who("The banner will hang for a week, according to Refat Chubarov.") == [CHUBAROV]
    sister = "Relatives have raised 40,000 hryvnias, according to his sister, Lenie Asanova."
    assert _who(sister) == ["Lenie Asanova"]
    assert _who("67 people are in custody, according to the data.") == [None]
    assert _who("He was moved, according to a report by Ann Roe.") == [None]
    assert _who("The case was opened after the lawyer said so.") == [None]
    assert _who("The girl said that she cannot pay.") == [None]


def test_denials_namings_and_trailing_said_name_the_speaker() -> None:
    """NU27-3, NU27-10: an official's denial, a quoted label, a trailing "said X" with no
    quotation marks and "X, who called them ..." had no speaker, so "What did Igor Lyashko
    say?" was only related and "What did Dovzhenko say about the notices?" declined."""
    denial = (
        "The military commissar of the region, Igor Lyashko, denied that the notices were "
        'connected with the searches. He said that the men had been called up "on a general '
        'basis".'
    )
    assert _who(denial) == ["Igor Lyashko", "Igor Lyashko"]
    called = 'Maryna Dovzhenko, the head of the group, called the notices "a punishment".'
    assert _who(called) == ["Maryna Dovzhenko"]
    trailing = (
        "Relatives plan to hold a prayer outside the court, said Zarina Kadyrova, the sister "
        "of detainee Rustem Kadyrov."
    )
    assert _who(trailing) == ["Zarina Kadyrova"]
    # the sentence's own "told" does not hide the trailing "said X", nor does a paragraph
    # break the "she said" after it (NU27B-2)
    told = (
        "Officers told the family that they had lost the right to live in the region, said "
        "Dilara Emirova, the sister of Ruslan Emirov.\n\nThe family was given 30 minutes to "
        "pack, she said."
    )
    assert _who(told) == ["Dilara Emirova", "Dilara Emirova"]
    # what follows "said" is what was said, not who: "said on Sunday that ...", "said the
    # group now has 40 members"
    assert _who("Dr Ann Roe, the county's director, said on Sunday that 538 cases, and more.") == [
        "Ann Roe"
    ]
    who = (
        "The searches were condemned by the Mufti of the community, Ahmed Karaev, who called "
        'them "an attack on the faith".'
    )
    assert _who(who) == ["Ahmed Karaev"]
    # no speech: a denial without "that", a name given without quoted words
    assert _who("The regional police denied any violations.") == [None]
    assert _who("Maryna Dovzhenko called the meeting to order.") == [None]
    assert _who("Maryna Dovzhenko, who called the meeting, left early.") == [None]
    assert _who("The court moved the trial, said the report.") == [None]
    # a title, the name and an age after the quotation (NU30-7)
    resident = (
        '"The wall stood for more than a hundred years," a local resident, Dilyaver Osmanov, '
        "70, said."
    )
    assert _who(resident) == ["Dilyaver Osmanov"]


def test_agency_attributions_at_the_end_and_colon_introductions_name_the_speaker() -> None:
    """The commonest shapes of agency copy gave no speaker (NU28-5), so "What did Kerimova
    say about the ambulance?" missed her words."""
    told = (
        "Aliye Kerimova heads Crimean Prisoners Watch.\n\n"
        "He has lost 16 kilograms since 12 March, his wife Leniye Mambetova told QHA.\n\n"
        "The hearing was adjourned again, Mambetov's defence lawyer, Emil Kurbedinov, told "
        "QHA.\n\n"
        "On Tuesday, an ambulance was not let through the gates of the colony, Kerimova said.\n\n"
        "Its spokesman, Colonel Viktor Lazarev, told the agency Interfax that the prisoner "
        '"receives all necessary treatment".\n\n'
        'Aliye Kerimova of Crimean Prisoners Watch: "Russia will not pay. It gives the practice '
        'a name."'
    )
    assert _who(told) == [
        None,
        "Leniye Mambetova",
        "Emil Kurbedinov",
        "Aliye Kerimova",
        "Viktor Lazarev",
        "Aliye Kerimova",
        "Aliye Kerimova",
    ]
    # a body, a list or an unknown surname at the end names nobody
    assert _who("Spending rose by 5%, the ministry said.") == [None]
    assert _who("The trial was moved, Ann Roe and Bo Li said.") == [None]
    assert _who("The trial was moved to Rostov, Petrenko told QHA.") == [None]


def test_a_title_and_name_before_a_colon_introduce_the_names_words() -> None:
    """NU33-11: 'Hrytsenko's representative in Kyiv, Iryna Bondar: "..."' gave no speaker, so
    "What did Iryna Bondar say?" missed her own words."""
    quotation = ': "Nobody informed the owner. He learned of it from the news."'
    for title in (
        "Hrytsenko's representative in Kyiv",
        "The owner's lawyer",
        "His representative",
    ):
        assert _who(f"{title}, Iryna Bondar{quotation}") == ["Iryna Bondar"] * 2, title
    # a title that may be someone else's, or no title: nobody
    assert _who(f"The wife of the chief executive, Iryna Bondar{quotation}") == [None, None]
    assert _who(f"Police detained the activist, Iryna Bondar{quotation}") == [None, None]
    assert _who(f"In Kyiv, Iryna Bondar{quotation}") == [None, None]


def test_an_attribution_midway_names_the_speaker_of_the_whole_sentence() -> None:
    """NU30B-9: "..., Umerova said, and in 9 of the 14 cases ..." gave no speaker, so "What
    did Umerova say about the fines?" missed her words."""
    named = "Zarema Umerova heads the group.\n\n"
    midway = (
        "Most bans were issued in Simferopol, Umerova said, and nine of the cases ended in fines."
    )
    assert _who(named + midway) == [None, "Zarema Umerova"]
    told = midway.replace("said, and", "told reporters, but")
    assert _who(named + told) == [None, "Zarema Umerova"]
    # a body or a list names nobody, as at the end
    assert _who(named + midway.replace("Umerova said", "the report said")) == [None, None]
    assert _who(named + midway.replace("Umerova said", "Umerova and Ann Roe said")) == [None, None]


def test_she_after_a_person_described_by_who_is_that_person_not_the_place_she_worked() -> None:
    """NU31-10: "She said that ..." had no speaker: "who hosted" makes the name a person, and
    "on Radio Meydan" (whose "Meydan" the article also writes alone) is a place or a body."""
    text = (
        "Three outlets of the group, the radio stations Meydan and Lider, closed too.\n\n"
        "Lenara Osmanova, who hosted the morning show on Radio Meydan for eight years, "
        "emigrated to Turkey in 2016. She said that she had been questioned by the FSB twice."
    )
    assert _who(text) == [None, None, "Lenara Osmanova"]
    # someone else named beside her, not at a place: no one, never a guess
    met = text.replace("on Radio Meydan", "with Ivan Petrenko")
    assert _who(met) == [None, None, None]


def test_a_lower_case_title_of_several_words_before_the_name_names_the_speaker() -> None:
    """NU29-7: 'human rights defender Aliye Seitova said' and 'Crimean Tatar lawyer Emil
    Kurbedinov: "..."' gave no speaker, so "What did Kurbedinov say about appeals?" missed
    "An appeal has never been granted in such a case."."""
    quote = '"A like can cost a month\'s salary," '
    assert _who(quote + "human rights defender Aliye Seitova said.") == ["Aliye Seitova"]
    assert _who(quote + "said human rights defender Aliye Seitova.") == ["Aliye Seitova"]
    assert _who("Human rights defender Aliye Seitova said the fines were growing.") == [
        "Aliye Seitova"
    ]
    introduced = (
        'Crimean Tatar lawyer Emil Kurbedinov: "Most of my clients simply pay. An appeal has '
        'never been granted in such a case."'
    )
    assert _who(introduced) == ["Emil Kurbedinov", "Emil Kurbedinov"]
    # a longer title: names, roles and a few modifiers (NU29C-1)
    for title in (
        "Crimean Tatar lawyer and rights defender",
        "Veteran Crimean Tatar human rights lawyer",
    ):
        assert _who(f'{title} Rustem Osmanov: "The ban is illegal."') == ["Rustem Osmanov"]
    assert _who('Police detained blogger Emil Kurbedinov: "They took my phone."') == [None]
    # what comes before the name is no title: nobody
    assert _who('The court ruled in favour of Emil Kurbedinov: "It was fair."') == [None]
    assert _who('Police then searched Emil Kurbedinov: "They took my phone."') == [None]


WIFE_QUOTED = (
    'Police detained two parents.\n\n"We are afraid," his wife Lenara Ablyaeva told QHA.\n\n'
)


def test_an_attribution_after_a_quoted_phrase_names_the_speaker_of_the_sentence() -> None:
    """NU28B-4: a scare-quoted charge kept "..., his wife X told QHA." from naming her; and a
    lawyer's account of his client's words ('He called the charges "...", his lawyer X told
    QHA.') was given to the woman quoted before, "He" read as her."""
    before = (
        'Police detained two parents.\n\n"We are afraid," his wife Lenara Ablyaeva told QHA.\n\n'
    )
    scare = (
        'Ablyaev was questioned for three hours about "an unauthorised gathering", his wife '
        "Lenara Ablyaeva told QHA."
    )
    assert _who(before + scare)[-1] == "Lenara Ablyaeva"
    account = (
        'He called the charges "absurd and made up from the very start", his lawyer Emil '
        "Kurbedinov told QHA."
    )
    assert _who("Emil Kurbedinov defends Ablyaev.\n\n" + before + account)[-1] == (
        "Emil Kurbedinov"
    )
    # a sentence opening with a quotation keeps the quotation's own attribution
    assert _who(before + '"It is absurd", he added.')[-1] is None


def test_a_pronoun_never_means_someone_described_as_of_the_other_sex() -> None:
    before = (
        'Police detained two parents.\n\n"We are afraid," his wife Lenara Ablyaeva told QHA.\n\n'
    )
    assert _who(before + 'He called the charges "absurd" at the hearing.')[-1] is None
    assert _who(before + '"They lied," she said.')[-1] == "Lenara Ablyaeva"


def test_a_pronoun_already_in_use_is_not_a_person_first_named_in_its_paragraph() -> None:
    """NU32-1: the mother's '"Nobody has answered me ...," she said.' was cited as the
    military commissar's, named in the sentence before, though "she" (the mother) was the
    subject of the sentence before that, in the same paragraph: the pronoun is still hers."""
    text = (
        "His mother, Zarema Seitumerova, 61, said she did not understand what was happening.\n\n"
        "On 27 September she filed a written complaint with the military enlistment office. "
        "The enlistment office is headed by military commissar Igor Zhuravlev, to whom the "
        "complaint was addressed.\n\n"
        '"Nobody has answered me. I went there twice and they did not let me in," she said.'
    )
    assert _who(text)[-2:] == [None, "Zarema Seitumerova"]
    # the "she" who filed the complaint is no one the articles name: nobody
    assert _who(text.split("\n\n", 1)[1])[-2:] == [None, None]
    # a new paragraph that names someone new: the pronoun after it is them (SQuAD's Priestley)
    priestley = (
        "From this he surmised that nitroaereus is consumed in respiration.\n\n"
        "In 1774, an experiment conducted by the British clergyman Joseph Priestley liberated "
        "a gas. He noted that candles burned brighter in the gas. Priestley published it in "
        "1775."
    )
    assert _who(priestley)[-2] == "Joseph Priestley"


SADOVYI = "Andriy Sadovyi"
DEPOT = '"We wanted a place for everyone. The depot was empty for twenty years," said '


@pytest.mark.parametrize(
    "occasion", ["at the opening", "on Monday", "in an interview", "during the meeting"]
)
def test_a_phrase_about_the_occasion_after_the_name_keeps_the_speaker(occasion: str) -> None:
    assert _who(f"{DEPOT}Mayor Andriy Sadovyi {occasion}.") == [SADOVYI, SADOVYI]
    assert _who(f"{DEPOT}Andriy Sadovyi {occasion}.") == [SADOVYI, SADOVYI]
    assert _who(f"{DEPOT}Andriy Sadovyi, adding that it will stay open.") == [SADOVYI] * 2
    # The occasion is not who spoke: whoever the phrase before it names still decides.
    assert _who(f"{DEPOT}Andriy Sadovyi's spokesman {occasion}.") == [None, None]
    assert _who(f"{DEPOT}a statement from the Ministry {occasion}.") == [None, None]


def test_a_name_after_of_is_not_the_speaker_the_phrase_describes() -> None:
    quote = '"We wanted a place for everyone," said the wife of Ivan Franko at the opening.'
    assert _who(quote) == ["wife of Ivan Franko"]  # the article's words, not Ivan Franko
    named = "Olha Franko, the wife of Ivan Franko, came to Lviv.\n\n"
    assert _who(named + quote) == [None, "Olha Franko"]


# A title between the preposition and the name does not make the name the speaker (NU8B S1):
# each must give None or the article's own description, never the named person.
SOMEONE_ELSE = [
    '"The river is clean," said a spokesman for Mayor Vitali Klitschko.',
    '"The river is clean," said a spokeswoman for Mayor Vitali Klitschko on Monday.',
    '"I love this city," said the daughter of Mayor Andriy Sadovyi at the opening.',
    '"I love this city," said the daughter of Mayor Andriy Sadovyi.',
    '"The river is clean," said the son of President Volodymyr Zelensky.',
    '"The river is clean," said the press service of Mayor Vitali Klitschko.',
    '"The depot will become a museum," said the deputy of Mayor Andriy Sadovyi on Monday.',
    '"The river is clean," said an aide to Mayor Vitali Klitschko.',
    '"The river is clean," said an aide to the Mayor and Governor Vitali Klitschko.',
    '"The river is clean," said a spokesman for the Head of the Mejlis Refat Chubarov.',
    '"The river is clean," said the wife of Ukraine\'s President Volodymyr Zelensky.',
    '"The river is clean," a spokesman for Mayor Vitali Klitschko said.',
    "A spokesman for Mayor Vitali Klitschko said that the river is clean.",
    "Earlier, the son of President Volodymyr Zelensky stated that the river is clean.",
    "According to a lawyer for Crimean Tatar activist Ilmi Umerov, the river is clean.",
    # A verb between the title and the name: the name is its object, not the title's holder.
    '"He is ill," said the lawyer representing Ilmi Umerov.',
    "The lawyer representing Ilmi Umerov said that the river is clean.",
    '"He is great," said the actor playing Vitali Klitschko.',
    '"He is great," said the student who met Vitali Klitschko.',
    '"He is great," said a farmer near Vitali Klitschko.',
]


@pytest.mark.parametrize("text", SOMEONE_ELSE)
def test_a_name_after_of_or_for_and_a_title_is_not_the_speaker(text: str) -> None:
    (speaker,) = _who(text)
    for named in ("Vitali Klitschko", SADOVYI, "Volodymyr Zelensky", CHUBAROV, "Ilmi Umerov"):
        assert speaker != named


def test_the_title_of_someone_elses_relative_is_not_the_named_persons() -> None:
    quote = '"I love this city," said the daughter of Mayor Andriy Sadovyi.\n\n'
    assert _who(quote + '"It is fine," the daughter said.') == [
        "daughter of Mayor Andriy Sadovyi",
        None,
    ]
    assert _who(quote + '"It is fine," the mayor said.')[1] == SADOVYI


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ('"Crimea is Ukraine," said People\'s Deputy of Ukraine Mustafa Dzhemilev.', DZHEMILEV),
        ('"Crimea is Ukraine," said Mayor of Kyiv Vitali Klitschko.', "Vitali Klitschko"),
        (
            '"Crimea is Ukraine," said the lawyer of Ilmi Umerov, Nikolai Polozov.',
            "Nikolai Polozov",
        ),
        ('"Crimea is Ukraine," said Mayor Andriy Sadovyi at the opening.', SADOVYI),
        (
            '"Crimea is Ukraine," said Deputy Mayor Andriy Moskalenko at the opening.',
            "Andriy Moskalenko",
        ),
    ],
)
def test_a_title_with_of_that_the_name_holds_keeps_the_name(text: str, speaker: str) -> None:
    assert _who(text) == [speaker]


def test_a_title_and_a_name_as_two_phrases_before_said_are_one_speaker() -> None:
    quote = '"Students asked us to stay open late," '
    assert _who(quote + "the chief librarian, Iryna Bondar, said.") == ["Iryna Bondar"]
    assert _who(quote + "Ivan Franko, Olha's husband, said.") == ["Ivan Franko"]
    assert _who(quote + "a spokesman for Mayor Vitali Klitschko, Ivan Petrenko, said.") == [
        "Ivan Petrenko"
    ]
    assert _who(quote + "Petro Ivanenko, a friend of Ivan Franko, said.") == ["Petro Ivanenko"]
    # Two different people, a list, or someone cited: no name.
    assert _who(quote + "Ivan Franko, Petro Ivanenko, said.") == [None]
    assert _who(quote + "Ivan Franko, and Petro Ivanenko said.") == [None]
    assert _who(quote + "according to Ivan Franko, police said.") == [None]


def test_an_occupation_in_lower_case_before_the_name_is_a_title() -> None:
    assert _who(
        '"The harvest is good," said farmer Petro Ivanenko at the fair, adding that prices fell.'
    ) == ["Petro Ivanenko"]
    assert _who(
        '"Our team won," said coach Serhiy Rebrov at the opening, as Andriy Shevchenko watched.'
    ) == ["Serhiy Rebrov"]


CHIEF = '"Sales doubled," '


@pytest.mark.parametrize(
    "attribution",
    [
        "said the chief executive Ivan Petrenko.",
        "said the chief executive, Ivan Petrenko.",
        "said chief executive Ivan Petrenko.",
        "said the former chief executive Ivan Petrenko at the opening.",
        "said the company's chief executive, Ivan Petrenko.",
        "said the chief executive of Naftogaz, Ivan Petrenko.",
        "said the executive producer Ivan Petrenko.",
        "the chief executive, Ivan Petrenko, said.",
    ],
)
def test_a_compound_title_before_the_name_keeps_the_speaker(attribution: str) -> None:
    assert _who(CHIEF + attribution) == ["Ivan Petrenko"]


@pytest.mark.parametrize(
    "subject",
    [
        "The chief executive Ivan Petrenko",
        "The chief executive, Ivan Petrenko,",
        "Chief executive Ivan Petrenko",
        "Earlier, the company's chief executive Ivan Petrenko",
    ],
)
def test_a_compound_title_before_the_name_in_reported_speech(subject: str) -> None:
    assert _who(f"{subject} said that sales doubled.") == ["Ivan Petrenko"]


@pytest.mark.parametrize(
    "attribution",
    [
        "said the lawyer representing the chief executive, Ivan Petrenko.",
        "said a spokesman for the chief executive, Ivan Petrenko.",
        "said a spokesman for the chief executive Ivan Petrenko.",
        "said an aide to chief executive Ivan Petrenko.",
        # The name may be the chief executive's as well as the wife's: not guessed.
        "said the wife of the chief executive, Ivan Petrenko.",
        "said the wife of the chief executive Ivan Petrenko.",
        "said the chief executive Ivan Petrenko and Petro Ivanenko.",
    ],
)
def test_a_compound_title_after_of_or_for_is_still_someone_elses(attribution: str) -> None:
    assert _who(CHIEF + attribution) != ["Ivan Petrenko"]


def test_a_compound_title_alone_is_its_one_holder_or_none() -> None:
    named = "Ivan Petrenko, the chief executive of Naftogaz, came.\n\n"
    assert _who(named + CHIEF + "said the chief executive.") == [None, "Ivan Petrenko"]
    two = "Ivan Petrenko and Petro Ivanenko came.\n\n"
    assert _who(two + CHIEF + "said the chief executive.") == [None, None]


def test_an_opening_phrase_may_name_someone_other_than_the_speaker() -> None:
    reported = "Speaking to Ivan Bohun, Olha Kobylianska said that the city is safe."
    assert _who(reported) == ["Olha Kobylianska"]
    # Two people in view: "he" is not guessed (gender is not read).
    assert _who(reported + '\n\n"It is not," he said.') == ["Olha Kobylianska", None]
    assert _who("In a statement, the Ministry said that it is safe.") == [None]
    assert _who("In 2014, Refat Chubarov stated that it was illegal.") == [CHUBAROV]


def test_a_surname_shared_by_two_people_is_not_resolved() -> None:
    text = "Mustafa Dzhemilev and Aider Dzhemilev came.\n\nDzhemilev said that the fine was paid."
    assert _who(text) == [None, None]


def test_the_searcher_gives_each_quote_its_speaker(fake_searcher: Searcher) -> None:
    answer = fake_searcher.search("Who said the situation of the Crimean Tatars is horrible?", 5)
    horrible = [q for q in answer.quotes if "is horrible" in q.text]
    assert horrible and horrible[0].speaker == "Zare"
    for quote in fake_searcher.search(
        "What did the Head of the Mejlis say about traitors?", 10
    ).quotes:
        expected = dict(EXPECTED[quote.document.id])
        start = next(s for s in expected if quote.text.startswith(s))
        assert quote.speaker == expected[start]


WHO_SAID = [
    ("Who said the situation in Crimea is horrible?", "is horrible", "Zare"),
    ("Who said that anyone who would yield Crimea to Russia is a traitor?", "traitor", CHUBAROV),
    ("Who said the banner will hang for a week?", "for a week", CHUBAROV),
    ("Who said 67 people are in custody?", "67 people are in custody", DZHEMILEV),
    (
        "Who said the election of the Russian president in Crimea is illegal?",
        "election",
        DZHEMILEV,
    ),
    ("Who said the issue will be raised at the G20 summit?", "G20 Summit", CHUBAROV),
    (
        "Who assesses Umerov's health as serious but stable?",
        "serious but stable",
        "Nikolai Polozov",
    ),
]


@pytest.mark.integration
@pytest.mark.parametrize(("question", "needle", "speaker"), WHO_SAID)
def test_who_said_questions_bring_the_quote_with_its_speaker(
    real_index_dir: Path, question: str, needle: str, speaker: str
) -> None:
    from embeddings.index_store import load_index
    from embeddings.service import searcher_for

    answer = searcher_for(load_index(real_index_dir)).search(question, 3)
    quotes = [quote for quote in answer.quotes if needle in quote.text]
    assert quotes, [quote.text for quote in answer.quotes]
    assert quotes[0].speaker == speaker


def test_articles_in_other_languages_get_no_speakers_rather_than_guesses() -> None:
    text = "«Ситуація в Криму жахлива», — сказала вона. Refat Chubarov said that it is so."
    spans = split_sentences(text, "uk")
    assert speakers(text, spans, "uk") == [None, None]
    assert speakers(text, spans, "en-GB")[1] == CHUBAROV


def test_an_unattributed_quotation_has_no_speaker_and_the_prose_after_it_is_read() -> None:
    text = (
        'Refat Chubarov came to Kyiv.\n\n"Crimea is Ukraine. It will be free." '
        "Mustafa Dzhemilev noted that the banner will hang for a week."
    )
    assert _who(text) == [None, None, None, DZHEMILEV]


def test_verbs_that_are_not_always_speech_need_that_or_a_quotation() -> None:
    assert _who("Genghis Khan recalled Subutai back to Mongolia.") == [None]
    assert _who("Martin Luther wrote about the Jews throughout his career.") == [None]
    assert _who("Martin Luther wrote that the Jews were blind.") == ["Martin Luther"]
    assert _who("Emperor Gegeen Khan continued his father's policies.") == [None]


def test_a_role_before_a_name_is_not_part_of_the_name() -> None:
    assert _who("Biographer Martin Brecht points out that it differs.") == ["Martin Brecht"]
    assert _who("Environment Commissioner Stavros Dimas stated that it is toxic.") == [
        "Stavros Dimas"
    ]
    assert _who("All EU member states are bound, as stated in the treaty.") == [None]


@pytest.mark.parametrize("document_id", sorted(EXPECTED))
def test_an_article_read_up_to_a_sentence_gives_that_sentence_the_same_speaker(
    document_id: str,
) -> None:
    # The searcher attributes a quoted article only as far as the quoted sentence.
    (document,) = [d for d in read_corpus(CORPUS) if d.id == document_id]
    spans = split_sentences(document.text)
    whole = speakers(document.text, spans)
    for upto in range(len(spans)):
        assert speakers(document.text, spans, upto=upto)[: upto + 1] == whole[: upto + 1]


def test_the_searcher_names_the_same_speakers_whatever_order_sentences_are_quoted(
    fake_index: SentenceIndex,
) -> None:
    spans: dict[int, list[tuple[int, int]]] = {}
    for sentence in fake_index.sentences:
        spans.setdefault(sentence.doc, []).append((sentence.start, sentence.end))
    expected = {
        doc: speakers(document.text, spans[doc], document.language)
        for doc, document in enumerate(fake_index.documents)
    }
    count = len(fake_index.sentences)
    for order in (range(count), reversed(range(count))):  # later sentence first, then earlier
        searcher = Searcher(fake_index, HashingEncoder(fake_index.dimension))
        for sentence_id in order:
            sentence = fake_index.sentences[sentence_id]
            assert searcher.speaker(sentence_id) == expected[sentence.doc][sentence.position]


@pytest.mark.parametrize(
    "intro",
    [
        "Margaret Dunne, 64, has driven a crane at Harwick for thirty years.",
        "Maria Bondar, aged 71, left her house on Wednesday.",
    ],
)
def test_a_name_given_an_age_is_a_person_for_the_next_she_said(intro: str) -> None:
    """NU22B-7: "Name, 64, ..." then '"...," she said.' got no speaker; news gives an age to
    a person, never to a place."""
    name = intro.split(",")[0]
    assert _who(intro + ' "I have never seen the quay this quiet," she said.') == [None, name]


def test_a_number_after_a_place_does_not_make_it_a_person() -> None:
    text = 'Crews reached Lower Sula, 12 kilometres away, by noon. "It is gone," she said.'
    assert _who(text) == [None, None]


@pytest.mark.parametrize(
    ("sentence", "speaker"),
    [
        (
            "Helen Price, 52, a teacher at St Aidan's Primary School, said almost a third of "
            "her class had been off sick this week.",
            "Helen Price",
        ),
        ("Daniel Hughes, 34, a bus driver, said his daughter had been ill.", "Daniel Hughes"),
        ("Helen Price, aged 52, said the school would stay open.", "Helen Price"),
        ("Local MP Rachel Okafor said she had written to the minister.", "Rachel Okafor"),
        ('"We will act," said Rachel Okafor, the local MP.', "Rachel Okafor"),
    ],
)
def test_a_witness_given_an_age_and_an_occupation_is_the_speaker(
    sentence: str, speaker: str
) -> None:
    """NU23-6: news introduces a witness as "Name, 52, a teacher at X, said ..." and a member
    of parliament as "Local MP Name said ..."; both got no speaker."""
    assert _who(sentence) == [speaker]


def test_an_age_alone_names_no_speaker() -> None:
    assert _who("In 2014, 52, said the report.") == [None]


def test_the_occupation_after_an_age_is_the_witness_title() -> None:
    """ "What did the teacher say?" finds Helen Price, described as "52, a teacher at ..."."""
    searcher = titled_searcher(
        outbreak=(
            "Parasite found in Marrowby tap water",
            "Helen Price, 52, a teacher at St Aidan's Primary School, said almost a third of "
            'her class had been off sick this week. "On Monday I had nine empty desks," she '
            "said.\n\nDaniel Hughes, 34, a bus driver, said his daughter had been ill.\n",
        )
    )
    assert searcher.speakers_named("the teacher") == ["Helen Price"]
    assert searcher.speakers_named("the bus driver") == ["Daniel Hughes"]
    quotes = searcher.search("What did the teacher say?", 3).quotes
    assert quotes and {quote.speaker for quote in quotes} == {"Helen Price"}, quotes


def test_every_sentence_of_a_quotation_opened_after_said_colon_is_the_speakers() -> None:
    """NU23B-4: 'X, a nurse, said: "A. B."' gave B no speaker."""
    text = (
        'Priya Raman, 47, a nurse at Kelsham General, said: "I finish at three in the morning. '
        'There is no other bus."\n\nThe council met on Monday. It voted.'
    )
    assert _who(text) == ["Priya Raman", "Priya Raman", None, None]


@pytest.mark.parametrize(
    "text",
    [
        'He called the plan "a disaster. A shame." The council met.',
        'The sign on the depot said: "No entry. Keep out."',
    ],
)
def test_only_a_known_speakers_colon_opens_a_quotation_that_is_theirs(text: str) -> None:
    assert set(_who(text)) == {None}


@pytest.mark.parametrize(
    ("sentence", "name", "theirs"),
    [
        ("Sorokin later told reporters that the men had confessed.", "Pavel Sorokin", True),
        ('"We acted lawfully," said Pavel Sorokin.', "Pavel Sorokin", True),
        ("Sorokin, the investigator, said the men were guilty.", "Pavel Sorokin", True),
        ("According to Sorokin, the men were guilty.", "Sorokin", True),
        ('During his speech he said: "The soldiers put women in front."', "Putin", True),
        ('Haas sent an email to the councilors stating, "Wise up or die."', "Haas", True),
        # someone else's words about the person (NU27-2, NU27-1)
        ("The men were questioned by Pavel Sorokin, relatives said.", "Sorokin", False),
        ("Asanov said that his client Server Mustafayev was held alone.", "Mustafayev", False),
        ("Sorokin questioned the men, according to relatives.", "Sorokin", False),
        ('"Sorokin lied to us," said Ann Roe.', "Sorokin", False),
        ("Earlier, Dzhemilev stated that the election in Crimea is illegal.", "Putin", False),
        ("Sorokin questioned the men on Tuesday.", "Sorokin", False),  # no speech at all
    ],
)
def test_reports_speech_of_reads_whose_words_a_sentence_reports(
    sentence: str, name: str, theirs: bool
) -> None:
    assert reports_speech_of(sentence, name) is theirs


@pytest.mark.parametrize(
    ("sentence", "own"),
    [
        (
            '"They told me that my son does not want to see me," she said.',
            '"They told me that my son does not want to see me,',
        ),
        ('She told QHA: "They told me he was fine."', "They told me he was fine."),
        # a longer clause before the quotation is an account of someone's words: it stays
        (
            'During his speech, he said: "The soldiers put women in front."',
            'During his speech, he said: "The soldiers put women in front.',
        ),
        # the last sentence of a longer quotation (NU30B-1)
        ('Nobody wanted to take the petition," she said.', "Nobody wanted to take the petition,"),
        (
            "Yakubov said that he had filed a complaint.",
            "Yakubov said that he had filed a complaint.",
        ),
        # no quotation marks: an attribution to a pronoun is the speaker's own (NU31B-1)
        ("She said that the bailiffs had come.", " that the bailiffs had come."),
        ("The bailiffs came at six, she told QHA.", "The bailiffs came at six"),
        ("Earlier, she said that he had refused.", " that he had refused."),
    ],
)
def test_within_quotations_leaves_out_the_sentences_own_attribution(
    sentence: str, own: str
) -> None:
    """NU30-2: the "she" of '"They told me ...," she said.' is the speaker herself."""
    assert within_quotations(sentence) == own
