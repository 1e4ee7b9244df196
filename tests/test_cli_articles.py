"""``quotebot add``, ``remove`` and ``feeds``: one line per article, over a 127.0.0.1 server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli.main import main
from embeddings.corpus import read_corpus
from embeddings.ingest.bundled import BUNDLED_MARKER
from tests.corpus_copies import copy_corpus
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


def test_a_checkout_copy_of_the_bundled_corpus_is_read_only_by_its_marker(
    server: PageServer,
    tmp_path: Path,
    isolated_env: dict[str, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    copy = copy_corpus(tmp_path / "checkout" / "corpus")  # not the path called bundled
    assert (copy / BUNDLED_MARKER).is_file()
    before = sorted(path.name for path in copy.iterdir())
    ferry = server.url("/pages/ferry-opengraph.html")
    for argv in (
        ["add", ferry],
        ["remove", "dzhemilev-67-political-prisoners"],
        ["feeds", "add", server.url("/pages/rss.xml")],
        ["feeds", "poll"],
        ["feeds", "remove", server.url("/pages/rss.xml")],
    ):
        status, lines, err = _run(capsys, *argv, "--corpus", str(copy))
        assert status == 2 and lines == [], argv
        assert "the bundled corpus is read-only" in err, argv
    assert sorted(path.name for path in copy.iterdir()) == before


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
        f'following {atom} "Northshire Gazette" (2 entries now)',  # and "1 entry" for one
        f"skipped {server.url('/pages/paywall.html')}: not a feed (the server says text/html)",
    ]
    status, lines, _ = _run(capsys, "feeds", "poll", "--corpus", str(corpus))
    assert lines[0].startswith("added northshire-library-reopens")
    assert lines[1].startswith(f"skipped {server.url('/pages/index-page.html')}: no article text")
    status, lines, _ = _run(capsys, "feeds", "poll", "--corpus", str(corpus))
    assert (status, lines) == (0, [])
    status, lines, _ = _run(capsys, "feeds", "list", "--corpus", str(corpus))
    assert lines == [f'{atom} "Northshire Gazette": last polled ' + lines[0].split("polled ")[1]]
    assert lines[0].endswith("2 entries handled (1 failed for good)")


def test_a_feed_that_is_gone_shows_its_failure_and_can_be_stopped(
    server: PageServer, corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = server.publish("/gone.xml", server.saved("atom.xml"), "application/atom+xml")
    assert _run(capsys, "feeds", "add", url, "--corpus", str(corpus))[0] == 0
    del server.published["/gone.xml"]  # the site took the feed down: HTTP 404
    status, lines, _ = _run(capsys, "feeds", "poll", "--corpus", str(corpus))
    assert (status, lines) == (1, [f"skipped {url}: HTTP error 404 Not Found"])
    status, lines, _ = _run(capsys, "feeds", "list", "--corpus", str(corpus))
    assert status == 0 and len(lines) == 1
    assert "; last poll failed: HTTP error 404 Not Found (at " in lines[0]

    status, lines, _ = _run(capsys, "feeds", "remove", url, "--corpus", str(corpus))
    assert (status, lines) == (0, [f"stopped following {url}"])
    status, lines, _ = _run(capsys, "feeds", "remove", url, "--corpus", str(corpus))
    assert (status, lines) == (1, [f"not following {url}"])
    status, lines, _ = _run(capsys, "feeds", "list", "--corpus", str(corpus))
    assert lines == [f"no feeds followed in {corpus}"]


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
    # "Harbour master Ivan Greel said the ... stage can now take vehicles ..." is the paper's
    # account of his words: cited to him as reported speech, and not joined with his own
    # quotation in the next paragraph ("Greel told the Courier", NU21-1). The link scrolls to
    # the quote, its first words to its last.
    assert (best["speaker"], best["reported_speech"]) == ("Ivan Greel", True)
    assert "Greel told the Courier" not in best["text"]
    first_words = "%20".join(best["text"].split()[:4])
    assert best["url_to_quote"].startswith(f"{canonical}#:~:text={first_words},")
    assert best["url_to_quote"].endswith(",up%20to%20twelve%20tonnes.")
    assert _run(capsys, "remove", FERRY_ID, "--corpus", str(corpus))[0] == 0
    status, lines, err = _run(capsys, "ask", "--json", question, "--corpus", str(corpus))
    assert status == 0, err
    ids = {quote["document"]["id"] for quote in json.loads(lines[0])["quotes"]}
    assert ids == {MARKET_ID}


def test_a_corpus_that_is_a_file_is_one_line_not_a_traceback(
    tmp_path: Path, isolated_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    not_a_folder = tmp_path / "some-file.txt"
    not_a_folder.write_text("hello\n", encoding="utf-8")
    page = tmp_path / "page.html"
    page.write_text("<html><body><p>Nothing.</p></body></html>", encoding="utf-8")
    for argv in (
        ["add", str(page)],
        ["remove", "x"],
        ["feeds", "add", "http://127.0.0.1:1/feed.xml"],
        ["feeds", "poll"],
        ["feeds", "list"],
    ):
        status, lines, err = _run(capsys, *argv, "--corpus", str(not_a_folder))
        assert (status, lines) == (2, []), argv
        assert (
            err
            == f"quotebot: error: the corpus {not_a_folder} is a file, not a folder of articles\n"
        )
    assert not_a_folder.read_text(encoding="utf-8") == "hello\n"


def test_a_new_corpus_folder_is_announced_and_a_missing_parent_is_an_error(
    tmp_path: Path, isolated_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    note = tmp_path / "note.md"
    note.write_text("---\ntitle: A note\n---\nThe harbour opened at dawn.\n", encoding="utf-8")
    typo = tmp_path / "no-such-parent" / "corpus"
    status, lines, err = _run(capsys, "add", str(note), "--corpus", str(typo))
    assert (status, lines) == (2, [])
    assert err.count("\n") == 1 and f"its parent folder {typo.parent} does not exist" in err
    assert not typo.parent.exists()
    new = tmp_path / "corpus"
    status, lines, err = _run(capsys, "add", str(note), "--corpus", str(new))
    assert (status, lines) == (0, ['added note: "A note"'])
    assert err == f"quotebot: created a new corpus folder {new}\n"
    status, lines, err = _run(capsys, "add", str(note), "--corpus", str(new))
    assert (status, lines, err) == (0, ['unchanged note: "A note"'], "")
    status, lines, err = _run(capsys, "remove", "note", "--corpus", str(tmp_path / "nope"))
    assert (status, lines) == (2, []) and "no corpus folder" in err


def test_another_note_with_the_same_file_name_is_added_beside_the_first(
    tmp_path: Path, isolated_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "corpus"
    first = tmp_path / "field-notes-sudak.md"
    first.write_text("---\ntitle: Sudak\n---\nThe fortress walls were lit.\n", "utf-8")
    other = tmp_path / "other" / "field-notes-sudak.md"
    other.parent.mkdir()
    other.write_text("---\ntitle: Other Sudak\n---\nA market by the sea.\n", "utf-8")
    assert _run(capsys, "add", str(first), "--corpus", str(corpus))[1] == [
        'added field-notes-sudak: "Sudak"'
    ]
    status, lines, _ = _run(capsys, "add", str(other), "--corpus", str(corpus))
    assert (status, lines) == (0, ['added field-notes-sudak-2: "Other Sudak"'])
    # The first note, edited and added again from where it came from, is the same article.
    first.write_text("---\ntitle: Sudak\n---\nThe fortress walls were lit at night.\n", "utf-8")
    status, lines, _ = _run(capsys, "add", str(first), "--corpus", str(corpus))
    assert (status, lines) == (0, ['updated field-notes-sudak: "Sudak"'])
    titles = {document.id: document.title for document in read_corpus(corpus)}
    assert titles == {"field-notes-sudak": "Sudak", "field-notes-sudak-2": "Other Sudak"}


def test_third_party_warnings_stay_off_the_terminal_unless_verbose(
    tmp_path: Path, isolated_env: dict[str, str], capfd: pytest.CaptureFixture[str]
) -> None:
    import logging

    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    root.handlers.clear()  # main() configures logging as a fresh process would
    try:
        empty = tmp_path / "empty.html"
        empty.write_text("<html><body></body></html>", encoding="utf-8")
        status = main(["add", str(empty), "--corpus", str(tmp_path / "corpus")])
        out, err = capfd.readouterr()
        assert status == 1 and out.startswith(f"skipped {empty}: ")
        assert "trafilatura" not in err and "WARNING" not in err
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
        for name in ("trafilatura", "htmldate", "courlan", "charset_normalizer", "justext"):
            logging.getLogger(name).setLevel(logging.NOTSET)


TRUNCATED_RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Cut short</title>
<item><title>Bellmouth ferry returns after two-year pause</title>
<link>{base}/pages/ferry-opengraph.html</link></item>
<item><title>A second story</title><li"""


def test_a_truncated_feed_is_said_to_be_broken(
    server: PageServer, corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = server.publish("/cut.xml", TRUNCATED_RSS, "application/rss+xml")
    status, lines, _ = _run(capsys, "feeds", "add", url, "--corpus", str(corpus))
    assert status == 1
    assert lines == [
        f"skipped {url}: the feed is broken: not well-formed XML (line 5, column 35: "
        "unclosed token)"
    ]
    status, lines, _ = _run(capsys, "add", "--feed", url, "--corpus", str(corpus))
    assert status == 1
    assert lines == [
        f"skipped {url}: the feed is broken: not well-formed XML (line 5, column 35: "
        "unclosed token); 1 entry read before the error",  # the cut-off one is not counted
        f'added {FERRY_ID}: "Bellmouth ferry returns after two-year pause" (2024-03-14)',
    ]


def test_a_feed_file_on_this_machine_is_read_and_its_links_fetched(
    server: PageServer, corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = tmp_path / "rss.xml"
    feed.write_bytes(server.saved("rss.xml"))
    status, lines, _ = _run(capsys, "add", "--feed", str(feed), "--corpus", str(corpus))
    assert status == 1  # the entry without a link
    assert [line.split()[0] for line in lines] == ["added", "added", "skipped"]
    status, lines, _ = _run(
        capsys, "add", "--feed", str(tmp_path / "nope.xml"), "--corpus", str(corpus)
    )
    assert status == 1 and lines[0].startswith(f"skipped {tmp_path / 'nope.xml'}: no such file")
    status, lines, _ = _run(capsys, "feeds", "add", str(feed), "--corpus", str(corpus))
    assert (status, lines) == (
        1,
        [
            f"skipped {feed}: a followed feed is a web address; `quotebot add --feed FILE` "
            "reads a feed file once"
        ],
    )


def test_a_dead_link_in_a_feed_is_reported_once_not_on_every_poll(
    server: PageServer, corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ferry = server.url("/pages/ferry-opengraph.html")
    items = "".join(
        f"<item><title>{title}</title><link>{link}</link></item>"
        for title, link in (
            ("Ferry", ferry),
            ("Gone", server.url("/status/404")),
            ("Down for now", server.url("/status/503")),
        )
    )
    rss = f'<rss version="2.0"><channel><title>One</title>{items}</channel></rss>'
    url = server.publish(
        "/one-entry.xml",
        rss.replace(ferry, "{base}/pages/ferry-opengraph.html"),
        "application/rss+xml",
    )
    status, lines, _ = _run(capsys, "feeds", "add", url, "--corpus", str(corpus))
    assert lines == [f'following {url} "One" (3 entries now)']
    status, lines, _ = _run(capsys, "feeds", "poll", "--corpus", str(corpus))
    assert status == 1
    assert lines[1:] == [
        f"skipped {server.url('/status/404')}: HTTP error 404 Not Found",
        f"skipped {server.url('/status/503')}: HTTP error 503 Service Unavailable",
    ]
    status, lines, _ = _run(capsys, "feeds", "poll", "--corpus", str(corpus))
    assert (status, lines) == (
        1,
        [f"skipped {server.url('/status/503')}: HTTP error 503 Service Unavailable"],
    )
    status, lines, _ = _run(capsys, "feeds", "list", "--corpus", str(corpus))
    assert lines[0].endswith(", 2 entries handled (1 failed for good)")
