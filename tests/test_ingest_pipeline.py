"""Adding links, saved pages, files and feeds to a corpus, end to end over 127.0.0.1."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from embeddings.corpus import read_corpus
from embeddings.ingest.pipeline import Ingester, Report
from embeddings.ingest.registry import FeedRegistry
from embeddings.ingest.store import ORIGINALS_DIR
from tests.page_server import PAGES, PageServer, serve_pages


@pytest.fixture(scope="module")
def server() -> Iterator[PageServer]:
    with serve_pages() as pages:
        yield pages


@pytest.fixture
def ingester(tmp_path: Path) -> Iterator[Ingester]:
    with Ingester(tmp_path / "corpus", timeout_s=1.0, max_bytes=200_000) as ingester:
        yield ingester


def read_corpus_names(corpus: Path) -> list[str]:
    """Every file of the folder but the hidden lock file."""
    return sorted(path.name for path in corpus.iterdir() if not path.name.startswith("."))


def _lines(reports: Iterator[Report] | list[Report]) -> list[str]:
    return [report.line() for report in reports]


def test_a_link_becomes_an_article_with_the_pages_metadata(
    server: PageServer, ingester: Ingester
) -> None:
    url = server.url("/pages/ferry-opengraph.html")
    (report,) = ingester.add([url])
    assert report.line() == (
        'added bellmouth-ferry-returns-after-two-year-pause: "Bellmouth ferry returns after'
        ' two-year pause" (2024-03-14)'
    )
    (document,) = read_corpus(ingester.corpus_dir)
    assert document.url == server.url("/news/2024/03/ferry-returns")  # the canonical address
    assert (document.source, document.author) == ("The Bellmouth Courier", "Olena Marsh")
    original = ingester.corpus_dir / ORIGINALS_DIR / f"{document.id}.html"
    assert original.read_bytes() == server.saved("ferry-opengraph.html")


def test_two_links_to_one_story_store_it_once(server: PageServer, ingester: Ingester) -> None:
    first = server.url("/pages/ferry-opengraph.html")
    redirected = server.url("/redirect/2/pages/ferry-opengraph.html")
    statuses = [report.status for report in ingester.add([first, redirected, first])]
    assert statuses == ["added", "unchanged", "unchanged"]
    copy = server.publish(
        "/syndicated/ferry",
        server.saved("ferry-opengraph.html").replace(b"/news/2024/03/ferry-returns", b"/copy"),
    )
    (report,) = ingester.add([copy])
    assert report.line() == (
        f"skipped {copy}: duplicate of bellmouth-ferry-returns-after-two-year-pause"
        ' ("Bellmouth ferry returns after two-year pause")'
    )
    assert len(read_corpus(ingester.corpus_dir)) == 1


def test_a_changed_article_replaces_its_old_version(
    server: PageServer, ingester: Ingester
) -> None:
    page = server.saved("market-plain.html")
    url = server.publish("/live/market", page)
    (added,) = ingester.add([url])
    server.publish("/live/market", page.replace(b"eight crowns", b"nine crowns"))
    (updated,) = ingester.add([url])
    assert (added.status, updated.status, updated.id) == ("added", "updated", added.id)
    (document,) = read_corpus(ingester.corpus_dir)
    assert "nine crowns a day" in document.text


def test_the_charset_the_server_declares_decodes_the_page(
    server: PageServer, ingester: Ingester
) -> None:
    sentence = "Суд у Сімферополі знову відклав засідання у справі активістів."
    paragraphs = "".join(f"<p>{sentence} Це повідомлення номер {n}.</p>" for n in range(5))
    page = f"<html><head><title>Суд відклав засідання</title></head><body><article>{paragraphs}"
    url = server.publish(
        "/cp1251",
        (page + "</article></body></html>").encode("cp1251"),
        "text/html; charset=windows-1251",
    )
    (report,) = ingester.add([url])
    assert report.status == "added", report.line()
    (document,) = read_corpus(ingester.corpus_dir)
    assert document.title == "Суд відклав засідання"
    assert sentence in document.text
    assert document.id == "sud-vidklav-zasidannya"  # transliterated for the file name only


def test_each_bad_link_is_skipped_with_its_reason(server: PageServer, ingester: Ingester) -> None:
    bad = {
        "http://127.0.0.1:9/gone": "cannot connect to 127.0.0.1",
        server.url("/status/404"): "HTTP error 404",
        server.url("/status/500"): "HTTP error 500",
        server.url("/slow"): "timed out after 1 s",
        server.url("/document.pdf"): "not an HTML page (the server says application/pdf)",
        server.url("/huge.html"): "too large",
        server.url("/pages/index-page.html"): "no article text",
        server.url("/pages/paywall.html"): "no article text",
        "ftp://127.0.0.1/article": "not a web address",
    }
    reports = list(ingester.add(bad))
    for report, (url, reason) in zip(reports, bad.items(), strict=True):
        assert report.status == "skipped"
        assert report.source == url
        assert reason in (report.reason or ""), report.line()
    assert not (ingester.corpus_dir / ORIGINALS_DIR).exists()
    assert read_corpus_names(ingester.corpus_dir) == []


def test_saved_pages_files_and_folders(tmp_path: Path, ingester: Ingester) -> None:
    folder = tmp_path / "saved"
    folder.mkdir()
    for name in ("library-jsonld.html", "market-plain.html", "paywall.html", "rss.xml"):
        shutil.copy(PAGES / name, folder / name)
    (folder / "huge.html").write_bytes(b"<p>" + b"word " * 50_000 + b"</p>")
    notes = tmp_path / "notes.txt"
    notes.write_text("The ferry was full on Sunday. Nobody complained.\n", encoding="utf-8")
    lines = _lines(ingester.add([str(folder), str(notes), str(tmp_path / "missing.html")]))
    assert lines == [
        f"skipped {folder / 'huge.html'}: too large (250,007 bytes; limit 200,000)",
        'added northshire-library-reopens-with-a-night-reading-room: "Northshire library'
        ' reopens with a night reading room" (2023-11-02)',
        'added saturday-market-moves-to-the-old-tram-depot: "Saturday market moves to the old'
        ' tram depot" (2024-02-05)',
        f"skipped {folder / 'paywall.html'}: no article text (61 characters found; an index"
        " page, a paywall or an error page?)",
        'added notes: "Notes"',
        f"skipped {tmp_path / 'missing.html'}: no such file or folder",
    ]
    assert {document.id for document in read_corpus(ingester.corpus_dir)} == {
        "northshire-library-reopens-with-a-night-reading-room",
        "saturday-market-moves-to-the-old-tram-depot",
        "notes",
    }


def test_every_article_of_a_feed_and_its_bad_entries(
    server: PageServer, ingester: Ingester
) -> None:
    feed, reports = ingester.add_feed(server.url("/pages/rss.xml"))
    assert feed is not None
    assert [report.status for report in reports] == ["added", "added", "skipped"]
    assert reports[2].line() == (
        f"skipped {server.url('/pages/rss.xml')} (entry 'A story with no link'):"
        " feed entry without a link"
    )
    market = next(d for d in read_corpus(ingester.corpus_dir) if d.id.startswith("saturday"))
    assert market.date == "2024-02-05"


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/pages/broken-feed.xml", "not a readable RSS or Atom feed"),
        ("/pages/ferry-opengraph.html", "not a feed (the server says text/html)"),
        ("/status/404", "HTTP error 404"),
    ],
)
def test_a_broken_feed_is_one_skipped_line(
    server: PageServer, ingester: Ingester, path: str, reason: str
) -> None:
    feed, reports = ingester.add_feed(server.url(path))
    assert feed is None
    (report,) = reports
    assert report.source == server.url(path)
    assert reason in (report.reason or "")


def test_polling_followed_feeds_fetches_only_what_is_new(
    server: PageServer, ingester: Ingester
) -> None:
    registry = FeedRegistry(ingester.corpus_dir)
    registry.follow(server.url("/pages/atom.xml"))
    registry.follow(server.url("/pages/rss.xml"))
    registry.save()
    first = _lines(ingester.poll(FeedRegistry(ingester.corpus_dir)))
    assert len(first) == 5  # library, index page (no text), ferry, market, entry without link
    assert sum(line.startswith("added") for line in first) == 3
    again = list(ingester.poll(FeedRegistry(ingester.corpus_dir)))
    assert again == []
    saved = json.loads((ingester.corpus_dir / "_feeds.json").read_text(encoding="utf-8"))
    assert [feed["title"] for feed in saved["feeds"]] == [
        "Northshire Gazette",
        "The Bellmouth Courier",
    ]
    assert len(read_corpus(ingester.corpus_dir)) == 3
