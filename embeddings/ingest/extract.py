"""Finding the article in a web page: its text and the metadata the page itself gives.

trafilatura does the work (main text without navigation, cookie banners, related-article
lists and footers; title, author and date from OpenGraph, JSON-LD, bylines and ``<time>``).
What this module adds is the rule that nothing is invented:

* the date comes from the page's markup only (htmldate's "extensive search" through the free
  text is off), and it is the publication date, not the last modification;
* trafilatura names the site after the host name when the page names no site; that guess is
  dropped, so ``source`` is empty unless the page says who published it;
* the author is kept only when the page's structured metadata names it (``<meta name=author>``,
  ``article:author``, JSON-LD ``author``, microdata ``itemprop=author``, ``rel=author`` links):
  trafilatura also reads free-text bylines, and "Reporting by Maria Lysenko. Published 12
  January 2026." came back as the author "Reporting by Maria Lysenko Published";
* the language is the one the page declares (``<html lang>``, ``og:locale``, JSON-LD
  ``inLanguage``), reduced to its primary subtag; it is never guessed from the text;
* the URL is the page's canonical address when it declares a valid one, otherwise the address
  it was fetched from (none for a saved file that declares none).

The text is kept exactly as trafilatura returns it, so that quotes are verbatim, except for a
first line that repeats the title exactly (trafilatura keeps the headline there).
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import trafilatura
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from embeddings.ingest.errors import ExtractError
from embeddings.language import language_problem

logger = logging.getLogger(__name__)

MIN_TEXT_CHARS = 200
"""Less text than this is an index page, a paywall teaser or an error page, not an article."""

_DATE_PARAMS = {"extensive_search": False, "original_date": True, "outputformat": "%Y-%m-%d"}


@dataclass(frozen=True)
class ExtractedArticle:
    """An article as the page gives it; every field but ``title`` and ``text`` may be None."""

    title: str
    text: str
    url: str | None = None
    source: str | None = None
    author: str | None = None
    date: str | None = None
    language: str | None = None


def extract_article(
    page: bytes | str, *, where: str, url: str | None = None, min_chars: int = MIN_TEXT_CHARS
) -> ExtractedArticle:
    """Extract the main article of an HTML page.

    Args:
        page: The page as downloaded (bytes: trafilatura detects the encoding) or as text.
        where: The URL or file name, for error messages only.
        url: The address the page was fetched from, if it was: it is the article's URL when
            the page declares no canonical one.
        min_chars: Shorter main text than this is refused as "no article text".

    Raises:
        ExtractError: The page cannot be parsed, has no title, or has too little text.
    """
    tree = load_html(page)
    if tree is None:
        raise ExtractError(where, "not an HTML page that can be parsed")
    language = declared_language(tree)
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        date_extraction_params=dict(_DATE_PARAMS),
    )
    text = (getattr(document, "text", None) or "") if document is not None else ""
    if len(text.strip()) < min_chars:
        raise ExtractError(
            where,
            f"no article text ({len(text.strip())} characters found; an index page, a paywall"
            " or an error page?)",
        )
    title = _clean(getattr(document, "title", None))
    if title is None:
        raise ExtractError(where, "the page has no title")
    text = without_headline(text, title)
    if len(text.strip()) < min_chars:
        raise ExtractError(
            where, f"no article text ({len(text.strip())} characters found after the headline)"
        )
    canonical = _web_address(getattr(document, "url", None))
    article_url = canonical or _web_address(url)
    return ExtractedArticle(
        title=title,
        text=text,
        url=article_url,
        source=_site_name(_clean(getattr(document, "sitename", None)), article_url, url),
        author=declared_author(tree, _clean(getattr(document, "author", None))),
        date=_clean(getattr(document, "date", None)),
        language=language,
    )


def declared_language(tree: HtmlElement) -> str | None:
    """The primary language subtag the page declares (``en-GB`` gives ``en``), or None."""
    candidates: list[str] = []
    candidates += tree.xpath("/html/@lang") + tree.xpath("/html/@xml:lang")
    candidates += tree.xpath('//meta[@property="og:locale"]/@content')
    candidates += tree.xpath('//meta[@http-equiv="content-language"]/@content')
    for script in tree.xpath('//script[@type="application/ld+json"]/text()'):
        candidates += _json_ld_languages(script)
    for candidate in candidates:
        primary = re.split(r"[-_]", str(candidate).strip(), maxsplit=1)[0]
        # Only a code the corpus accepts (language_problem): "fil" or "xx" would stop every
        # build.
        if language_problem(primary) is None:
            return primary.lower()
    return None


def declared_author(tree: HtmlElement, found: str | None) -> str | None:
    """trafilatura's author when the page's structured metadata names every one of its people.

    A byline in the text is free prose ("Reporting by ... Published ..."); trafilatura's guess
    at the name in it is not something the page states, so it is dropped.
    """
    if found is None:
        return None
    names = {_fold(name) for name in structured_authors(tree)}
    parts = [part for part in re.split(r"\s*[;,]\s*|\s+and\s+", found) if part.strip()]
    if _fold(found) in names or (parts and all(_fold(part) in names for part in parts)):
        return found
    logger.debug("author %r dropped: not in the page's metadata %r", found, sorted(names))
    return None


def structured_authors(tree: HtmlElement) -> list[str]:
    """The author names the page's metadata gives, web addresses left out."""
    values: list[str] = []
    for attribute in ("name", "property"):
        for key in ("author", "article:author", "og:article:author", "dc.creator"):
            values += tree.xpath(
                f'//meta[translate(@{attribute}, "ABCDEFGHIJKLMNOPQRSTUVWXYZ",'
                f' "abcdefghijklmnopqrstuvwxyz")="{key}"]/@content'
            )
    values += [element.text_content() for element in tree.xpath('//*[@rel="author"]')]
    for element in tree.xpath('//*[@itemprop="author"]'):
        named = element.xpath('.//*[@itemprop="name"]')
        values.append(named[0].text_content() if named else element.text_content())
        values += element.xpath("@content")
    for script in tree.xpath('//script[@type="application/ld+json"]/text()'):
        values += _json_ld_authors(script)
    names = [_clean(value) for value in values]
    return [name for name in names if name and not re.match(r"(?i)https?://", name)]


def _json_ld_authors(script: str) -> list[str]:
    try:
        data: Any = json.loads(script)
    except ValueError:
        return []
    found: list[str] = []
    pending: list[Any] = [data]
    while pending:
        node = pending.pop()
        if isinstance(node, list):
            pending += node
        elif isinstance(node, dict):
            for key in ("author", "creator"):
                people = node.get(key)
                for person in people if isinstance(people, list) else [people]:
                    if isinstance(person, str):
                        found.append(person)
                    elif isinstance(person, dict) and isinstance(person.get("name"), str):
                        found.append(person["name"])
            pending += [value for value in node.values() if isinstance(value, (dict, list))]
    return found


def _fold(name: str) -> str:
    return " ".join(name.split()).casefold()


def _json_ld_languages(script: str) -> list[str]:
    try:
        data: Any = json.loads(script)
    except ValueError:
        return []
    items = data if isinstance(data, list) else [data]
    found: list[str] = []
    for item in items:
        if isinstance(item, dict):
            graph = item.get("@graph")
            nodes = graph if isinstance(graph, list) else [item]
            found += [
                node["inLanguage"]
                for node in nodes
                if isinstance(node, dict) and isinstance(node.get("inLanguage"), str)
            ]
    return found


def without_headline(text: str, title: str) -> str:
    """The text without its first line when that line is the title, word for word.

    trafilatura keeps the page's headline as the first line of the main text; stored in the
    body it would come back as a top quote that merely repeats the title (which the front
    matter already holds). Only an exact repeat is removed: the body stays text of the page.
    """
    first, newline, rest = text.lstrip().partition("\n")
    if newline and " ".join(first.split()) == title:
        return rest.lstrip("\n")
    return text


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None


def _web_address(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme.lower() in ("http", "https") and parts.hostname:
        return url
    return None


def _site_name(name: str | None, *urls: str | None) -> str | None:
    """Drop the host name trafilatura puts in place of a site name the page does not give."""
    if name is None:
        return None
    for url in urls:
        if not url:
            continue
        parts = urlsplit(url)
        hosts = {host for host in (parts.netloc.lower(), parts.hostname) if host}
        if name.lower() in hosts | {host.removeprefix("www.") for host in hosts}:
            return None
    return name
