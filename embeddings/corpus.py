"""Reading and validating the articles of a corpus directory.

A corpus is a flat directory with one file per article: Markdown (``.md``) with a YAML front
matter block, or plain text (``.txt``). The format is documented for users in
``corpus/README.md``; this module is its single implementation.

Every problem becomes a one-line :class:`CorpusError` that names the file and the reason,
because the person who sees it is the one who wrote the file, and nothing is skipped silently
except the documentation files the README names: an article that quietly went missing would
make the bot's answers wrong in a way nobody could trace.

The body of an article is kept exactly as written (no newline normalisation, no stripping), so
that sentence offsets point at the very characters of the file and quotes stay verbatim.
"""

from __future__ import annotations

import codecs
import datetime as dt
import difflib
import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from embeddings.errors import CorpusError
from embeddings.language import language_problem
from embeddings.types import Document

logger = logging.getLogger(__name__)

ARTICLE_SUFFIXES = (".md", ".txt")
"""File name endings of articles, matched case-insensitively."""

FRONT_MATTER_KEYS = ("title", "source", "author", "date", "url", "language", "added")
"""The only keys a front matter block may hold; anything else is most likely a typo.

``added`` is when ``quotebot add`` stored the article (ISO 8601, like ``date``)."""

_DOCUMENTATION_STEM = "readme"
_URL_SCHEMES = ("http", "https")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?"
)
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


def _front_matter_loader(base: type[yaml.SafeLoader]) -> type[yaml.SafeLoader]:
    """A safe YAML loader on ``base`` that keeps dates as written and refuses duplicate keys.

    Dates stay strings because PyYAML would turn ``2016-09-03`` into a ``datetime.date`` and
    ``2016-09-03 10:00`` into a ``datetime`` whose text form differs from what the author
    wrote; the metadata must reach the user exactly as the source gives it. Duplicate keys are
    refused because PyYAML would silently keep only the last one.
    """

    class FrontMatterLoader(base):  # type: ignore[valid-type,misc]
        def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
            seen: set[str] = set()
            for key_node, _ in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    if key_node.value in seen:
                        raise yaml.constructor.ConstructorError(
                            None, None, f"duplicate key {key_node.value!r}", key_node.start_mark
                        )
                    seen.add(key_node.value)
            return super().construct_mapping(node, deep=deep)

    FrontMatterLoader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP_TAG]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return FrontMatterLoader


# libyaml's parser when PyYAML was built with it: the pure-Python one took a fifth of the CPU
# of adding one article to a 100,000-sentence corpus (every article's front matter is parsed
# on each build). Same constructor and resolver, so the same values.
_FrontMatterLoader = _front_matter_loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def read_corpus(directory: str | os.PathLike[str]) -> list[Document]:
    """Read every article of a corpus directory.

    Args:
        directory: The corpus directory. It is not read recursively.

    Returns:
        The articles sorted by file name, so that the same directory always gives the same
        order (and so the same index).

    Raises:
        CorpusError: The directory is missing or holds no article, two articles share an id,
            or any article cannot be read or is invalid. The first problem found is reported.
    """
    root = Path(directory)
    paths = corpus_files(root)
    if not paths:
        raise CorpusError(f"no articles (.md or .txt) in {root}")
    documents: list[Document] = []
    first_path_of: dict[str, Path] = {}
    for path in paths:
        if path.stem in first_path_of:
            raise CorpusError(
                f"two articles have the id {path.stem!r}: {first_path_of[path.stem]} and {path}"
                " (the id is the file name without its extension; rename one of them)"
            )
        first_path_of[path.stem] = path
        documents.append(parse_article(path, _read_bytes(path)))
    logger.info("read %d articles from %s", len(documents), root)
    return documents


def corpus_files(directory: str | os.PathLike[str]) -> list[Path]:
    """List the files that :func:`read_corpus` reads, sorted by file name.

    Documentation files (``README.md`` or ``README.txt`` in any case, names starting with
    ``.`` or ``_``) are skipped. Subdirectories and files with other extensions are ignored
    and logged at INFO, so that a user who wonders why a file is not used can find out.

    Raises:
        CorpusError: The directory does not exist, is not a directory, or cannot be listed.
    """
    root = Path(directory)
    if not root.exists():
        raise CorpusError(f"corpus directory not found: {root}")
    if not root.is_dir():
        raise CorpusError(f"corpus path is not a directory: {root}")
    try:
        entries = sorted(root.iterdir(), key=lambda entry: entry.name)
    except OSError as exc:
        raise CorpusError(f"cannot list corpus directory {root} ({_os_reason(exc)})") from exc
    articles: list[Path] = []
    for entry in entries:
        if entry.name.startswith((".", "_")):
            logger.debug("skipping %s: hidden or underscore name", entry)
        elif entry.is_dir():
            logger.info("ignoring subdirectory %s: the corpus is not read recursively", entry)
        elif entry.suffix.lower() not in ARTICLE_SUFFIXES:
            logger.info("ignoring %s: not an article (.md or .txt)", entry)
        elif entry.stem.lower() == _DOCUMENTATION_STEM:
            logger.debug("skipping %s: documentation", entry)
        else:
            articles.append(entry)
    return articles


def decode_article(path: Path, raw: bytes) -> str:
    """Decode a file's bytes to the text that offsets refer to.

    The text is UTF-8 with an optional byte order mark, which is dropped: ``body_offset`` and
    all sentence offsets count characters of the returned string. Anything that needs to map
    offsets back to a file must decode it with this function.

    Raises:
        CorpusError: The bytes are not valid UTF-8; the message gives the byte and its
            position in the file.
    """
    bom = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    try:
        return raw[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        position = bom + exc.start
        raise CorpusError(
            f"{path}: not valid UTF-8 (byte 0x{raw[position]:02x} at position {position});"
            " save the file as UTF-8"
        ) from exc


def parse_article(path: Path, raw: bytes) -> Document:
    """Turn the bytes of one article file into a :class:`Document`.

    Pure: the file is not read, ``path`` only gives the id (its stem), the format (its
    extension), the ``.txt`` title and the name used in error messages.

    Raises:
        CorpusError: The article is invalid; the message names the file and the reason.
    """
    suffix = path.suffix.lower()
    if suffix not in ARTICLE_SUFFIXES:
        raise CorpusError(f"{path}: not an article file (.md or .txt)")
    file_text = decode_article(path, raw)
    if suffix == ".md" and not file_text.strip():
        # A failed download or save (NU22-14): "missing front matter" pointed elsewhere.
        raise CorpusError(f"{path}: the file is empty")
    if suffix == ".txt":
        body_offset = 0
        metadata: dict[str, str | None] = {"title": _title_from_name(path)}
    else:
        front_matter, body_offset = _split_front_matter(path, file_text)
        metadata = _validate_metadata(path, _load_front_matter(path, front_matter))
    text = file_text[body_offset:]
    if not text.strip():
        where = "after the front matter" if suffix == ".md" else "in the file"
        raise CorpusError(f"{path}: the article has no text {where}")
    title = metadata["title"]
    assert title is not None  # _validate_metadata and _title_from_name guarantee it
    return Document(
        id=path.stem,
        title=title,
        text=text,
        source=metadata.get("source"),
        date=metadata.get("date"),
        url=metadata.get("url"),
        language=metadata.get("language"),
        path=str(path),
        body_offset=body_offset,
        author=metadata.get("author"),
    )


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read file ({_os_reason(exc)})") from exc


def _os_reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _title_from_name(path: Path) -> str:
    """``ilmi-umerov_banner.txt`` becomes ``Ilmi umerov banner``."""
    words = re.sub(r"[-_]", " ", path.stem).split()
    title = " ".join(words)
    if not title:
        raise CorpusError(f"{path}: cannot make a title from the file name; rename the file")
    return title[0].upper() + title[1:]


def _is_delimiter(line: str) -> bool:
    return line.rstrip(" \t\r\n") == "---"


def _split_front_matter(path: Path, file_text: str) -> tuple[str, int]:
    """Return the YAML between the ``---`` lines and the offset where the body starts.

    Lines are split on ``\\n`` only (a ``\\r`` before it is part of the line ending), so the
    offset is exact whatever the line endings of the file.
    """
    lines = _lines(file_text)
    first = next(lines, None)
    if first is None or not _is_delimiter(file_text[first[0] : first[1]]):
        raise CorpusError(
            f"{path}: missing front matter: a .md article must start with a '---' line, then"
            " 'title: ...', then a closing '---' line (use .txt for plain text)"
        )
    yaml_start = first[1]
    for start, end in lines:
        if _is_delimiter(file_text[start:end]):
            return file_text[yaml_start:start], end
    raise CorpusError(f"{path}: front matter is not closed: no '---' line after the first line")


def _lines(text: str) -> Iterator[tuple[int, int]]:
    """Yield ``(start, end)`` of each line, the end including its ``\\n``."""
    start = 0
    while start < len(text):
        newline = text.find("\n", start)
        end = len(text) if newline == -1 else newline + 1
        yield start, end
        start = end


def _load_front_matter(path: Path, front_matter: str) -> dict[Any, Any]:
    try:
        loaded = yaml.load(front_matter, Loader=_FrontMatterLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        # The front matter starts on line 2 of the file; marks count lines from 0.
        line = f"line {mark.line + 2}: " if mark is not None else ""
        problem = " ".join(str(exc.problem or exc.context or "syntax error").split())
        raise CorpusError(f"{path}: front matter is not valid YAML ({line}{problem})") from exc
    except yaml.YAMLError as exc:
        problem = " ".join(str(exc).split())
        raise CorpusError(f"{path}: front matter is not valid YAML ({problem})") from exc
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise CorpusError(
            f"{path}: front matter must be a mapping of keys to values like 'title: ...',"
            f" not {_describe(loaded)}"
        )
    return loaded


def _validate_metadata(path: Path, front_matter: dict[Any, Any]) -> dict[str, str | None]:
    for key in front_matter:
        if key not in FRONT_MATTER_KEYS:
            close = difflib.get_close_matches(str(key), FRONT_MATTER_KEYS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise CorpusError(
                f"{path}: unknown front matter key {key!r}{hint};"
                f" allowed keys: {', '.join(FRONT_MATTER_KEYS)}"
            )
    if "title" not in front_matter:
        raise CorpusError(f"{path}: front matter has no 'title' (it is required)")
    metadata = {key: _text_value(path, key, front_matter.get(key)) for key in FRONT_MATTER_KEYS}
    if metadata["title"] is None:
        raise CorpusError(f"{path}: the title is empty")
    for key in ("date", "added"):
        date = metadata[key]
        if date is not None and not _is_iso_8601(date):
            raise CorpusError(
                f"{path}: {key} {date!r} is not ISO 8601"
                " (write YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS with an optional time zone)"
            )
    language = metadata["language"]
    if language is not None:
        problem = language_problem(language)
        if problem is not None:
            raise CorpusError(f"{path}: language {language!r} {problem}")
    url = metadata["url"]
    if url is not None:
        parts = urlsplit(url)
        if parts.scheme.lower() not in _URL_SCHEMES or not parts.netloc:
            raise CorpusError(
                f"{path}: url {url!r} is not a web address (it must start with http:// or"
                " https://)"
            )
    return metadata


def _text_value(path: Path, key: str, value: Any) -> str | None:
    """A front matter value as text; ``None`` when absent, null or blank."""
    if value is None:
        return None
    if not isinstance(value, str):
        quote = " (put it in quotes)" if isinstance(value, (bool, int, float)) else ""
        raise CorpusError(f"{path}: {key!r} must be text, not {_describe(value)}{quote}")
    value = value.strip()
    return value or None


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, str):
        return "a single value"
    return f"a value of type {type(value).__name__}"


def _is_iso_8601(value: str) -> bool:
    try:
        if _ISO_DATE.fullmatch(value):
            dt.date.fromisoformat(value)
            return True
        if _ISO_DATETIME.fullmatch(value):
            dt.datetime.fromisoformat(value)
            return True
    except ValueError:
        return False
    return False
