"""The Telegram bot: ``quotebot run``.

- ``run``: starting and stopping (polling or webhook), token redaction first.
- ``app``: ``build_application(settings, searcher, ...)``, the wiring; reads no environment.
- ``bot_data``: the services every handler shares (``application.bot_data``).
- ``handlers``: commands, questions, inline queries and errors, named for the user's intent;
  ``presses``: what a pressed button does (its data parsed once); ``admin``: /stats, /reload.
- ``pages``: page size, numbering and slicing of an answer's quotes.
- ``buttons``: button data (a strict codec) and the keyboards made of it; ``answers``: recent
  answers by the token buttons carry.
- ``render``: Telegram HTML; ``messages``: the fixed texts.
- ``addressing``: which group messages are questions; ``user_limits``: per-user rate limits;
  ``sending``: Telegram's flood limits and network retries; ``redaction``: the token out of logs.
- ``store``: feedback and counters in SQLite; ``health``: the heartbeat and its check.
"""
