"""The search service every front end calls: question in, verbatim quotes out.

It knows nothing of Telegram or the terminal. It validates the question, ranks sentences,
shows a sentence that several articles share only once (with all of its sources), and attaches
each quote's neighbours for context.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import faiss
import numpy as np
import numpy.typing as npt

from embeddings.abstention import DEFAULT_ABSTAIN_BELOW, DEFAULT_RELATED_BELOW, decide
from embeddings.answerability import (
    ANYONE,
    asks_for_money,
    asks_when,
    asks_when_ahead,
    asks_when_last,
    counted_terms,
    counts,
    fine_for_a_cost,
    money_topic,
    names_money,
    names_time,
    tells_ahead,
)
from embeddings.courtesy import without_courtesy
from embeddings.encoder import Encoder, Vectors
from embeddings.errors import QuestionError
from embeddings.features import SPAN, answer_type
from embeddings.holder_questions import asked_holder, holder_at
from embeddings.index import SentenceIndex
from embeddings.interview_questions import second_person
from embeddings.language import can_search, detect_language, is_multilingual_model
from embeddings.language import normalise as normalise_language
from embeddings.lexical import tokenize
from embeddings.person_questions import described_first, description_first, people_asked
from embeddings.quote_joining import JOINS_READ, MAX_QUOTE_SENTENCES, first_quotes
from embeddings.ranking import (
    Ranking,
    answer_under,
    capped,
    index_traits,
    is_markup_sentence,
    moved_first,
    passage_ids,
    question_line,
    rank,
    rank_among,
    reordered,
    same_paragraph,
)
from embeddings.resident import Warming, keep_resident
from embeddings.speaker_questions import (
    QUOTED_SHARE,
    SPEAKER_PRECISION,
    SpeakerQuestion,
    asked_person,
    asked_speaker,
    describes_by,
    head_word,
    looks_like_a_name,
    matching_speakers,
    name_words,
    person_named,
)
from embeddings.speakers import (
    ONE_OTHER,
    acts_in,
    answers_as_interviewee,
    describes,
    in_own_words,
    interviewee,
    names_a_place,
    offices_of,
    qualified_otherwise,
    reports_speech_of,
    speakers,
    title_head,
    title_holder,
    treats_as_person,
    within_quotations,
)
from embeddings.transliteration import searchable_question
from embeddings.types import Answer, Document, Quote, Sentence
from embeddings.where_questions import WhereQuestion, asked_where, said_of_another

if TYPE_CHECKING:
    from embeddings.speaker_table import StoredSpeakers

logger = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1000
MAX_TOP_K = 50
SPEAKER_ARTICLES = 4096  # articles whose speakers a searcher keeps
TITLE_ARTICLES = 32  # articles read for the holder of a title a question names
OTHERS_CHECKED = 30  # candidates read for words of someone described by the asked name
REACTIONS_READ = 10  # candidates among which a reaction asked for is looked for
INTERVIEW_LINE_MATCH = 0.7  # cosine of a question, asked in the second person, to a question line
KIND_PASSAGES_READ = 3  # candidates whose passages the count asked for may be in


# "the imam", "a spokesman": a title asked about as a person ("What did the imam say?"); not
# the words that "What issues do member states say ...?" leaves before its verb.
_A_TITLE = re.compile(r"(?:the|a|an)\s+[a-z]", re.IGNORECASE)
# A pronoun that speaks of a person: a length said of "he" is said of the person asked about.
_PERSONAL = re.compile(r"\b(?:he|she|his|her|him)\b", re.IGNORECASE)
# "Abdullaev's lawyer": someone's office holder, named by the person they serve.
_WHOSE_OFFICE = re.compile(
    r"^(?P<whose>[A-Z][\w-]+(?:\s+[A-Z][\w-]+)*)['’]s\s+(?P<office>[a-z].*)$"
)


def _visible(char: str) -> bool:
    """Not whitespace, a control character or an invisible format mark (zero-width space)."""
    return not char.isspace() and unicodedata.category(char) not in ("Cc", "Cf")


def validate_question(question: str) -> str:
    """The question without surrounding whitespace; QuestionError when it cannot be asked."""
    cleaned = question.strip()
    if not any(_visible(char) for char in cleaned):
        raise QuestionError("the question is empty")
    if any("\ud800" <= char <= "\udfff" for char in cleaned):
        # Bytes that were not UTF-8 arrive as lone surrogates (surrogateescape); no tokenizer
        # can encode them.
        raise QuestionError("the question is not valid UTF-8 text")
    if len(cleaned) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"the question is {len(cleaned)} characters long; the limit is {MAX_QUESTION_CHARS}"
        )
    return cleaned


def same_text_key(text: str) -> str:
    """Two sentences are the same quote when they differ only in whitespace."""
    return " ".join(text.split())


@dataclass(frozen=True)
class Passage:
    """A sentence with the sentences around it, for the "Context" view."""

    document: Document
    sentences: tuple[Sentence, ...]
    focus: int  # position of the (first) sentence the user asked about
    span: int = 1  # how many sentences from ``focus`` on: a joined quote's run
    speaker: str | None = None  # the focus sentence's, as a Quote's
    reported_speech: bool = False


class Searcher:
    """Ranks the sentences of one index for questions; safe to share between threads."""

    def __init__(
        self,
        index: SentenceIndex,
        encoder: Encoder,
        model_name: str = "",
        abstain_below: float = DEFAULT_ABSTAIN_BELOW,
        multilingual: bool | None = None,
        related_below: float = DEFAULT_RELATED_BELOW,
    ) -> None:
        """``multilingual`` says whether the encoder matches questions across languages;
        None infers it from ``model_name``. A monolingual (English) searcher answers questions
        in other languages with outcome "unsupported-language" and does not search.
        ``abstain_below`` and ``related_below`` are the relevance thresholds of
        embeddings/abstention.py (answered at or above the first, declined below the second,
        related in between)."""
        if encoder.dimension != index.dimension:
            raise ValueError(
                f"encoder dimension {encoder.dimension} != index dimension {index.dimension}"
            )
        self.index = index
        self.encoder = encoder
        self.model_name = model_name
        self.abstain_below = abstain_below
        self.related_below = related_below
        self.multilingual = (
            is_multilingual_model(model_name) if multilingual is None else multilingual
        )
        # One query searches ~10k vectors in about a millisecond; OpenMP threads only add
        # wake-up and spin costs, which on a busy 2-core machine reached tens of milliseconds.
        faiss.omp_set_num_threads(1)
        self._traits = index_traits(index)  # what each sentence holds, for the ranking
        # Why this index is older than its corpus or model and could not be rebuilt where it
        # was opened (a replica's read-only copy), else None: /reload says so instead of
        # "Reloaded" (set by ``embeddings.service``).
        self.stale_reason: str | None = None
        # Built on the first "Context" request: a loaded index reads documents lazily.
        self._documents_by_id: dict[str, int] | None = None
        # Speakers of the articles quoted lately (an article's regular expressions cost about
        # 5 ms at 200 sentences); bounded, so a bot over a million sentences does not keep
        # every article it ever quoted.
        # Per article: how many of its first sentences are attributed, and their speakers.
        self._speakers: OrderedDict[int, tuple[int, tuple[str | None, ...]]] = OrderedDict()
        self._speakers_lock = threading.Lock()
        # Per speaker their sentences, for questions about what someone said (an index built
        # in memory only: a loaded one stores them).
        self._by_speaker: dict[str, list[int]] | None = None

    @property
    def documents(self) -> Sequence[Document]:
        return self.index.documents

    @property
    def sentence_count(self) -> int:
        return len(self.index.sentences)

    def keep_resident(self) -> Warming | None:
        """Start mapping the index's files into memory in the background (embeddings/
        resident.py), so that no later question waits for a page: for a serving process (a
        bot), never for one ``ask``. None when there is nothing mapped (an index built in
        memory). The vector matrix stays out when its rows are read with ``pread``."""
        vectors = self.index.vectors
        if vectors.directory is None:
            return None
        rows = vectors.rows_file
        return keep_resident(vectors.directory, () if rows is None else (rows,))

    def search(self, question: str, top_k: int = 3, join: bool = True) -> Answer:
        """The top_k best quotes for one question."""
        return self.search_many([question], top_k, join)[0]

    def search_many(
        self, questions: Sequence[str], top_k: int = 3, join: bool = True
    ) -> list[Answer]:
        """Answer several questions with one encoder call (batch use of the CLI).

        ``join``: consecutive sentences of one article among the top_k are shown as one quote
        (embeddings/quote_joining.py), as users see them; evaluation of the ranking itself
        asks for the sentences one by one.
        """
        if not 1 <= top_k <= MAX_TOP_K:
            raise QuestionError(f"top-k must be between 1 and {MAX_TOP_K}, not {top_k}")
        cleaned = [validate_question(question) for question in questions]
        if not cleaned:
            return []
        languages = [detect_language(question) for question in cleaned]
        searchable = [n for n, code in enumerate(languages) if can_search(code, self.multilingual)]
        answers = [
            Answer(question, outcome="unsupported-language", language=code)
            for question, code in zip(cleaned, languages, strict=True)
        ]
        if not searchable:
            return answers
        # Cyrillic names in an English question in the corpus's Latin spelling ("Who is
        # Умеров?" is searched as "Who is Umerov?"); the answer keeps the question as typed.
        # "Hi, who defends Umerov?" is searched as "Who defends Umerov?" (embeddings/courtesy.py).
        queries = [
            searchable_question(without_courtesy(cleaned[n]), languages[n], self.index.lexical)
            for n in searchable
        ]
        vectors = self.encoder.encode(queries)
        for n, query, vector in zip(searchable, queries, vectors, strict=True):
            ranking = self.rank(query, vector, languages[n])
            answers[n] = Answer(
                cleaned[n],
                self.quotes(ranking, top_k, join),
                outcome=decide(ranking.relevance, self.abstain_below, self.related_below),
                relevance=ranking.relevance,
                language=languages[n],
                searched_as=query if query != cleaned[n] else None,
            )
        return answers

    def rank(self, question: str, vector: Vectors, language: str | None = None) -> Ranking:
        """All candidates of a question, best first (evaluation reads the ranking itself).

        A question that names someone in full whom the articles write of is answered only
        from an article that writes their name: "How long is Rustem Abdullaev's prison
        sentence?" was answered (0.70) by another prisoner's 17 years, in an article that
        never names him (NU30-1). The first quote from elsewhere is at most related.
        """
        ranking = self._rank(question, vector, language)
        if self._about_someone_else(ranking, question, language):
            return capped(ranking, self.related_below)
        return self._interview_answer_first(ranking, question, language)

    def _interview_answer_first(
        self, ranking: Ranking, question: str, language: str | None
    ) -> Ranking:
        """The ranking with the interviewee's answer first, when the question names in full
        someone an article interviews and, asked of them in the second person ("Why did you
        pick Georgia?"), it is one of the interview's question lines in other words
        ("**Why did you choose Georgia?**", cosine at least ``INTERVIEW_LINE_MATCH``): the
        answer under that line, at the question's own relevance
        (embeddings/interview_questions.py). "How old was Elvira Seitova when she started
        teaching?" is none of her interview's questions (0.56 to "How many pupils did you
        have when you started?"): her answer about her pupils stays where it ranks."""
        for name in people_asked(question):
            interviews = self._interviews_of(name, language)
            asked = second_person(question, name) if interviews else None
            if asked is None:
                continue
            lines = [n for doc in sorted(interviews) for n in self._question_lines(doc)]
            if not lines:
                continue
            texts = [self.index.sentences[n].text.strip().strip("*_#").strip() for n in lines]
            vectors = self.encoder.encode([asked, *texts])
            cosines = vectors[1:] @ vectors[0]
            best = int(np.argmax(cosines))
            answer = answer_under(self.index, self._traits, lines[best])
            if cosines[best] < INTERVIEW_LINE_MATCH or not answer:
                continue
            at = np.flatnonzero(ranking.ids == answer[0])
            if len(at) and at[0] > 0:
                return moved_first(ranking, int(at[0]), ranking.relevance)
        return ranking

    def _question_lines(self, doc: int) -> list[int]:
        """The ids of an article's markup lines that ask a question, read in the article's
        own range of sentences."""
        first = self.index.first_sentence(doc)
        last = first + self.index.sentence_count_of(doc)
        return [n for n in range(first, last) if question_line(self.index, n)]

    def _interviews_of(self, name: str, language: str | None) -> set[int]:
        """The documents that write ``name`` and interview that person."""
        documents = set(self._documents_writing(name, language).tolist())
        return {doc for doc in documents if interviewee(self.index.documents[doc].text) == name}

    def _about_someone_else(self, ranking: Ranking, question: str, language: str | None) -> bool:
        """Whether the question names in full someone the articles write of in full, and the
        first quote's article writes no word of that name."""
        if not len(ranking.ids):
            return False
        lexical = self.index.lexical
        first = int(self.index.doc_of[int(ranking.ids[0])])
        title = set(lexical.query_terms(self.index.documents[first].title, language))
        for name in people_asked(question):
            if not len(lexical.containing(name, language)):
                continue  # a name the articles never write: the question's other judges
            if title & lexical.query_terms(name, language):
                continue
            if not any(
                np.any(self._documents_writing(word, language) == first) for word in name.split()
            ):
                return True
        return False

    def _documents_writing(self, text: str, language: str | None) -> npt.NDArray[np.int64]:
        """The document of each sentence that holds every term of ``text``."""
        return self.index.doc_of[self.index.lexical.containing(text, language)]

    def _rank(self, question: str, vector: Vectors, language: str | None) -> Ranking:
        """The ranking before the check that it speaks of whom the question names.

        A question that asks what a person the corpus quotes said is ranked among that
        person's sentences (embeddings/speaker_questions.py), when the corpus gives the
        person's own words at least ``QUOTED_SHARE`` times as often as it names them.
        """
        # The store's own rows (read from vectors.npy when loaded): no second copy of the
        # vectors, and no mapped pages left resident per question.
        rows = self.index.vectors.rows
        ranking = rank(self.index, rows, question, vector, self._traits, language=language)
        if asks_for_money(question):
            ranking = self._money_of_the_kind_first(ranking, question)
            if not self._money_first(ranking, question):
                # "How much was the burned wheat worth?" was answered at 0.61 by a tonnage
                # (NU24B-1): the learned weight of a missing kind of answer lowers the
                # relevance but a question for an amount of money whose first quote names
                # none is at most related. Only the first: "How much did the 1998
                # restoration cost?" was answered (0.93) by the restoration's length because
                # the third passage priced a roof (NU25B-2). On SQuAD dev the first quote
                # alone costs 3 answered questions, each with a wrong first sentence.
                ranking = capped(ranking, self.related_below)
        if asks_when(question) and not self._time_first(ranking, asks_when_last(question)):
            # "When will Crimea be discussed at the G20 summit?" was answered (0.75) by a
            # first quote with no time in it or near it (NU26-7): at most related.
            ranking = capped(ranking, self.related_below)
        elif asks_when_ahead(question) and not self._ahead_first(ranking):
            # "On what date will the court rule on Umerov's case?" was answered (0.74) by
            # "August 18, FSB officers ... transferred Umerov" (NU32-9): at most related.
            ranking = capped(ranking, self.related_below)
        if answer_type(question) == SPAN and not self._span_of_the_person(ranking, question):
            # "How long has Ruslan Ablyazov been the imam of the mosque?" was answered (0.90)
            # by "the third search of a mosque ... since the start of the year" joined to the
            # sentence naming him (NU31-1): at most related.
            ranking = capped(ranking, self.related_below)
        where = asked_where(question)
        if where is not None and self._place_of_another(ranking, where):
            # "Where does Seyran Kadyrov live now?" was answered (0.63) by his "My mother
            # lives in Yevpatoria" (NU31-2): at most related.
            ranking = capped(ranking, self.related_below)
        counted = counted_terms(question)
        if counted is not None and not self._counted_among(ranking, counted):
            # "How many consultant obstetricians does Carrow employ?" was answered (0.83) by
            # a count of births (NU25-2): at most related.
            ranking = capped(ranking, self.related_below)
        holder = asked_holder(question)
        if holder is not None:  # "Who heads Koryn Watch?"
            at = holder_at(self.index, ranking, holder)
            if at is None and holder.needs_title:
                # "Who is Elvira Osmanova's lawyer?" was answered (0.90) by sentences that
                # name no lawyer (NU28B-2): no lawyer of hers, at most related.
                return capped(ranking, self.related_below)
            return ranking if at is None else described_first(ranking, at)
        person = asked_person(question)
        if person is not None:  # "Who is Refat Chubarov?"
            return description_first(self.index, ranking, person)
        asked = asked_speaker(question)
        if asked is None:
            return ranking
        holders = self.speakers_named(asked.name, language)
        spoken = self.spoken_by(holders)
        whose = _WHOSE_OFFICE.match(asked.name)
        if whose is not None and len(spoken):
            # Abdullaev's lawyer's words are those of the articles about Abdullaev: the same
            # lawyer's words on another client came first (NU30-4).
            about = np.isin(
                self.index.doc_of[spoken], self._documents_writing(whose["whose"], language)
            )
            spoken = spoken[about] if about.any() else spoken
        naming = self.index.lexical.containing(asked.name, language)
        named = len(naming)
        person = person_named(asked.name)
        if not len(spoken) and person is not None:
            return self._unquoted_persons_words(ranking, asked, naming, person)
        if not len(spoken) and _A_TITLE.match(asked.name):
            office = title_head(asked.name)
            if asked.reaction:
                # "How did the museum director react to the appeal?"; "How did the playwright
                # respond to the open letter?" (a noun that is no office: the one who reacts)
                return self._reaction_first(ranking, office or head_word(asked.name))
            if asked.literal and office is not None:
                ranking = self._without_words_of_others_named(ranking, asked.name)
                return self._unquoted_titles_words(ranking, asked.name)
        if not len(spoken) or len(spoken) < QUOTED_SHARE * named:
            return self._without_words_of_others_named(ranking, asked.name)
        # When the best sentence for the whole question is the person's own, the corpus
        # speaks of what was asked, whatever the topic's words: "How does the lawyer describe
        # Umerov's condition?" (his one sentence says "his health") keeps the whole
        # question's judgement up to related. Not answered on that ground alone: "What did
        # Nikolai Polozov say about fines?" finds his one sentence too, by his name. Asked by
        # whom they serve ("How does Umerov's lawyer describe his condition?"), their name is
        # not the question's: the whole question's judgement stands. A topic none of their
        # passages names stays declined ("What did Sydorenko say about the harbour?").
        best_is_theirs = len(ranking.ids) > 0 and bool(np.isin(ranking.ids[0], spoken))
        judged = ranking.relevance if whose else min(ranking.relevance, self.related_below)
        among = rank_among(
            self.index,
            rows,
            question,
            vector,
            spoken,
            asked.topic,
            SPEAKER_PRECISION,
            self._traits,
            language,
            at_least=judged if best_is_theirs else 0.0,
            names=holders,
        )
        if among.relevance < self.abstain_below and self._unheld_somewhere(asked.name, language):
            # The named holders' words do not answer, and an article speaks of a holder it
            # never names ("What did the mayor say about teachers?": "The mayor said the city
            # could not pay teachers", NU18B-1): search as any other question, without the
            # words of speakers who do not hold the title.
            return self._without_words_of_others_named(ranking, asked.name)
        if len(holders) > 1 and not looks_like_a_name(asked.name):
            return self._each_holder_first(among)
        return among

    def _unquoted_persons_words(
        self,
        ranking: Ranking,
        asked: SpeakerQuestion,
        naming: npt.NDArray[np.int32],
        person: str,
    ) -> Ranking:
        """The ranking for "What did X say?" where no sentence is attributed to X.

        - When the articles never write X's name ("What did Joe Biden say about Crimea?"), or
          write its words only apart ("Maureen Kerr, whose son Liam ...": "What did Liam
          Kerr say?" got his mother's words, NU24-1), nothing in them is X's words: the
          closest passages are at most related.
        - Otherwise others' words about X are left out (``_without_words_of_others_named``),
          and the best sentence left answers only when it reports speech whose speaker is X
          or a pronoun (``reports_speech_of``): someone's account of X's words ('he said:
          "The soldiers put women and children in front"', Dzhemilev's, for Putin's).
          Otherwise it is what others say of X, at most related, when it is someone else's
          sentence (a speaker the articles name): the mayor's "The health minister, Alan
          Pryce, has the power to call it in" (NU25-3), "Lawyer Lenur Asanov said that his
          client Server Mustafayev ..." for "How did Server Mustafayev react?" (NU27-1). So is
          a sentence of the articles' own when the question asks for words: "His neighbour
          Dilyaver Memetov ... was also questioned" (NU26-5), "questioned by investigator
          Pavel Sorokin, relatives said" (NU27-2). A question for a view or an act may be
          answered by a sentence the articles attribute to no one ("Rutherford later reported
          that ...", "What did Watt add to the steam engine?").
        """
        if not self._writes(naming, asked.name):
            return capped(ranking, self.related_below)
        ranking = self._without_words_of_others_named(ranking, asked.name)
        if not len(ranking.ids):
            return ranking
        if asked.reaction:
            return self._reaction_first(ranking, person)
        best = int(ranking.ids[0])
        if self._reports_words_of(best, person):
            return ranking
        if asked.literal or self.speaker(best) is not None:
            return capped(ranking, self.related_below)
        return ranking

    def _reaction_first(self, ranking: Ranking, person: str) -> Ranking:
        """The ranking for "How did X respond to ...?" (X never quoted): the first of its
        first ``REACTIONS_READ`` sentences that reports X's words or makes X the subject of a
        verb ("Aksyonov rejected the petition"), first, at the question's relevance; with none,
        at most related: "How did Sergei Aksyonov respond to the villagers' petition?" was
        answered (0.72) by the petition to him, his reaction never reported (NU29-1)."""
        sentences = self.index.sentences
        for at, sentence_id in enumerate(ranking.ids[:REACTIONS_READ].tolist()):
            text = sentences[sentence_id].text
            if self._reports_words_of(sentence_id, person) or acts_in(text, person):
                return moved_first(ranking, at, ranking.relevance) if at else ranking
        return capped(ranking, self.related_below)

    def _reports_words_of(self, sentence_id: int, person: str) -> bool:
        """Whether the sentence reports words that may be ``person``'s (``reports_speech_of``);
        in someone else's words, only within their quotation, by the person's name or "he" or
        "she" (``ONE_OTHER``)."""
        text = self.index.sentences[sentence_id].text
        speaker = self.speaker(sentence_id)
        theirs = speaker is None or (
            bool(set(name_words(speaker)) & set(name_words(person)))
            and not describes_by(speaker, person)
        )
        if theirs:
            return reports_speech_of(text, person)
        return reports_speech_of(within_quotations(text), person, ONE_OTHER)

    def _unquoted_titles_words(self, ranking: Ranking, title: str) -> Ranking:
        """The ranking for "What did the imam say?" where no sentence is attributed to anyone
        with that title: the best sentence left answers only when it reports speech whose
        speaker holds a word of the title or is a pronoun ("The mayor said the city could not
        pay teachers", NU18B-1). A warning issued to the imam, who "has not commented", was
        answered (0.53) as his words (NU29-3)."""
        if len(ranking.ids) and not reports_speech_of(
            self.index.sentences[int(ranking.ids[0])].text, title
        ):
            return capped(ranking, self.related_below)
        return ranking

    def _money_of_the_kind_first(self, ranking: Ranking, question: str) -> Ranking:
        """The ranking with the first of its first ``KIND_PASSAGES_READ`` sentences that names
        money other than a fine moved first, at the ranking's relevance, when the first names
        only a fine and the question asks what was spent, is worth or is received
        (``fine_for_a_cost``): "How much money do the children of jailed Crimean Tatars get
        every month?" got the fines for pickets first, the 5000 rubles third (NU33-13). The
        sentence moved names something the question names besides money."""
        sentences = self.index.sentences
        ids = ranking.ids[:KIND_PASSAGES_READ].tolist()
        if not ids or not fine_for_a_cost(question, sentences[int(ids[0])].text):
            return ranking
        # Of what was asked: the family's 1.2 million roubles on their house are no cost of
        # the mosque.
        topic = money_topic(question)
        for at, sentence_id in enumerate(ids[1:], start=1):
            text = sentences[int(sentence_id)].text
            if (
                names_money([text])
                and not fine_for_a_cost(question, text)
                and topic & set(tokenize(text))
            ):
                return moved_first(ranking, at, ranking.relevance)
        return ranking

    def _money_first(self, ranking: Ranking, question: str) -> bool:
        """Whether the first quote's passages write an amount of money: in its best sentence,
        or in a sentence of its run or a neighbour that shares a word with the question or
        leans on the sentence before ("They range from 5,000 to 60,000 euros.", NU26B-1).
        "How much was Leniye Mambetova fined?" was answered (0.80) by a fine with no amount
        beside a fundraising total (NU28-1), and (0.30) when that total was joined into the
        quote itself (NU28B-1). A fine is no answer to what was spent (``fine_for_a_cost``,
        NU33-1)."""
        if not len(ranking.ids):
            return False
        asked = set(tokenize(question))
        best = int(ranking.ids[0])
        sentences = self.index.sentences

        def about_it(n: int) -> bool:
            text = sentences[n].text
            return (
                names_money([text])
                and not fine_for_a_cost(question, text)
                and (
                    n == best
                    or bool(asked & set(tokenize(text)))
                    or bool(self._traits.leans[np.array([n])][0])
                )
            )

        return any(
            about_it(n)
            for sentence_id in self._first_quote_run(ranking)
            for n in passage_ids(self._traits, sentence_id)
        )

    def _span_of_the_person(self, ranking: Ranking, question: str) -> bool:
        """Whether, when the question names in full someone the first quote's article writes
        as a person, a length of time or distance in the first quote's passages is said of
        them: in a sentence that names them, or says "he", "she", "his" or "her" right after
        one that does. True for a question naming no such person. Asked of someone's kin or
        belonging ("How long has Ruslan Kerimov's son been dancing ...?"), the length must be
        said of the son: the father's "has led the ensemble since 2009" answered it (0.84,
        NU33B-2)."""
        if not len(ranking.ids):
            return True
        first = int(self.index.doc_of[int(ranking.ids[0])])
        document = self.index.documents[first]
        people = [
            name
            for name in people_asked(question)
            if treats_as_person(document.text, name, document.language)
            or self._described_in(first, name, document.language)
        ]
        if not people:
            return True
        language = normalise_language(document.language)
        words = {
            term for name in people for term in tokenize(_possessed(question, name), language)
        }
        sentences = self.index.sentences

        def names_them(n: int) -> bool:
            return n >= 0 and bool(words & set(tokenize(sentences[n].text, language)))

        # "he" is them only right after a sentence that names them: "He has lived in Mazanka
        # since 2012." after a sentence about Rustem Ablaev is not Seitumer Kadyrov's (NU31B-2).
        return any(
            self._traits.has_span[n]
            and (
                names_them(n)
                or (
                    _PERSONAL.search(sentences[n].text) is not None
                    and names_them(int(self._traits.previous[n]))
                )
            )
            for sentence_id in self._first_quote_run(ranking)
            for n in passage_ids(self._traits, sentence_id)
        )

    def _place_of_another(self, ranking: Ranking, asked: WhereQuestion) -> bool:
        """Whether the first quote holds the verb of "Where does X <verb>?" only said of
        someone other than X (``said_of_another``)."""
        sentences = self.index.sentences
        run = " ".join(sentences[n].text for n in self._first_quote_run(ranking))
        return said_of_another(run, asked)

    def _described_in(self, document: int, name: str, language: str | None) -> bool:
        """Whether a sentence of ``document`` says who ``name`` is ("The imam of the mosque,
        Ruslan Ablyazov, was questioned")."""
        ids = self.index.lexical.containing(name, language)
        return any(
            describes(self.index.sentences[n].text, name, language)
            for n in ids[self.index.doc_of[ids] == document].tolist()
        )

    def _time_first(self, ranking: Ranking, last: bool) -> bool:
        """Whether the first quote's sentences, or their neighbours in the same paragraph,
        write any expression of time (without ``last``, not one something has not happened
        since: ``names_time``). "On what date did prosecutors warn the imam?" was answered
        (0.47) by a warning dated nowhere, the next paragraph's "fined in March" dating other
        fines (NU29-2)."""
        return any(names_time(texts, last) for texts in self._first_quote_paragraphs(ranking))

    def _ahead_first(self, ranking: Ranking) -> bool:
        """Whether the first quote's sentences, or their neighbours in the same paragraph,
        speak of what is to come (``tells_ahead``)."""
        return any(tells_ahead(texts) for texts in self._first_quote_paragraphs(ranking))

    def _first_quote_paragraphs(self, ranking: Ranking) -> Iterator[list[str]]:
        """For each sentence of the first quote, its text and its neighbours' in the same
        paragraph: where a "when" question's time is looked for."""
        sentences = self.index.sentences
        for sentence_id in self._first_quote_run(ranking):
            yield [
                sentences[n].text
                for n in passage_ids(self._traits, sentence_id)
                if same_paragraph(self.index, *sorted((n, sentence_id)))
            ]

    def _first_quote_run(self, ranking: Ranking) -> range:
        """The first candidate and the candidates among the first ``JOINS_READ`` that make one
        run of consecutive sentences with it (at most ``MAX_QUOTE_SENTENCES``), as the first
        quote joins them: "How big are the fines ...?" is answered by a quote of three
        sentences whose third names the fine (NU26B-1). Not other quotes: a roof's price
        further down does not answer a restoration's cost (NU25B-2)."""
        if not len(ranking.ids):
            return range(0)
        low = high = int(ranking.ids[0])
        read = set(ranking.ids[:JOINS_READ].tolist())
        # A document's sentences have consecutive ids (SentenceTraits.previous/following).
        while high - low + 1 < MAX_QUOTE_SENTENCES:
            before, after = int(self._traits.previous[low]), int(self._traits.following[high])
            if before in read and same_paragraph(self.index, before, low):  # as quotes join
                low = before
            elif after in read and same_paragraph(self.index, high, after):
                high = after
            else:
                break
        return range(low, high + 1)

    def _counted_among(self, ranking: Ranking, terms: frozenset[str]) -> bool:
        """Whether one of the first passages writes a number of what ``terms`` name; a number
        of people of another kind only in the first: "How many activists took part?" was
        answered (0.80) by a third quote's "hundreds of other people" (NU28-8), and so is a
        number of "people" ("How many people attended the banner action?" was answered, 0.61,
        by the second's "Ilmi Umerov and hundreds of other people there say", NU33-3)."""
        passages = list(self._first_passages(ranking))
        kind = terms - ANYONE
        return (
            bool(kind) and any(counts(kind, texts, as_people=False) for texts in passages)
        ) or any(counts(terms, texts) for texts in passages[:1])

    def _first_passages(self, ranking: Ranking) -> Iterator[list[str]]:
        """The texts of the passages (a sentence and its neighbours) of the first
        ``KIND_PASSAGES_READ`` candidates: where a count asked for is looked for."""
        for i in ranking.ids[:KIND_PASSAGES_READ].tolist():
            yield [self.index.sentences[n].text for n in passage_ids(self._traits, int(i))]

    def _writes(self, ids: npt.NDArray[np.int32], name: str) -> bool:
        """Whether one of the sentences ``ids`` writes ``name``'s words together, in order."""
        words = [re.escape(word) for word in name.split()]
        written = re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)
        return any(written.search(self.index.sentences[int(n)].text) for n in ids.tolist())

    def _each_holder_first(self, ranking: Ranking) -> Ranking:
        """The ranking with each holder's best sentence moved ahead of everyone's second:
        "What did the mayor say?" asked of two towns' articles gave three sentences of the
        mayor whose sentences say "mayor" and none of the other (NU22-7)."""
        seen: set[str | None] = set()
        first: list[int] = []
        for n, sentence_id in enumerate(ranking.ids.tolist()):
            speaker = self.speaker(sentence_id)
            if speaker not in seen:
                seen.add(speaker)
                first.append(n)
        order = np.r_[first, np.setdiff1d(np.arange(len(ranking.ids)), first)].astype(np.int64)
        return reordered(ranking, order)

    def _without_words_of_others_named(self, ranking: Ranking, name: str) -> Ranking:
        """The ranking without the sentences (among its first ``OTHERS_CHECKED``) that are
        someone else's words by what the articles say:

        - of someone they describe by ``name``: "What did Viktor Savchuk say?" asked of
          articles that quote only "the lawyer of Viktor Savchuk" got the lawyer's words
          first, answered (NU18B-3);
        - for a title ("the mayor"), of a known speaker whom that article gives another
          office and not this one, or who is not the one it gives this one: the deputy
          mayor's and the spokesman's words came first for "What did the mayor say?"
          (NU18B-2), where the articles disagree on who the mayor is; or whom it gives the
          office only of another place ("The mayor of Lysets" for "the mayor of Brodivka",
          NU22-6). A speaker the article
          gives no office is kept: "the defendant's lawyer" is Umerov's lawyer, which the
          titles do not tell.

        The judgement then rests on the next sentence.
        """
        office = None if looks_like_a_name(name) else title_head(name)
        check = min(len(ranking.ids), OTHERS_CHECKED)
        keep = np.ones(len(ranking.ids), dtype=np.bool_)
        for n, sentence_id in enumerate(ranking.ids[:check].tolist()):
            speaker = self.speaker(sentence_id)
            if speaker is not None and describes_by(speaker, name):
                keep[n] = False
            elif office is not None and (
                speaker is None or not set(name_words(speaker)) <= set(name_words(name))
            ):
                document = self.index.documents[self.index.sentences[sentence_id].doc]
                holder = title_holder(document.text, name, document.language)
                if speaker is None:
                    # Where the article names the holder, a sentence it does not give them is
                    # not theirs (the police chief's uncited "Koval told reporters" beside the
                    # mayor Anna Koval, NU18D-1); where it names none, it may be.
                    keep[n] = holder is None
                    continue
                offices = offices_of(document.text, speaker, document.language)
                keep[n] = speaker == holder or (
                    holder is None
                    and (not offices or office in offices)
                    and not qualified_otherwise(document.text, speaker, name, document.language)
                )
        if keep.all():
            return ranking
        return Ranking(
            ranking.ids[keep], ranking.fused[keep], ranking.dense[keep], ranking.lexical[keep]
        )

    def speakers_named(self, name: str, language: str | None = None) -> list[str]:
        """The speakers a question means by ``name``: those whose name holds every word of it
        ("Dzhemilev"), else the people the articles that use the title give it to ("the Head
        of the Mejlis", "the lawyer", "the minister": each article's one holder; at most
        ``TITLE_ARTICLES`` articles read), else, for a title before a name ("Mayor Koval"),
        the one speaker of that name who holds that title (not the mayor's cousin)."""
        known = self.speaker_names()
        found = matching_speakers(name, known)
        if found:
            return found
        holders = sorted(h for h in self._title_holders(name, language) if h and h in known)
        if holders:
            return holders
        whose = _WHOSE_OFFICE.match(name)
        if whose is not None:
            # "What did Abdullaev's lawyer say?": the lawyer of the articles that name
            # Abdullaev (NU30-4: declined, "lawyer Edem Yakubov" never read as his).
            serving = self._title_holders(whose["office"], language, whose["whose"])
            found = sorted(h for h in serving if h and h in known)
            surname = whose["whose"].split()[-1]
            if found or surname == whose["whose"]:
                return found
            # "What did Rustem Ablaev's lawyer say?" of an article with two lawyers, one
            # written "Ablaev's lawyer Refat Yunusov": the one whose title names him as news
            # names a person again, by surname (NU31B-3: got Ablaev's own words).
            serving = self._title_holders(
                f"{surname}'s {whose['office']}", language, whose["whose"]
            )
            return sorted(h for h in serving if h and h in known)
        words = name.split()
        for cut in range(1, len(words)):
            title, rest = " ".join(words[:cut]), " ".join(words[cut:])
            if not looks_like_a_name(rest):
                continue
            named = matching_speakers(rest, known)
            if named:
                holding = {holder for holder in self._title_holders(title, language) if holder}
                holding &= set(named)
                return sorted(holding) if len(holding) == 1 else []
        return []

    def _unheld_somewhere(self, name: str, language: str | None) -> bool:
        """Whether ``name`` is a title that some article using it gives to nobody by name
        ("The mayor said ..." in a school article that never names the mayor)."""
        if looks_like_a_name(name) or title_head(name) is None:
            return False
        return None in self._title_holders(name, language)

    def _title_holders(
        self, title: str, language: str | None, about: str | None = None
    ) -> set[str | None]:
        """Who holds ``title`` in each article whose sentences carry all its words; None for
        an article that gives it to nobody (or to several): "the mayor" of a school article
        that never names her is not the mayor another article names (NU18B-1). For a title
        "of" a place ("the mayor of Brodivka"), the articles with a sentence that names the
        office: one about Brodivka may say "Mayor Olha Kravets" and name the town elsewhere
        (NU22-6). With ``about``, only the articles that also name that person."""
        ids = self.index.lexical.containing(title, language)
        office = title_head(title)
        if office is not None and names_a_place(title):
            ids = np.union1d(ids, self.index.lexical.containing(office, language))
        docs = list(dict.fromkeys(int(self.index.doc_of[n]) for n in ids.tolist()))
        if about is not None:
            naming = set(self._documents_writing(about, language).tolist())
            docs = [doc for doc in docs if doc in naming]
        return {
            title_holder(document.text, title, document.language)
            for document in (self.index.documents[doc] for doc in docs[:TITLE_ARTICLES])
        }

    def speaker_names(self) -> Sequence[str]:
        """Every person the corpus's articles name as the speaker of a sentence."""
        stored = self._stored_speakers()
        if stored is not None:
            return stored.names()
        return tuple(self._speaker_column())

    def spoken_by(self, names: Sequence[str]) -> npt.NDArray[np.int64]:
        """The ids of the sentences that ``names`` spoke, ascending."""
        if not names:
            return np.zeros(0, dtype=np.int64)
        stored = self._stored_speakers()
        if stored is not None:
            return stored.sentences_of(names)
        column = self._speaker_column()
        found = sorted(n for name in set(names) for n in column.get(name, ()))
        return np.array(found, dtype=np.int64)

    def _stored_speakers(self) -> StoredSpeakers | None:
        stored = getattr(self.index.sentences, "speakers", None)
        return None if stored is None else cast("StoredSpeakers", stored)

    def _speaker_column(self) -> dict[str, list[int]]:
        """Per speaker the ids of their sentences, for an index built in memory (read once:
        about 5 ms per 200 sentences)."""
        with self._speakers_lock:
            if self._by_speaker is None:
                column: dict[str, list[int]] = {}
                for doc in range(len(self.index.documents)):
                    count = self.index.sentence_count_of(doc)
                    if not count:
                        continue
                    first = self.index.first_sentence(doc)
                    for n, name in enumerate(self._speakers_of(doc, count - 1)):
                        if name is not None:
                            column.setdefault(name, []).append(first + n)
                self._by_speaker = column
            return self._by_speaker

    def quotes(self, ranking: Ranking, top_k: int, join: bool = True) -> tuple[Quote, ...]:
        """The ranking's top_k distinct sentences as quotes; with ``join``, top_k quotes in
        which consecutive sentences of one article are one quote (embeddings/quote_joining.py),
        reading further down the ranking for each sentence a join used up, and at least the
        first JOINS_READ for the neighbours that complete a quote."""
        limit = max(top_k * MAX_QUOTE_SENTENCES, JOINS_READ) if join else top_k
        groups: dict[str, tuple[int, float, list[int]]] = {}
        for sentence_id, score in zip(ranking.ids.tolist(), ranking.fused.tolist(), strict=True):
            sentence = self.index.sentences[sentence_id]
            if is_markup_sentence(self.index, sentence):
                continue  # never a quote (embeddings/ranking.py HEADINGS_CHECKED)
            key = same_text_key(sentence.text)
            if key in groups:
                docs = groups[key][2]
                if sentence.doc not in docs:
                    docs.append(sentence.doc)
            elif len(groups) < limit:
                groups[key] = (sentence_id, score, [sentence.doc])
        quotes = tuple(
            self._quote(sentence_id, score, docs) for sentence_id, score, docs in groups.values()
        )
        return first_quotes(quotes, top_k) if join else quotes

    def _quote(self, sentence_id: int, score: float, docs: list[int]) -> Quote:
        sentence = self.index.sentences[sentence_id]
        before, after = self.index.neighbours(sentence_id)
        documents = self.index.documents
        document = documents[sentence.doc]
        speaker, reported = self._attribution(sentence_id)
        return Quote(
            text=sentence.text,
            score=score,
            document=document,
            position=sentence.position,
            context_before=before.text if before else None,
            context_after=after.text if after else None,
            also_in=tuple(documents[doc] for doc in docs[1:]),
            speaker=speaker,
            reported_speech=reported,
            start=sentence.start,
            end=sentence.end,
        )

    def _attribution(self, sentence_id: int) -> tuple[str | None, bool]:
        """The sentence's speaker, and whether it is the article's account of their words
        (reported speech) rather than their words in quotation marks."""
        speaker = self.speaker(sentence_id)
        if speaker is None:
            return None, False
        sentence = self.index.sentences[sentence_id]
        text = self.index.documents[sentence.doc].text
        own = in_own_words(text, sentence.start, sentence.end) or answers_as_interviewee(
            text, sentence.start, speaker
        )
        return speaker, not own

    def speaker(self, sentence_id: int) -> str | None:
        """Who the article says spoke a sentence (None when it does not say).

        A loaded index stores every sentence's speaker (computed at build:
        embeddings/speaker_table.py), so this reads it. An index built in memory computes it
        per article on first use (regular expressions over one article: about 5 ms for 200
        sentences), only as far as the quoted sentence (``speakers(upto=...)``: the same
        speakers), kept for the ``SPEAKER_ARTICLES`` articles quoted last.
        """
        stored = self._stored_speakers()
        if stored is not None:
            return stored.speaker(sentence_id)
        doc = int(self.index.doc_of[sentence_id])
        position = sentence_id - self.index.first_sentence(doc)
        with self._speakers_lock:
            known = self._speakers.get(doc)
            if known is not None:
                self._speakers.move_to_end(doc)
        if known is None or known[0] < position:
            known = (position, self._speakers_of(doc, position))
            with self._speakers_lock:
                if self._speakers.get(doc, (-1, ()))[0] < position:
                    self._speakers[doc] = known
                while len(self._speakers) > SPEAKER_ARTICLES:
                    self._speakers.popitem(last=False)
        return known[1][position]

    def _speakers_of(self, doc: int, upto: int) -> tuple[str | None, ...]:
        first = self.index.first_sentence(doc)
        count = self.index.sentence_count_of(doc)
        document = self.index.documents[doc]
        spans = [(s.start, s.end) for s in self.index.sentences[first : first + count]]
        return tuple(speakers(document.text, spans, document.language, upto=upto))

    def passage(self, document_id: str, position: int, radius: int = 2, span: int = 1) -> Passage:
        """The ``span`` sentences from (document, position) on (a joined quote is up to
        MAX_QUOTE_SENTENCES) with up to ``radius`` sentences each side.

        Raises LookupError for an unknown document, position or span: the arguments may come
        from a forged Telegram callback.
        """
        if not 1 <= span <= MAX_QUOTE_SENTENCES:
            raise LookupError(f"no quote of {span} sentences")
        if self._documents_by_id is None:
            self._documents_by_id = {document.id: n for n, document in enumerate(self.documents)}
        doc = self._documents_by_id.get(document_id)
        if doc is None or not self.index.sentence_count_of(doc):
            raise LookupError(f"no document {document_id!r}")
        first = self.index.first_sentence(doc)
        sentence_id = first + position
        last_id = sentence_id + span - 1
        if (
            position < 0
            or last_id >= len(self.index.sentences)
            or self.index.sentences[last_id].doc != doc
        ):
            raise LookupError(f"no sentence {position + span - 1} in document {document_id!r}")
        low = sentence_id
        while low > first and sentence_id - low < radius:
            low -= 1
        high = last_id
        while (
            high + 1 < len(self.index.sentences)
            and self.index.sentences[high + 1].doc == doc
            and high - last_id < radius
        ):
            high += 1
        sentences = list(self.index.sentences[low : high + 1])
        speaker, reported = self._attribution(sentence_id)
        document = self.index.documents[doc]
        return Passage(document, tuple(sentences), position, span, speaker, reported)


def _possessed(question: str, name: str) -> str:
    """What the question asks of ``name``'s: "son" in "Ruslan Kerimov's son"; else the name."""
    found = re.search(re.escape(name) + r"['’]s\s+([a-z]+)", question)
    return found.group(1) if found else name
