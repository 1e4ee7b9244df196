"""The engine must stay usable without Telegram: `embeddings` never imports `telegram`."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO


def test_the_engine_imports_without_telegram() -> None:
    code = (
        "import sys, pkgutil, importlib, embeddings\n"
        "for m in pkgutil.iter_modules(embeddings.__path__):\n"
        "    importlib.import_module('embeddings.' + m.name)\n"
        "bad = sorted(n for n in sys.modules if n == 'telegram' or n.startswith('telegram.'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert result.stdout.strip() == ""


def test_no_engine_module_mentions_telegram() -> None:
    for path in (REPO / "embeddings").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "import telegram" not in source and "from telegram" not in source, path


def test_front_ends_use_only_the_engines_public_api() -> None:
    """bot/ imports `embeddings` (or a sub-package's own public API), never its modules."""
    import re

    imports = re.compile(r"^\s*(?:from|import)\s+embeddings\.(\w+)", re.MULTILINE)
    for path in (REPO / "bot").rglob("*.py"):
        for name in imports.findall(path.read_text(encoding="utf-8")):
            assert (REPO / "embeddings" / name / "__init__.py").is_file(), (path, name)
