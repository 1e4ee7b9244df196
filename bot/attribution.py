"""How a quote's speaker is named under it, the same in the terminal and in Telegram.

A sentence the article writes about what someone said ("Refat Chubarov also expressed his
indignation at some Ukrainian MPs, ...") is not in that person's words: cited as "— Refat
Chubarov" it reads as if he spoke of himself in the third person (NU21-1). It still says who
the view is from, so the name stays, marked as reported speech.
"""

from __future__ import annotations

REPORTED_SPEECH = "reported speech"


def speaker_label(speaker: str, reported_speech: bool) -> str:
    """``Refat Chubarov`` for the speaker's own words, ``Refat Chubarov (reported speech)``
    for the article's account of them."""
    return f"{speaker} ({REPORTED_SPEECH})" if reported_speech else speaker
