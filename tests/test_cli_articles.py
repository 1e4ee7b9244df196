"""``quotebot add``, ``remove`` and ``feeds``: one line per article, over a 127.0.0.1 server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli.main import main
from embeddings.corpus import read_corpus
from tests.page_server import PageServer, serve_pages

FERRY_ID = "bellmouth-ferry-returns-after-two-year-pause"
MARKET_ID = "saturday-market-moves-to-the-old-tram-depot"


@pytest.fixture(scope="module")
def server() -> Iterator[PageServer]:
    with serve_pages() as pages:
        yield pages


@pytest.fixture
def corpus(tmp_path: Path, isolated_env: dict[str, str]) -> Path:
    return tmp_path / "corpus"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out.splitlines(), captured.err


def test_add_prints_one_line_per_article_and_exits_1_when_any_was_skipped(
    server: PageServer, corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ferry = server.url("/pages/ferry-opengraph.html")
    status, lines, _ = _run(
        capsys, "add", ferry, server.url("/status/404"), "--corpus", str(corpus)
    )
    assert status == 1
    assert lines == [
        f'added {FERRY_ID}: "Bellmouth ferry returns after two-year pause" (2024-03-14)',
        f"skipped {server.url('/status/404')}: HTTP error 404 Not Found",
    ]
    status, lines, _ = _run(capsys, "add", ferry, "--corpus", str(corpus))
    assert (status, lines) == (
        0,
        [f'unchanged {FERRY_ID}: "Bellmouth ferry returns after two-year pause" (2024-03-14)'],
    )


def test_the_bundled_corpus_is_read_only(
    server: PageServer, isolated_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    status, lines, err = _run(capsys, "add", server.url("/pages/ferry-opengraph.html"))
    assert status == 2 and lines == []
    assert "the bundled corpus is read-only" in err and "--corpus DIR" in err


def test_add_a_feed_then_remove_an_article(
    server: PageServer, corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, lines, _ = _run(
        capsys, "add", "--feed", server.url("/pages/rss.xml"), "--corpus", str(corpus)
    )
    assert status == 1  # the entry without a link
    assert [line.split()[0] for line in lines] == ["added", "added", "skipped"]
    status, lines, _ = _run(capsys, "remove", MARKET_ID, "nope", "--corpus", str(corpus))
    assert status == 1
    assert lines[0] == f'removed {MARKET_ID}: "Saturday market moves to the old tram depot"'
    assert lines[1].startswith("skipped nope: no article with this id")
    assert [document.id for document in read_corpus(corpus)] == [FERRY_ID]


def test_follow_list_and_poll_feeds(
    server: PageServer, corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    atom = server.url("/pages/atom.xml")
    status, lines, _ = _run(
        capsys, "feeds", "add", atom, server.url("/pages/paywall.html"), "--corpus", str(corpus)
    )
    assert status == 1
    assert lines == [
        f'following {atom} "Northshire Gazette" (2 entries now)',
        f"skipped {server.url('/pages/paywall.html')}: not a feed (the server says text/html)",
    ]
    status, lines, _ = _run(capsys, "feeds", "poll", "--corpus", str(corpus))
    assert lines[0].startswith("added northshire-library-reopens")
    assert lines[1].startswith(f"skipped {server.url('/pages/index-page.html')}: no article text")
    status, lines, _ = _run(capsys, "feeds", "poll", "--corpus", str(corpus))
    assert (status, lines) == (0, [])
    status, lines, _ = _run(capsys, "feeds", "list", "--corpus", str(corpus))
    assert lines == [f'{atom} "Northshire Gazette": last polled ' + lines[0].split("polled ")[1]]
    assert lines[0].endswith("2 entries handled")


@pytest.mark.integration
def test_ask_quotes_an_added_article_with_its_metadata_until_it_is_removed(
    server: PageServer, corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pages = [
        server.url(f"/pages/{name}") for name in ("ferry-opengraph.html", "market-plain.html")
    ]
    assert _run(capsys, "add", *pages, "--corpus", str(corpus))[0] == 0
    question = "How heavy may vehicles be on the repaired landing stage?"
    status, lines, err = _run(capsys, "ask", "--json", question, "--corpus", str(corpus))
    assert status == 0, err
    record = json.loads(lines[0])
    best = record["quotes"][0]
    assert "vehicles of up to twelve tonnes" in best["text"]
    canonical = server.url("/news/2024/03/ferry-returns")
    assert best["document"] == {
        "id": FERRY_ID,
        "title": "Bellmouth ferry returns after two-year pause",
        "source": "The Bellmouth Courier",
        "author": "Olena Marsh",
        "date": "2024-03-14",
        "url": canonical,
    }
    assert best["url_to_quote"].startswith(f"{canonical}#:~:text=Harbour%20master%20Ivan%20Greel,")
    assert _run(capsys, "remove", FERRY_ID, "--corpus", str(corpus))[0] == 0
    status, lines, err = _run(capsys, "ask", "--json", question, "--corpus", str(corpus))
    assert status == 0, err
    ids = {quote["document"]["id"] for quote in json.loads(lines[0])["quotes"]}
    assert ids == {MARKET_ID}
