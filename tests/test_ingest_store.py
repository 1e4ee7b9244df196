"""Articles written into a corpus folder: readable, verbatim, atomic, and stored once."""

from __future__ import annotations

import datetime as dt
import fcntl
from dataclasses import replace
from pathlib import Path

import pytest

from embeddings.corpus import read_corpus
from embeddings.ingest.errors import IngestError
from embeddings.ingest.extract import ExtractedArticle
from embeddings.ingest.store import (
    LOCK_NAME,
    ORIGINALS_DIR,
    CorpusWriter,
    content_hash,
    corpus_lock,
    normalize_url,
    slugify,
)

TEXT = (
    "Bellmouth ferry returns\n"
    'The river ferry carried its first passengers on Thursday. "We rebuilt the pier," Greel'
    " said.\nTickets cost four crowns: 50% less - for now."
)
ARTICLE = ExtractedArticle(
    title="Bellmouth ferry returns: after a two-year pause",
    text=TEXT,
    url="https://news.example/ferry",
    source="The Bellmouth Courier",
    author="Olena Marsh",
    date="2024-03-14",
    language="en",
)
NOW = dt.datetime(2026, 11, 22, 17, 0, tzinfo=dt.UTC)


def _writer(corpus: Path) -> CorpusWriter:
    return CorpusWriter(corpus, now=lambda: NOW)


def test_an_added_article_is_a_valid_corpus_file_with_its_text_verbatim(tmp_path: Path) -> None:
    result = _writer(tmp_path).write_article(ARTICLE, b"<html>original</html>")
    assert (result.status, result.id) == (
        "added",
        "bellmouth-ferry-returns-after-a-two-year-pause",
    )
    (document,) = read_corpus(tmp_path)
    assert document.text == TEXT + "\n"
    assert (document.title, document.source, document.author) == (
        ARTICLE.title,
        "The Bellmouth Courier",
        "Olena Marsh",
    )
    assert (document.date, document.url, document.language) == ("2024-03-14", ARTICLE.url, "en")
    file_text = Path(document.path).read_text(encoding="utf-8")
    assert "added: '2026-11-22T17:00:00Z'" in file_text
    kept = tmp_path / ORIGINALS_DIR / f"{result.id}.html"
    assert kept.read_bytes() == b"<html>original</html>"


def test_unknown_metadata_is_left_out_not_filled_in(tmp_path: Path) -> None:
    bare = ExtractedArticle(title="Market moves", text=TEXT)
    _writer(tmp_path).write_article(bare, None)
    file_text = (tmp_path / "market-moves.md").read_text(encoding="utf-8")
    front_matter = file_text.split("---\n")[1]
    assert front_matter.splitlines() == ["title: Market moves", "added: '2026-11-22T17:00:00Z'"]


def test_the_same_url_twice_is_unchanged_and_new_text_replaces_the_old(tmp_path: Path) -> None:
    writer = _writer(tmp_path)
    first = writer.write_article(ARTICLE, b"v1")
    tracked = replace(ARTICLE, url="https://NEWS.example/ferry/?utm_source=rss#top")
    assert _writer(tmp_path).write_article(tracked, b"v1").status == "unchanged"
    changed = replace(ARTICLE, text=TEXT + " Correction: five crowns.")
    second = writer.write_article(changed, b"v2")
    assert (second.status, second.id) == ("updated", first.id)
    (document,) = read_corpus(tmp_path)
    assert document.text.endswith("Correction: five crowns.\n")
    assert (tmp_path / ORIGINALS_DIR / f"{first.id}.html").read_bytes() == b"v2"


def test_the_same_text_under_another_url_is_a_duplicate(tmp_path: Path) -> None:
    writer = _writer(tmp_path)
    first = writer.write_article(ARTICLE, None)
    copy = replace(ARTICLE, url="https://aggregator.example/x", text=TEXT.replace("\n", "\n\n"))
    result = writer.write_article(copy, None)
    assert (result.status, result.id) == ("duplicate", first.id)
    assert len(read_corpus(tmp_path)) == 1


def test_titles_that_slug_alike_get_distinct_ids(tmp_path: Path) -> None:
    writer = _writer(tmp_path)
    one = writer.write_article(replace(ARTICLE, url="https://a.example/1"), None)
    two = writer.write_article(
        replace(ARTICLE, url="https://a.example/2", text="Other. " * 40), None
    )
    assert two.id == f"{one.id}-2"
    cyrillic = replace(ARTICLE, title="Паром повернувся", url=None, text="Інший текст. " * 30)
    assert writer.write_article(cyrillic, None).id == "parom-povernuvsya"
    japanese = replace(ARTICLE, title="フェリー", url=None, text="別の文章。" * 30)
    assert writer.write_article(japanese, None).id.startswith("article-")


def test_article_files_are_copied_byte_for_byte(tmp_path: Path) -> None:
    source = tmp_path / "in" / "notes.md"
    source.parent.mkdir()
    raw = b"---\ntitle: Notes\nauthor: Me\n---\r\nLine one.\r\n"
    source.write_bytes(raw)
    corpus = tmp_path / "corpus"
    writer = _writer(corpus)
    assert writer.write_file(source).status == "added"
    assert (corpus / "notes.md").read_bytes() == raw
    assert writer.write_file(source).status == "unchanged"
    source.write_bytes(raw + b"Line two.\r\n")
    assert writer.write_file(source).status == "updated"


def test_remove_deletes_the_article_and_its_original(tmp_path: Path) -> None:
    writer = _writer(tmp_path)
    result = writer.write_article(ARTICLE, b"page")
    writer.write_article(replace(ARTICLE, url="https://b.example", text="Other. " * 40), None)
    assert writer.remove(result.id).title == ARTICLE.title
    assert [document.id for document in read_corpus(tmp_path)] == [f"{result.id}-2"]
    assert not list((tmp_path / ORIGINALS_DIR).iterdir())
    with pytest.raises(IngestError, match="no article with this id"):
        writer.remove(result.id)


def test_no_temporary_file_is_left_behind_and_files_are_not_private(tmp_path: Path) -> None:
    result = _writer(tmp_path).write_article(ARTICLE, b"page")
    names = [path.name for path in tmp_path.rglob("*")]
    assert not [name for name in names if name.endswith(".tmp")]
    reference = tmp_path / "plain-file"
    reference.write_bytes(b"")  # gets the mode of any new file under the current umask
    for written in (tmp_path / f"{result.id}.md", tmp_path / ORIGINALS_DIR / f"{result.id}.html"):
        assert written.stat().st_mode == reference.stat().st_mode


def test_url_normalisation_and_hash_and_slug() -> None:
    assert normalize_url("HTTPS://Example.org:443/a/?utm_medium=x&p=1#frag") == (
        "https://example.org/a?p=1"
    )
    assert normalize_url("http://example.org") == "http://example.org/"
    assert content_hash("a  b\nc") == content_hash("a b c")
    assert slugify("Zürich: 5% more — buses!") == "zurich-5-more-buses"
    assert slugify("Обшуки в Бахчисараї") == "obshuky-v-bakhchysarayi"
    assert slugify("Qırım") == "qirim"


def test_one_writer_at_a_time_holds_the_corpus_lock(tmp_path: Path) -> None:
    with (
        corpus_lock(tmp_path),
        (tmp_path / LOCK_NAME).open("a+b") as other,
        pytest.raises(BlockingIOError),
    ):
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
    with (tmp_path / LOCK_NAME).open("a+b") as other:
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released: free again
    _writer(tmp_path).write_article(ARTICLE, None)
    assert len(read_corpus(tmp_path)) == 1  # the lock file is not an article


def test_a_corpus_path_that_is_a_file_is_refused_with_its_name(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "some-file.txt"
    not_a_folder.write_text("hello\n", encoding="utf-8")
    with (
        pytest.raises(IngestError, match=r"some-file\.txt: not a folder"),
        corpus_lock(not_a_folder),
    ):
        pass
    assert not_a_folder.read_text(encoding="utf-8") == "hello\n"


def test_a_note_is_replaced_only_by_itself_not_by_another_of_the_same_name(
    tmp_path: Path,
) -> None:
    corpus = tmp_path / "corpus"
    writer = _writer(corpus)
    first, other = tmp_path / "a" / "notes.txt", tmp_path / "b" / "notes.txt"
    for path, text in ((first, "The pier opened.\n"), (other, "A different story.\n")):
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
    assert writer.write_file(first).id == "notes"
    result = writer.write_file(other)
    assert (result.status, result.id) == ("added", "notes-2")
    result = writer.write_file(other)  # added again: still itself, under its own id
    assert (result.status, result.id) == ("unchanged", "notes-2")
    other.write_text("A different story, edited.\n", encoding="utf-8")
    result = writer.write_file(other)
    assert (result.status, result.id) == ("updated", "notes-2")
    assert _writer(corpus).write_file(other).status == "unchanged"  # a new writer knows it
    # A stored note without a recorded origin (added by an older quotebot) is never replaced.
    (corpus / ORIGINALS_DIR / "notes.source").unlink()
    first.write_text("The pier opened today.\n", encoding="utf-8")
    writer = _writer(corpus)
    result = writer.write_file(first)
    assert (result.status, result.id) == ("added", "notes-3")
    texts = {document.id: document.text for document in read_corpus(corpus)}
    assert texts["notes"] == "The pier opened.\n"
