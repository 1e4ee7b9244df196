"""Tests for embeddings.corpus: the article format a user writes, and every way it can be wrong."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

import pytest

from embeddings.corpus import corpus_files, decode_article, parse_article, read_corpus
from embeddings.errors import CorpusError
from tests.cli_runner import one_line_error, run_main

REPO_ROOT = Path(__file__).resolve().parents[1]
CORPUS_DIR = REPO_ROOT / "corpus"
SEEDS_DIR = REPO_ROOT.parent / "shared" / "seeds"

# Corpus file -> (seed file it was made from, title).
REAL_ARTICLES = {
    "dzhemilev-67-political-prisoners.md": (
        "003_76e0fdc98599e1c0.txt",
        "Mustafa Dzhemilev: 67 people held in custody in occupied Crimea",
    ),
    "ilmi-umerov-solidarity-banner-kyiv.md": (
        "000_67816dae1d20bebe.txt",
        "Activists hang banner in Kyiv in support of Ilmi Umerov",
    ),
}

BODY = "First sentence of the article. Second one.\n"


def write(directory: Path, name: str, content: str | bytes) -> Path:
    path = directory / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def corpus_error(path: Path, content: str | bytes) -> str:
    """The message of the CorpusError that reading a one-file corpus raises."""
    write(path.parent, path.name, content)
    with pytest.raises(CorpusError) as info:
        read_corpus(path.parent)
    message = str(info.value)
    assert "\n" not in message
    return message


# --- happy paths ------------------------------------------------------------------------------


def test_markdown_article_gives_metadata_and_body(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "budget.md",
        "---\n"
        "title: 'City council: budget approved'\n"
        "source: Example Daily\n"
        "date: 2024-12-18\n"
        "url: https://example.org/news/budget\n"
        "language: en\n"
        "---\n" + BODY,
    )

    [doc] = read_corpus(tmp_path)

    assert doc.id == "budget"
    assert doc.title == "City council: budget approved"
    assert doc.source == "Example Daily"
    assert doc.date == "2024-12-18"
    assert doc.url == "https://example.org/news/budget"
    assert doc.language == "en"
    assert doc.text == BODY
    assert doc.path == str(path)


def test_added_articles_carry_author_and_added_time(tmp_path: Path) -> None:
    write(
        tmp_path,
        "ferry.md",
        "---\ntitle: Ferry\nauthor: Olena Marsh\nadded: '2026-11-22T17:00:00Z'\n---\n" + BODY,
    )
    (tmp_path / "_originals").mkdir()
    write(tmp_path / "_originals", "ferry.html", "<html>the page it came from</html>")

    [doc] = read_corpus(tmp_path)

    assert (doc.id, doc.author) == ("ferry", "Olena Marsh")


def test_markdown_article_without_optional_keys_has_none(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "---\ntitle: A\nsource:\ndate: ''\n---\n" + BODY)

    [doc] = read_corpus(tmp_path)

    assert (doc.source, doc.date, doc.url, doc.language) == (None, None, None, None)


@pytest.mark.parametrize(
    "date",
    [
        "2016-09-03",
        "2016-09-03T10:00:00",
        "2016-09-03 10:00",
        "2016-09-03T10:00:00Z",
        "2016-09-03T10:00:00.250+03:00",
        "'2016-09-03'",
    ],
)
def test_date_is_kept_exactly_as_written(tmp_path: Path, date: str) -> None:
    write(tmp_path, "a.md", f"---\ntitle: A\ndate: {date}\n---\n{BODY}")

    [doc] = read_corpus(tmp_path)

    assert doc.date == date.strip("'")


def test_plain_text_article_takes_title_from_file_name(tmp_path: Path) -> None:
    write(tmp_path, "ilmi-umerov_solidarity--banner.txt", "---\nnot front matter\n" + BODY)

    [doc] = read_corpus(tmp_path)

    assert doc.id == "ilmi-umerov_solidarity--banner"
    assert doc.title == "Ilmi umerov solidarity banner"
    assert doc.text == "---\nnot front matter\n" + BODY
    assert doc.body_offset == 0
    assert (doc.source, doc.date, doc.url, doc.language) == (None, None, None, None)


def test_title_from_file_name_keeps_the_case_of_the_rest(tmp_path: Path) -> None:
    write(tmp_path, "nato_and-EU.TXT", BODY)

    [doc] = read_corpus(tmp_path)

    assert doc.title == "Nato and EU"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("plain.md", "---\ntitle: A\n---\n" + BODY),
        ("blank-line.md", "---\ntitle: A\n---\n\n  " + BODY),
        ("crlf.md", "---\r\ntitle: A\r\n---\r\nOne.\r\nTwo.\r\n"),
        ("spaces.md", "---  \ntitle: A\n--- \t\nOne."),
        ("bom.md", "\ufeff---\ntitle: A\n---\nÜber “quotes” \u2013 dashes."),
        ("bom.txt", "\ufeffÜber “quotes” \u2013 dashes.\n"),
        ("dashes-in-body.md", "---\ntitle: A\n---\nOne.\n---\nTwo.\n"),
    ],
)
def test_body_offset_points_at_the_body_in_the_file_text(
    tmp_path: Path, name: str, content: str
) -> None:
    path = write(tmp_path, name, content)

    [doc] = read_corpus(tmp_path)

    file_text = decode_article(path, path.read_bytes())
    assert file_text[doc.body_offset :] == doc.text
    assert doc.text.strip()
    assert "\ufeff" not in doc.text


def test_body_is_kept_exactly_with_crlf_and_blank_lines(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "---\r\ntitle: A\r\n---\r\n\r\nOne.\r\n\r\nTwo.  \r\n")

    [doc] = read_corpus(tmp_path)

    assert doc.text == "\r\nOne.\r\n\r\nTwo.  \r\n"
    assert doc.title == "A"


def test_parse_article_reads_no_file(tmp_path: Path) -> None:
    doc = parse_article(tmp_path / "missing.md", b"---\ntitle: A\n---\nBody.")

    assert (doc.id, doc.title, doc.text) == ("missing", "A", "Body.")


# --- which files are read ---------------------------------------------------------------------


def test_documentation_hidden_and_underscore_files_are_skipped(tmp_path: Path) -> None:
    for name in ["README.md", "readme.MD", "ReadMe.txt", ".hidden.md", "_draft.md"]:
        write(tmp_path, name, "not an article, no front matter")
    write(tmp_path, "article.md", "---\ntitle: A\n---\n" + BODY)

    assert [doc.id for doc in read_corpus(tmp_path)] == ["article"]


def test_other_extensions_and_subdirectories_are_ignored_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write(tmp_path, "notes.pdf", b"%PDF-1.4")
    (tmp_path / "more").mkdir()
    write(tmp_path / "more", "nested.md", "---\ntitle: Nested\n---\n" + BODY)
    write(tmp_path, "article.txt", BODY)

    with caplog.at_level(logging.INFO, logger="embeddings.corpus"):
        docs = read_corpus(tmp_path)

    assert [doc.id for doc in docs] == ["article"]
    assert "notes.pdf" in caplog.text
    assert "more" in caplog.text
    assert "not read recursively" in caplog.text


def test_articles_are_sorted_by_file_name(tmp_path: Path) -> None:
    for name in ["c.md", "a.txt", "b.md"]:
        write(tmp_path, name, "---\ntitle: T\n---\n" + BODY if name.endswith(".md") else BODY)

    assert [p.name for p in corpus_files(tmp_path)] == ["a.txt", "b.md", "c.md"]
    assert [doc.id for doc in read_corpus(tmp_path)] == ["a", "b", "c"]


# --- the real corpus --------------------------------------------------------------------------


def test_real_corpus_reads_into_its_two_articles() -> None:
    docs = read_corpus(CORPUS_DIR)

    assert [Path(doc.path).name for doc in docs] == sorted(REAL_ARTICLES)
    for doc in docs:
        assert doc.title == REAL_ARTICLES[Path(doc.path).name][1]
        assert doc.source == "QHA (Crimean News Agency)"
        assert doc.language == "en"
        assert doc.date is None
        assert doc.url is None


@pytest.mark.skipif(not SEEDS_DIR.is_dir(), reason=f"seed articles not found in {SEEDS_DIR}")
@pytest.mark.parametrize("name", sorted(REAL_ARTICLES))
def test_real_corpus_body_is_the_seed_text_byte_for_byte(name: str) -> None:
    seed = (SEEDS_DIR / REAL_ARTICLES[name][0]).read_bytes()
    path = CORPUS_DIR / name
    raw = path.read_bytes()

    doc = parse_article(path, raw)

    assert doc.text == seed.decode("utf-8")
    assert raw[len(raw) - len(seed) :] == seed
    assert len(raw[: len(raw) - len(seed)].decode("utf-8")) == doc.body_offset


# --- errors: the directory --------------------------------------------------------------------


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match=r"corpus directory not found: .*nowhere"):
        read_corpus(tmp_path / "nowhere")


def test_path_that_is_not_a_directory(tmp_path: Path) -> None:
    path = write(tmp_path, "file.md", "---\ntitle: A\n---\n" + BODY)

    with pytest.raises(CorpusError, match=r"not a directory: .*file\.md"):
        read_corpus(path)


def test_directory_without_articles(tmp_path: Path) -> None:
    write(tmp_path, "README.md", "# docs only")
    write(tmp_path, "notes.pdf", b"%PDF")

    with pytest.raises(CorpusError) as info:
        read_corpus(tmp_path)

    assert str(info.value) == f"no articles (.md or .txt) in {tmp_path}"


def test_two_articles_with_the_same_id(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "---\ntitle: A\n---\n" + BODY)
    write(tmp_path, "a.txt", BODY)

    with pytest.raises(CorpusError, match=r"'a'.*a\.md.*a\.txt"):
        read_corpus(tmp_path)


def test_unreadable_file_is_reported_not_skipped(tmp_path: Path) -> None:
    (tmp_path / "gone.md").symlink_to(tmp_path / "target-that-does-not-exist.md")

    with pytest.raises(CorpusError, match=r"gone\.md: cannot read file \(No such file"):
        read_corpus(tmp_path)


def test_file_without_read_permission(tmp_path: Path) -> None:
    path = write(tmp_path, "locked.md", "---\ntitle: A\n---\n" + BODY)
    path.chmod(0)
    if os.access(path, os.R_OK):
        pytest.skip("running with privileges that read any file (root)")

    with pytest.raises(CorpusError, match=r"locked\.md: cannot read file \(Permission denied"):
        read_corpus(tmp_path)


# --- errors: one article ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"---\ntitle: A\n---\nbad \xff byte", r"not valid UTF-8 \(byte 0xff at position 21\)"),
        (b"\xef\xbb\xbf---\ntitle: \xc3", r"not valid UTF-8 \(byte 0xc3 at position 14\)"),
        ("No front matter here.\n", "missing front matter"),
        ("\n---\ntitle: A\n---\nBody", "missing front matter"),
        ("", "the file is empty$"),
        (" \n\t\r\n", "the file is empty$"),
        (b"\xef\xbb\xbf", "the file is empty$"),
        ("---\ntitle: A\nBody without end\n", "front matter is not closed"),
        ("---\ntitle: A\n", "front matter is not closed"),
        ("---\ntitle: A\nsource: [unclosed\n---\nBody", r"not valid YAML \(line 4: "),
        ("---\ntitle: A: B\n---\nBody", r"not valid YAML \(line 2: mapping values"),
        ("---\ntitle: A\ntitle: B\n---\nBody", r"not valid YAML \(line 3: duplicate key 'title'"),
        ("---\n- title\n- A\n---\nBody", "front matter must be a mapping .* not a list"),
        ("---\njust a sentence\n---\nBody", "front matter must be a mapping"),
        ("---\nsource: QHA\n---\nBody", "no 'title'"),
        ("---\n---\nBody", "no 'title'"),
        ("---\ntitle:\n---\nBody", "the title is empty"),
        ("---\ntitle: '  '\n---\nBody", "the title is empty"),
        ("---\ntitle: 1984\n---\nBody", r"'title' must be text, not the number 1984 \(put it in"),
        ("---\ntitle: [A, B]\n---\nBody", "'title' must be text, not a list"),
        ("---\ntitle: A\nlanguage: no\n---\nBody", "'language' must be text, not the boolean"),
        (
            "---\ntitle: A\nlanguage: English\n---\nBody",
            r"language 'English' is not an ISO 639-1 language code \(did you mean 'en'\?",
        ),
        ("---\ntitle: A\nlanguage: xx\n---\nBody", "language 'xx' is not an ISO 639-1"),
        ("---\ntitle: A\nlanguage: eng\n---\nBody", "did you mean 'en'"),
        ("---\ntitle: A\nlanguage: ukr\n---\nBody", "did you mean 'uk'"),
        ("---\ntitle: A\nlanguage: Crimean Tatar\n---\nBody", "is not an ISO 639-1"),
        ("---\ntitle: A\nlanguage: enn\n---\nBody", "language 'enn' is not an ISO 639-1"),
        ("---\ntitle: A\nlanguage: zzz\n---\nBody", "language 'zzz' is not an ISO 639-1"),
        ("---\ntitle: A\nlanguage: en-\n---\nBody", "language 'en-' is not an ISO 639-1"),
        ("---\ntitle: A\ndate: 03.09.2016\n---\nBody", "date '03.09.2016' is not ISO 8601"),
        ("---\ntitle: A\ndate: 2016-02-30\n---\nBody", "date '2016-02-30' is not ISO 8601"),
        ("---\ntitle: A\ndate: 2016-09\n---\nBody", "date '2016-09' is not ISO 8601"),
        ("---\ntitle: A\ndate: 20160903\n---\nBody", "'date' must be text, not the number"),
        ("---\ntitle: A\nurl: ftp://example.org/a\n---\nBody", "url 'ftp://example.org/a' is"),
        ("---\ntitle: A\nurl: example.org/a\n---\nBody", "must start with http:// or https://"),
        ("---\ntitle: A\nurl: 'https:/a'\n---\nBody", "url 'https:/a' is not a web address"),
        ("---\ntittle: A\n---\nBody", r"unknown front matter key 'tittle' \(did you mean 'title'"),
        ("---\ntitle: A\nwriter: B\n---\nBody", "unknown front matter key 'writer'; allowed"),
        ("---\ntitle: A\nadded: yesterday\n---\nBody", "added 'yesterday' is not ISO 8601"),
        ("---\ntitle: A\n---\n", "no text after the front matter"),
        ("---\ntitle: A\n---\n \n\t\r\n", "no text after the front matter"),
        ("---\ntitle: A\n---", "no text after the front matter"),
    ],
)
def test_invalid_markdown_article(tmp_path: Path, content: str | bytes, reason: str) -> None:
    message = corpus_error(tmp_path / "article.md", content)

    assert message.startswith(f"{tmp_path / 'article.md'}: ")
    assert re.search(reason, message), message


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", "", "no text in the file"),
        ("blank.txt", "\n \n", "no text in the file"),
        ("latin1.txt", "caf\xe9".encode("latin-1"), r"not valid UTF-8 \(byte 0xe9 at position 3"),
        ("utf16.txt", "hello".encode("utf-16"), r"not valid UTF-8 \(byte 0xff at position 0"),
        ("-.txt", BODY, "cannot make a title from the file name"),
    ],
)
def test_invalid_text_article(
    tmp_path: Path, name: str, content: str | bytes, reason: str
) -> None:
    message = corpus_error(tmp_path / name, content)

    assert message.startswith(f"{tmp_path / name}: ")
    assert re.search(reason, message), message


@pytest.mark.usefixtures("isolated_env")
@pytest.mark.parametrize("content", [b"", b"\n  \n"])
def test_an_empty_markdown_file_is_said_to_be_empty_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes
) -> None:
    """A 0-byte .md (a failed download or save) said "missing front matter" (NU22-14)."""
    corpus = tmp_path / "empty"
    corpus.mkdir()
    write(corpus, "good.md", "---\ntitle: A\n---\n" + BODY)
    empty = write(corpus, "empty.md", content)
    code, out, err = run_main(capsys, "ask", "When is the next hearing?", "--corpus", str(corpus))
    assert (code, out) == (2, "")
    assert one_line_error(err) == f"quotebot: error: {empty}: the file is empty"


def test_first_invalid_file_stops_reading_and_is_named(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "---\ntitle: A\n---\n" + BODY)
    write(tmp_path, "b.md", "---\ntitle: B\n---\n")

    with pytest.raises(CorpusError, match=r"b\.md: the article has no text"):
        read_corpus(tmp_path)


def test_front_matter_reads_the_same_with_libyaml_as_with_pure_python() -> None:
    """The libyaml parser (faster) gives the values, and the errors, of PyYAML's own."""
    import yaml

    from embeddings.corpus import _front_matter_loader, _FrontMatterLoader

    pure = _front_matter_loader(yaml.SafeLoader)
    texts = [
        "title: 'Crimea: a \"court\" verdict'\nsource: Krymr\ndate: 2016-09-03\n"
        "url: https://example.org/a?b=1#c\nauthor: 'O''Neil'\n",
        "title: >\n  Folded\n  title\ndate: 2016-09-03 10:00:05+03:00\nlanguage: uk\n"
        "tags: [a, 1, 2.5, null, true, ~]\nadded: 2026-11-22T20:00:00Z\n",
        "title: Кримські татари\nnested:\n  - {a: 1}\n  - b\nnumber: 0x1F\nempty:\n",
    ]
    for text in texts:
        expected = yaml.load(text, Loader=pure)
        assert yaml.load(text, Loader=_FrontMatterLoader) == expected
        assert isinstance(expected["title"], str)
    for bad in ("title: a\ntitle: b\n", "title: [unclosed\n"):
        with pytest.raises(yaml.YAMLError):
            yaml.load(bad, Loader=pure)
        with pytest.raises(yaml.YAMLError):
            yaml.load(bad, Loader=_FrontMatterLoader)


@pytest.mark.parametrize(
    "language", ["en", "uk", "ru", "EN", "en-GB", "pt_BR", "sr-Latn", "no", "crh", "crh-UA"]
)
def test_iso_639_languages_with_or_without_a_region_are_accepted(
    tmp_path: Path, language: str
) -> None:
    path = tmp_path / "article.md"
    path.write_text(f'---\ntitle: A\nlanguage: "{language}"\n---\nBody.\n', encoding="utf-8")
    (doc,) = read_corpus(tmp_path)
    assert doc.language == language
