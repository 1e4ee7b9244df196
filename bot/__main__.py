"""``python -m bot`` behaves exactly like the ``quotebot`` command."""

from bot.cli import main

raise SystemExit(main())
