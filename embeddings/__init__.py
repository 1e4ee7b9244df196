"""The retrieval engine of quotebot: corpus, sentences, encoders, index and search.

Importable without Telegram (a test enforces it) so that the CLI, the bot and the evaluation
all share one engine.
"""
