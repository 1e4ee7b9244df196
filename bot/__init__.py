"""quotebot's front ends: the ``quotebot`` command line and the Telegram bot."""
