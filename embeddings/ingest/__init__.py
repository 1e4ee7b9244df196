"""Ingestion: turning web pages, saved pages and feeds into corpus files.

One job per module: ``fetch`` downloads within limits, ``extract`` finds the article in a page,
``feeds`` reads RSS/Atom, ``store`` writes articles into the corpus folder atomically,
``registry`` remembers feeds, and ``pipeline`` ties them together into one report line per
article. Nothing here imports Telegram; the CLI and the bot call ``pipeline``.
"""
