"""The Markdown line markers an article file may keep at the start of a sentence.

A corpus file is Markdown, and a heading, list item or block quote line becomes a sentence of
its own with its marker (``## Who paid``, ``- Trams run``, ``> The budget``, ``3. A cafe``).
The marker is the file's markup, not the article's words: a web page shows no such character,
so a link to the text must not start with it, and a line that carries one is no sentence to
join with its neighbours.
"""

from __future__ import annotations

MARKER = r"#{1,6}|[-*+>]|\d{1,3}[.)]"
"""One marker, without the space that follows it."""
