"""The ``quotebot`` command line: ``main`` parses, one module per command group runs.

- ``main``: the parser, logging set-up and the exit-code contract.
- ``ask``, ``index``, ``eval``, ``run``: the command groups, each with its sub-parser.
- ``options``: the ``--corpus``/``--index``/``--model`` options every command shares.
- ``render``: answers as text and the whole ``--json`` contract.
"""

from bot.cli.main import main

__all__ = ["main"]
