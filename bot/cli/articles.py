"""``quotebot add``, ``quotebot remove`` and ``quotebot feeds``: changing what the corpus holds.

Thin: the work is in ``embeddings/ingest``; this module parses, calls, and prints one line per
article (added, updated, unchanged, or skipped with the reason). The index is not touched
here: ``quotebot ask`` and the bot see that the corpus changed and rebuild it.

The bundled corpus is read-only (it is part of the installed program, or git-tracked in a
checkout); these commands ask for ``--corpus DIR`` or ``QUOTEBOT_CORPUS`` instead of writing into
it. It is known by the marker file inside it (``embeddings.ingest.bundled``), wherever it lies.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli.options import EXIT_OK
from bot.settings import Settings, default_corpus_dir
from embeddings import QuotebotError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from embeddings.ingest import FollowedFeed, Report

EXIT_SKIPPED = 1  # at least one input was skipped (each one has its line on stdout)


class ReadOnlyCorpusError(QuotebotError):
    """A command would change the bundled corpus."""


def add_parser(commands: argparse._SubParsersAction[Any]) -> None:
    add = commands.add_parser(
        "add",
        help="add articles from web pages, saved pages, files or feeds",
        description="Add articles to a corpus folder: web pages (fetched), saved pages "
        "(.html), article files (.md, .txt), folders of them, and every article of a feed "
        "(--feed). Each article becomes a Markdown file with front matter (the fetched page "
        "is kept in _originals/). Prints one line per article: added, updated, unchanged, or "
        "skipped with the reason. Exits 1 when anything was skipped.",
    )
    add.add_argument("inputs", nargs="*", metavar="URL|FILE|DIR", help="what to add")
    add.add_argument(
        "--feed",
        action="append",
        default=[],
        metavar="URL",
        help="add every article of this RSS or Atom feed: a web address or a feed file "
        "saved on this machine (its articles' links are fetched; repeatable)",
    )
    _add_corpus_option(add)

    remove = commands.add_parser(
        "remove",
        help="remove articles from a corpus folder",
        description="Delete articles (and their kept originals) by id: the file name "
        "without its extension, as `quotebot add` prints it.",
    )
    remove.add_argument("article_ids", nargs="+", metavar="ARTICLE_ID")
    _add_corpus_option(remove)

    feeds = commands.add_parser(
        "feeds",
        help="follow RSS/Atom feeds and fetch their new articles",
        description="Follow feeds (kept in _feeds.json in the corpus folder) and add what "
        "is new in them.",
    )
    actions = feeds.add_subparsers(dest="feeds_command", metavar="ACTION")
    actions.required = True
    follow = actions.add_parser(
        "add", help="follow a feed", description="Check that URL is a feed and follow it."
    )
    follow.add_argument("urls", nargs="+", metavar="URL")
    _add_corpus_option(follow)
    poll = actions.add_parser(
        "poll",
        help="add the new articles of every followed feed",
        description="Fetch every followed feed and add the articles not handled before. "
        "An entry that failed for a passing reason (network, server error) is tried again "
        "next time.",
    )
    _add_corpus_option(poll)
    show = actions.add_parser(
        "list",
        help="show the followed feeds",
        description="Print one line per followed feed: its address and title, when it was "
        "last polled, how many of its entries were handled, and how many of those failed for "
        "good (HTTP 404, not a page, no article text: reported once, never fetched again).",
    )
    _add_corpus_option(show)
    stop = actions.add_parser(
        "remove",
        help="stop following a feed",
        description="Stop following feeds (a feed that is gone keeps failing every poll). "
        "The articles already added from them stay; remove those with `quotebot remove`. "
        "Exits 1 when a URL was not followed.",
    )
    stop.add_argument("urls", nargs="+", metavar="URL")
    _add_corpus_option(stop)


def _add_corpus_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--corpus",
        metavar="DIR",
        type=Path,
        help="the corpus folder to change (default: $QUOTEBOT_CORPUS; the bundled corpus is "
        "read-only)",
    )


def writable_corpus(args: argparse.Namespace, settings: Settings, *, create: bool = False) -> Path:
    """The corpus folder to change; never the bundled one, never a file.

    With ``create``, a missing folder is made and said so on stderr (a mistyped ``--corpus``
    would otherwise start a new corpus without a word); its parent folder must exist, since
    a missing parent is far more often a typo than a wish for a new tree of folders.
    """
    from embeddings.ingest.bundled import is_bundled_corpus

    corpus: Path = args.corpus or settings.corpus_dir
    if is_bundled_corpus(corpus) or corpus.resolve() == default_corpus_dir().resolve():
        raise ReadOnlyCorpusError(
            f"the bundled corpus is read-only ({corpus}); pass --corpus DIR or set "
            "QUOTEBOT_CORPUS to add articles to a folder of your own"
        )
    if corpus.is_dir():
        return corpus
    if corpus.exists():
        raise QuotebotError(f"the corpus {corpus} is a file, not a folder of articles")
    if not create:
        raise QuotebotError(f"no corpus folder {corpus}")
    parent = corpus.absolute().parent
    if not parent.is_dir():
        raise QuotebotError(
            f"cannot create the corpus folder {corpus}: its parent folder {parent} does not "
            "exist (create it first if this is the right place)"
        )
    try:
        corpus.mkdir()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise QuotebotError(f"cannot create the corpus folder {corpus} ({reason})") from error
    print(f"quotebot: created a new corpus folder {corpus}", file=sys.stderr, flush=True)
    return corpus


def print_reports(reports: Iterable[Report]) -> bool:
    """One line per article as each is handled (a long feed shows progress); True when any
    was skipped, which makes the command's exit status 1."""
    skipped = False
    for report in reports:
        skipped |= report.status == "skipped"
        print(report.line(), flush=True)
    return skipped


def command_add(args: argparse.Namespace, settings: Settings) -> int:
    from embeddings.ingest import Ingester

    if not args.inputs and not args.feed:
        raise QuotebotError("nothing to add: give URLs, files or folders, or --feed URL")
    with Ingester(writable_corpus(args, settings, create=True)) as ingester:
        skipped = print_reports(ingester.add(args.inputs))
        for url in args.feed:
            skipped |= print_reports(ingester.add_feed(url)[1])
    return EXIT_SKIPPED if skipped else EXIT_OK


def command_remove(args: argparse.Namespace, settings: Settings) -> int:
    from embeddings.ingest import CorpusWriter, IngestError, corpus_lock

    corpus = writable_corpus(args, settings)
    status = EXIT_OK
    with corpus_lock(corpus):
        writer = CorpusWriter(corpus)
        for article_id in args.article_ids:
            try:
                document = writer.remove(article_id)
            except IngestError as error:
                print(f"skipped {article_id}: {error.reason}", flush=True)
                status = EXIT_SKIPPED
                continue
            print(f'removed {article_id}: "{document.title}"', flush=True)
    return status


def command_feeds_add(args: argparse.Namespace, settings: Settings) -> int:
    from embeddings.ingest import FeedRegistry, Ingester, IngestError
    from embeddings.ingest.fetch import check_web_address

    corpus = writable_corpus(args, settings, create=True)
    status = EXIT_OK
    with Ingester(corpus) as ingester:
        registry = FeedRegistry(corpus)  # read under the corpus lock the ingester holds
        for url in args.urls:
            try:
                if "://" not in url:  # followed feeds are fetched again at every poll
                    raise IngestError(
                        url,
                        "a followed feed is a web address; `quotebot add --feed FILE` reads "
                        "a feed file once",
                    )
                check_web_address(url)
                feed = ingester.read_feed(url)
                if feed.broken is not None:  # following it would only fail later
                    raise IngestError(url, f"the feed is broken: {feed.broken}")
                followed, new = registry.follow(url)
            except IngestError as error:
                print(f"skipped {url}: {error.reason}", flush=True)
                status = EXIT_SKIPPED
                continue
            followed.title = followed.title or feed.title
            registry.save()
            title = f' "{feed.title}"' if feed.title else ""
            verb = "following" if new else "already following"
            count = plural(len(feed.entries), "entry", "entries")
            print(f"{verb} {url}{title} ({count} now)", flush=True)
    return status


def command_feeds_poll(args: argparse.Namespace, settings: Settings) -> int:
    from embeddings.ingest import FeedRegistry, Ingester

    corpus = writable_corpus(args, settings)
    with Ingester(corpus) as ingester:
        registry = FeedRegistry(corpus)  # read under the corpus lock the ingester holds
        if not registry.feeds:
            raise QuotebotError(
                f"no feeds followed in {corpus}; add one with `quotebot feeds add URL`"
            )
        skipped = print_reports(ingester.poll(registry))
    return EXIT_SKIPPED if skipped else EXIT_OK


def command_feeds_remove(args: argparse.Namespace, settings: Settings) -> int:
    from embeddings.ingest import FeedRegistry, corpus_lock

    corpus = writable_corpus(args, settings)
    status = EXIT_OK
    with corpus_lock(corpus):
        registry = FeedRegistry(corpus)
        for url in args.urls:
            if registry.unfollow(url):
                registry.save()
                print(f"stopped following {url}", flush=True)
            else:
                print(f"not following {url}", flush=True)
                status = EXIT_SKIPPED
    return status


def command_feeds_list(args: argparse.Namespace, settings: Settings) -> int:
    from embeddings.ingest import FeedRegistry

    corpus = args.corpus or settings.corpus_dir
    if corpus.exists() and not corpus.is_dir():
        raise QuotebotError(f"the corpus {corpus} is a file, not a folder of articles")
    registry = FeedRegistry(corpus)
    if not registry.feeds:
        print(f"no feeds followed in {corpus}")
    for feed in registry.feeds:
        print(feed_line(feed), flush=True)
    return EXIT_OK


def feed_line(feed: FollowedFeed) -> str:
    """``URL "Title": last polled T, 12 entries handled (1 failed for good)``, then
    ``; last poll failed: REASON (at T)`` when the latest poll could not read the feed."""
    title = f' "{feed.title}"' if feed.title else ""
    polled = f"last polled {feed.polled}" if feed.polled else "not polled yet"
    failed = f" ({len(feed.failed)} failed for good)" if feed.failed else ""
    handled = plural(len(feed.seen), "entry", "entries")
    failure = f"; last poll failed: {feed.last_failure}" if feed.last_failure else ""
    return f"{feed.url}{title}: {polled}, {handled} handled{failed}{failure}"


def plural(count: int, one: str, many: str) -> str:
    """``1 entry``, ``2 entries``."""
    return f"{count} {one if count == 1 else many}"


COMMANDS = {
    "add": command_add,
    "remove": command_remove,
    "feeds add": command_feeds_add,
    "feeds poll": command_feeds_poll,
    "feeds list": command_feeds_list,
    "feeds remove": command_feeds_remove,
}
