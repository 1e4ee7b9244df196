"""Writing articles into a corpus folder: one Markdown file each, atomically, never twice.

The corpus stays a folder a person can read, edit and version: each added article is
``ID.md`` with a front matter block (title, source, author, date, url, language, added) and the
extracted text as its body, byte for byte. The page it came from is kept beside it in
``_originals/`` for audit; the corpus reader skips names that start with ``_``.

The same story is stored once. Two links to one article resolve to its canonical URL, and the
same text under another URL (a syndicated copy, a re-post) is recognised by a hash of its
words. A known URL with new text or metadata replaces the old version under the same id.

Every file is written to a hidden temporary name in the same folder and renamed into place,
so a reader (or an index build) never sees half an article, and a failure leaves the corpus as
it was.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import logging
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import yaml

from embeddings.corpus import corpus_files, parse_article
from embeddings.ingest.errors import IngestError
from embeddings.ingest.extract import ExtractedArticle
from embeddings.stamps import utc_timestamp
from embeddings.types import Document

logger = logging.getLogger(__name__)

ORIGINALS_DIR = "_originals"
LOCK_NAME = ".quotebot.lock"
SOURCE_SUFFIX = ".source"  # _originals/ID.source: the path an article file was added from
MAX_ID_CHARS = 60
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid)$", re.IGNORECASE)

WriteStatus = Literal["added", "updated", "unchanged", "duplicate"]


@dataclass(frozen=True)
class WriteResult:
    """What happened to one article; ``id`` is the existing article for a duplicate."""

    status: WriteStatus
    id: str
    title: str
    date: str | None = None


def normalize_url(url: str) -> str:
    """The form of a URL used to recognise the same article: no fragment, no tracking.

    Scheme and host are lower-cased, a default port, a trailing slash, the fragment and
    tracking parameters (``utm_*``, ``fbclid``, ...) are dropped; the rest is kept, since a
    query string can name the article (``?p=123``).
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    if port and (scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    path = parts.path.rstrip("/") or "/"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, True) if not _TRACKING.match(k)])
    return urlunsplit((scheme, host, path, query, ""))


def content_hash(text: str) -> str:
    """A hash of the words of a text, blind to whitespace differences."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


# Ukrainian and Russian Cyrillic (and Crimean Tatar's dotless i) in Latin letters, for ids only:
# a file name a person can read and type. The title itself is kept as the page gives it.
_TRANSLITERATION = str.maketrans(
    {
        letter: latin
        for pair in (
            "а:a б:b в:v г:h ґ:g д:d е:e є:ye ж:zh з:z и:y і:i ї:yi й:y к:k л:l м:m н:n о:o"
            " п:p р:r с:s т:t у:u ф:f х:kh ц:ts ч:ch ш:sh щ:shch ю:yu я:ya ы:y э:e ё:yo ı:i"
        ).split()
        for letter, latin in [pair.split(":")]
    }
    | {"ь": "", "ъ": "", "'": "", "’": ""}
)


def slugify(title: str) -> str:
    """An ASCII file name from a title (Cyrillic transliterated); empty when nothing is left."""
    latin = title.lower().translate(_TRANSLITERATION)
    ascii_title = unicodedata.normalize("NFKD", latin).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_title.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > MAX_ID_CHARS:
            break
        slug = candidate
    return slug or (words[0][:MAX_ID_CHARS] if words else "")


def render_article(article: ExtractedArticle, added: str) -> str:
    """The Markdown file of an article: front matter of what is known, then the text."""
    fields = {
        "title": article.title,
        "source": article.source,
        "author": article.author,
        "date": article.date,
        "url": article.url,
        "language": article.language,
        "added": added,
    }
    front_matter = yaml.safe_dump(
        {key: value for key, value in fields.items() if value is not None},
        allow_unicode=True,
        sort_keys=False,
        width=10_000,
    )
    text = article.text if article.text.endswith("\n") else article.text + "\n"
    return f"---\n{front_matter}---\n{text}"


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a hidden temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes the file private (0600); a corpus file gets the mode any new file gets.
        os.fchmod(handle, 0o666 & ~_umask())
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@contextmanager
def corpus_lock(corpus_dir: Path) -> Iterator[None]:
    """Hold the corpus folder's lock: one writer at a time (a CLI ``add`` and a bot's poll).

    The lock is an advisory ``flock`` on a hidden file of the folder (the reader skips it); it
    is released when the block ends or the process dies, so it cannot go stale.

    Raises:
        IngestError: ``corpus_dir`` is a file, not a folder.
        OSError: The folder cannot be made or its lock file opened (a read-only mount).
    """
    if corpus_dir.exists() and not corpus_dir.is_dir():
        raise IngestError(str(corpus_dir), "not a folder (a corpus is a folder of articles)")
    corpus_dir.mkdir(parents=True, exist_ok=True)
    with (corpus_dir / LOCK_NAME).open("a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class CorpusWriter:
    """Adds, replaces and removes articles of one corpus folder.

    The folder is read once when the writer is made (ids, URLs and text hashes of every
    article) and kept up to date by the writer's own changes, so a batch of additions reads
    the corpus once. Make and use it under :func:`corpus_lock` when another process may write
    to the same folder.
    """

    def __init__(self, corpus_dir: Path, *, now: Callable[[], dt.datetime] = _utc_now) -> None:
        """Raises CorpusError when an existing article of the folder is invalid."""
        self.corpus_dir = corpus_dir
        self._now = now
        corpus_dir.mkdir(parents=True, exist_ok=True)
        self._documents: dict[str, Document] = {}
        self._paths: dict[str, Path] = {}
        self._by_url: dict[str, str] = {}
        self._by_hash: dict[str, str] = {}
        for path in corpus_files(corpus_dir):
            self._remember(path, parse_article(path, path.read_bytes()))
        self._by_origin: dict[str, str] = {}  # path an article file was added from -> id
        for article_id in self._documents:
            origin = self._origin(article_id)
            if origin is not None:
                self._by_origin.setdefault(origin, article_id)

    @property
    def ids(self) -> list[str]:
        return sorted(self._documents)

    def document(self, article_id: str) -> Document | None:
        return self._documents.get(article_id)

    def find_url(self, url: str) -> str | None:
        """The id of the article stored under ``url`` (in its normalised form), if any."""
        return self._by_url.get(normalize_url(url))

    def write_article(
        self, article: ExtractedArticle, original: bytes | None, original_suffix: str = ".html"
    ) -> WriteResult:
        """Store an extracted article (and the page it came from) unless it is already there."""
        existing = self.find_url(article.url) if article.url else None
        if existing is None:
            twin = self._by_hash.get(content_hash(article.text))
            if twin is not None:
                return WriteResult("duplicate", twin, self._documents[twin].title)
            article_id = self._new_id(article.title, article.text)
            status: WriteStatus = "added"
        else:
            if self._same(self._documents[existing], article):
                return WriteResult("unchanged", existing, article.title, article.date)
            article_id, status = existing, "updated"
        added = utc_timestamp(self._now())
        path = self.corpus_dir / f"{article_id}.md"
        old_path = self._paths.get(article_id)
        if original is not None:
            self._remove_originals(article_id)
            write_atomically(self._originals / f"{article_id}{original_suffix}", original)
        data = render_article(article, added).encode("utf-8")
        write_atomically(path, data)
        if old_path is not None and old_path != path:
            old_path.unlink(missing_ok=True)
        self._forget(article_id)
        self._remember(path, parse_article(path, data))
        logger.info("%s article %s", status, article_id)
        return WriteResult(status, article_id, article.title, article.date)

    def write_file(self, source: Path) -> WriteResult:
        """Copy an article file (``.md`` or ``.txt``) into the corpus, byte for byte.

        Its id is its file name. It is the same article as one already stored, and replaces
        it ("updated"), when both have the same URL (normalised), or when neither has a URL and
        the stored one was added from this very file (its path is kept in
        ``_originals/ID.source``; the stored id may be ``ID-2``). Anything else is another
        article: a different note that happens to have the same file name gets a free id
        (``ID-2``) and the stored one is kept. The same bytes under the same id are
        "unchanged"; the same text under another id is a duplicate.

        Raises:
            CorpusError: The file is not a valid article (the message says why).
        """
        raw = source.read_bytes()
        document = parse_article(source, raw)
        origin = str(source.resolve())
        same_id = self._documents.get(document.id)
        if document.url is not None:
            existing = self.find_url(document.url)
        else:
            existing = self._by_origin.get(origin)
            if existing is not None and self._documents[existing].url is not None:
                existing = None
        if existing is None and same_id is not None and self._holds(document.id, source, raw):
            return WriteResult("unchanged", document.id, document.title, document.date)
        if existing is None:
            twin = self._by_hash.get(content_hash(document.text))
            if twin is not None:
                return WriteResult("duplicate", twin, self._documents[twin].title)
            article_id = document.id if same_id is None else self._new_id(document.id, raw)
            status: WriteStatus = "added"
        else:
            if self._holds(existing, source, raw):
                return WriteResult("unchanged", existing, document.title, document.date)
            article_id, status = existing, "updated"
        path = self.corpus_dir / f"{article_id}{source.suffix.lower()}"
        old_path = self._paths.get(article_id)
        self._remove_originals(article_id)
        write_atomically(self._originals / f"{article_id}{SOURCE_SUFFIX}", origin.encode())
        self._by_origin[origin] = article_id
        write_atomically(path, raw)
        if old_path is not None and old_path != path:
            old_path.unlink(missing_ok=True)
        self._forget(article_id)
        self._remember(path, parse_article(path, raw))
        return WriteResult(status, article_id, document.title, document.date)

    def remove(self, article_id: str) -> Document:
        """Delete an article and its kept original; returns what was removed.

        Raises:
            IngestError: No article has this id.
        """
        document = self._documents.get(article_id)
        if document is None:
            raise IngestError(article_id, f"no article with this id in {self.corpus_dir}")
        self._paths[article_id].unlink()
        self._remove_originals(article_id)
        self._forget(article_id)
        logger.info("removed article %s", article_id)
        return document

    @property
    def _originals(self) -> Path:
        return self.corpus_dir / ORIGINALS_DIR

    def _origin(self, article_id: str) -> str | None:
        """The path an article file was added from, when ``write_file`` recorded it."""
        try:
            return (self._originals / f"{article_id}{SOURCE_SUFFIX}").read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def _holds(self, article_id: str, source: Path, raw: bytes) -> bool:
        """Whether the stored article ``article_id`` is this very file, byte for byte."""
        stored = self._paths[article_id]
        return stored.suffix.lower() == source.suffix.lower() and stored.read_bytes() == raw

    def _remove_originals(self, article_id: str) -> None:
        for origin in [key for key, value in self._by_origin.items() if value == article_id]:
            del self._by_origin[origin]
        if self._originals.is_dir():
            for kept in self._originals.glob(f"{glob_escape(article_id)}.*"):
                if kept.stem == article_id:
                    kept.unlink()

    def _same(self, document: Document, article: ExtractedArticle) -> bool:
        return (
            document.text.rstrip("\n") == article.text.rstrip("\n")
            and document.title == article.title
            and document.source == article.source
            and document.author == article.author
            and document.date == article.date
            and normalize_url(document.url or "") == normalize_url(article.url or "")
            and document.language == article.language
        )

    def _new_id(self, title: str, salt: str | bytes) -> str:
        base = slugify(title)
        if not base:
            data = salt.encode("utf-8") if isinstance(salt, str) else salt
            base = f"article-{hashlib.sha256(data).hexdigest()[:10]}"
        taken = {article_id.lower() for article_id in self._documents}
        candidate, number = base, 1
        while (
            candidate.lower() in taken
            or candidate.lower() == "readme"
            or any(
                (self.corpus_dir / f"{candidate}{suffix}").exists() for suffix in (".md", ".txt")
            )
        ):
            number += 1
            candidate = f"{base}-{number}"
        return candidate

    def _remember(self, path: Path, document: Document) -> None:
        self._documents[document.id] = document
        self._paths[document.id] = path
        if document.url:
            self._by_url.setdefault(normalize_url(document.url), document.id)
        self._by_hash.setdefault(content_hash(document.text), document.id)

    def _forget(self, article_id: str) -> None:
        document = self._documents.pop(article_id, None)
        self._paths.pop(article_id, None)
        if document is None:
            return
        if document.url and self._by_url.get(normalize_url(document.url)) == article_id:
            del self._by_url[normalize_url(document.url)]
        digest = content_hash(document.text)
        if self._by_hash.get(digest) == article_id:
            del self._by_hash[digest]


def glob_escape(text: str) -> str:
    """Escape glob wildcards so an id is matched literally."""
    return re.sub(r"([*?\[])", r"[\1]", text)
