"""Loading SQuAD v1.1 files as a corpus of documents and a set of questions about them.

SQuAD is how we measure retrieval on data nobody here wrote. Each SQuAD article becomes one
:class:`Document` whose text is its paragraphs joined by a blank line, so that a paragraph
break ends a sentence for the splitter, and each answer's character offset is moved from its
paragraph into the article, so that evaluation can find the sentence that contains it.

Every problem with the file becomes a one-line :class:`CorpusError` naming the file and the
place in it: a question that quietly went missing or an offset that points at the wrong text
would make the measured numbers wrong in a way nobody could trace.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml

from embeddings.errors import CorpusError
from embeddings.types import Document

logger = logging.getLogger(__name__)

SQUAD_SOURCE = "SQuAD v1.1"
PARAGRAPH_SEPARATOR = "\n\n"
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
# corpus.read_corpus skips these names (documentation), so no article may be given one.
_RESERVED_SLUGS = frozenset({"readme"})


@dataclass(frozen=True)
class SquadQuestion:
    """A question, the article it was asked about, and where its answers are in that article.

    ``answer_starts[i]`` is the character offset of ``answers[i]`` in
    ``documents[document].text`` (not in the paragraph, as in the file).
    """

    id: str
    question: str
    document: int
    answer_starts: tuple[int, ...]
    answers: tuple[str, ...]


@dataclass(frozen=True)
class SquadSet:
    """All the articles of a SQuAD file (the retrieval pool) and the questions asked."""

    documents: tuple[Document, ...]
    questions: tuple[SquadQuestion, ...]


def load_squad(path: Path, limit: int | None = None) -> SquadSet:
    """Read a SQuAD v1.1 JSON file.

    Args:
        path: The file, in the format ``{"data": [{"title", "paragraphs": [{"context",
            "qas": [{"id", "question", "answers": [{"text", "answer_start"}]}]}]}]}``.
        limit: Keep only the first ``limit`` questions in file order. All articles are kept
            whatever the limit, because the retrieval pool must stay the whole file: a
            smaller pool would make the task easier and the numbers incomparable.

    Returns:
        The articles in file order and the questions, each answer offset checked against
        its text.

    Raises:
        CorpusError: The file is missing, unreadable, not JSON, not shaped like SQuAD v1.1,
            or an answer is not at the offset the file gives.
        ValueError: ``limit`` is negative.
    """
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be at least 0, not {limit}")
    data = _read_json(path)
    articles = _field(path, data, "data", list, "the file")
    documents: list[Document] = []
    questions: list[SquadQuestion] = []
    used_ids: set[str] = set()
    for article_number, article in enumerate(articles):
        where = f"data[{article_number}]"
        if not isinstance(article, dict):
            raise _structure_error(path, where, "an object")
        raw_title = _field(path, article, "title", str, where)
        title = " ".join(unquote(raw_title).replace("_", " ").split())
        if not title:
            raise CorpusError(f"{path}: {where}.title is empty")
        paragraphs = _field(path, article, "paragraphs", list, where)
        contexts: list[str] = []
        offset = 0
        for paragraph_number, paragraph in enumerate(paragraphs):
            at = f"{where}.paragraphs[{paragraph_number}]"
            if not isinstance(paragraph, dict):
                raise _structure_error(path, at, "an object")
            context = _field(path, paragraph, "context", str, at)
            if paragraph_number:
                offset += len(PARAGRAPH_SEPARATOR)
            for question in _field(path, paragraph, "qas", list, at):
                if limit is None or len(questions) < limit:
                    questions.append(
                        _question(path, question, at, context, offset, len(documents))
                    )
            contexts.append(context)
            offset += len(context)
        text = PARAGRAPH_SEPARATOR.join(contexts)
        if not text.strip():
            raise CorpusError(f"{path}: {where} ({title}) has no text")
        documents.append(
            Document(
                id=_unique_slug(title, used_ids),
                title=title,
                text=text,
                source=SQUAD_SOURCE,
            )
        )
    if not documents:
        raise CorpusError(f"{path}: the file holds no articles")
    logger.info("read %d articles and %d questions from %s", len(documents), len(questions), path)
    return SquadSet(tuple(documents), tuple(questions))


def write_corpus(documents: Sequence[Document], directory: Path) -> None:
    """Write documents as a corpus directory that ``quotebot --corpus`` can read.

    Each document becomes ``<id>.md``: a YAML front matter block with its metadata (only
    what it has) and then its text, byte for byte, so that ``read_corpus`` gives back the
    very same text and every offset into it stays valid.

    Raises:
        CorpusError: An id cannot be a file name that ``read_corpus`` reads, two documents
            share an id, a document has no title or no text, or a file cannot be written.
    """
    seen: set[str] = set()
    for document in documents:
        _check_writable(document, seen)
        seen.add(document.id)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for document in documents:
            path = directory / f"{document.id}.md"
            # newline="" writes the text's own line endings on every platform.
            with path.open("w", encoding="utf-8", newline="") as handle:
                handle.write(_front_matter(document))
                handle.write(document.text)
    except OSError as error:
        raise CorpusError(
            f"cannot write the corpus in {directory}: {error.strerror or error}"
        ) from None
    logger.info("wrote %d articles to %s", len(documents), directory)


def slugify(title: str) -> str:
    """A file-name-safe id: ``Sky (United Kingdom)`` becomes ``sky-united-kingdom``."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return _NOT_SLUG.sub("-", ascii_title.lower()).strip("-")


def _unique_slug(title: str, used: set[str]) -> str:
    base = slugify(title) or "article"
    if base in _RESERVED_SLUGS:
        base = f"{base}-article"
    slug = base
    number = 2
    while slug in used:
        slug = f"{base}-{number}"
        number += 1
    used.add(slug)
    return slug


def _read_json(path: Path) -> Any:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CorpusError(f"SQuAD file not found: {path}") from None
    except OSError as error:
        raise CorpusError(f"{path}: cannot read file ({error.strerror or error})") from None
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise CorpusError(f"{path}: not valid UTF-8 (at byte {error.start})") from None
    except json.JSONDecodeError as error:
        raise CorpusError(
            f"{path}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
        ) from None


def _field(path: Path, parent: Any, key: str, kind: type, where: str) -> Any:
    if not isinstance(parent, dict):
        raise _structure_error(path, where, "an object")
    if key not in parent:
        raise CorpusError(f"{path}: {where} has no {key!r}; is this a SQuAD v1.1 file?")
    value = parent[key]
    # bool is an int in Python, but never a valid offset.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise _structure_error(path, f"{where}.{key}" if where != "the file" else key, kind)
    return value


_KIND_NAMES = {list: "a list", str: "a string", int: "an integer", dict: "an object"}


def _structure_error(path: Path, where: str, expected: type | str) -> CorpusError:
    name = expected if isinstance(expected, str) else _KIND_NAMES.get(expected, str(expected))
    return CorpusError(f"{path}: {where} must be {name}; is this a SQuAD v1.1 file?")


def _question(
    path: Path, raw: Any, where: str, context: str, offset: int, document: int
) -> SquadQuestion:
    if not isinstance(raw, dict):
        raise _structure_error(path, f"{where}.qas[]", "an object")
    question_id = raw.get("id")
    at = f"question {question_id!r}" if isinstance(question_id, str) else f"{where}.qas[]"
    question_id = _field(path, raw, "id", str, at)
    text = _field(path, raw, "question", str, at)
    answers = _field(path, raw, "answers", list, at)
    if not answers:
        raise CorpusError(
            f"{path}: {at} has no answers (SQuAD v2.0 unanswerable questions are not supported)"
        )
    starts: list[int] = []
    texts: list[str] = []
    for number, answer in enumerate(answers):
        answer_at = f"{at}, answer {number}"
        answer_text = _field(path, answer, "text", str, answer_at)
        start = _field(path, answer, "answer_start", int, answer_at)
        if not answer_text or context[start : start + len(answer_text)] != answer_text:
            raise CorpusError(
                f"{path}: {answer_at}: {answer_text!r} is not at offset {start} of its paragraph"
            )
        starts.append(offset + start)
        texts.append(answer_text)
    return SquadQuestion(question_id, text, document, tuple(starts), tuple(texts))


def _check_writable(document: Document, seen: set[str]) -> None:
    name = document.id
    if (
        not name
        or name != name.strip()
        or name.startswith((".", "_"))
        or any(char in name for char in "/\\\0:")
        or name.lower() in _RESERVED_SLUGS
    ):
        raise CorpusError(f"document id {name!r} cannot be the name of a corpus file")
    if name in seen:
        raise CorpusError(f"two documents have the id {name!r}")
    if not document.title.strip():
        raise CorpusError(f"document {name!r} has no title")
    if not document.text.strip():
        raise CorpusError(f"document {name!r} has no text")


def _front_matter(document: Document) -> str:
    metadata = {
        key: value
        for key, value in (
            ("title", document.title),
            ("source", document.source),
            ("date", document.date),
            ("url", document.url),
            ("language", document.language),
        )
        if value is not None
    }
    # safe_dump quotes whatever YAML would read as something else (yes, 1973, a date...);
    # the huge width keeps each value on one line.
    dumped = yaml.safe_dump(metadata, allow_unicode=True, sort_keys=False, width=1_000_000)
    return f"---\n{dumped}---\n"
