"""``QUOTEBOT_BUILD_PRECISION``: the precision of the document vectors a build encodes.

``auto`` (the default) takes whichever of the fp32 torch, fp32 ONNX and bfloat16 torch build
encoders the per-machine calibration measured fastest (``embeddings.build_encoder``); ``fp32``,
``bf16`` and ``int8`` force one precision (int8 only when asked for: it costs answer quality).
Queries are always encoded in fp32. A module of its own, without numpy, so that every command
can check the value at its start (``bot.settings``) for the cost of reading one variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from embeddings.errors import ModelError

PRECISION_SETTING = "QUOTEBOT_BUILD_PRECISION"
PRECISIONS = ("auto", "fp32", "bf16", "int8")


def requested_precision(env: Mapping[str, str] | None = None) -> str:
    """The setting's value (auto when unset); ModelError, one line, for any other value."""
    raw = (os.environ if env is None else env).get(PRECISION_SETTING, "").strip()
    precision = raw.lower() or "auto"
    if precision not in PRECISIONS:
        raise ModelError(
            f"{PRECISION_SETTING} must be one of {', '.join(PRECISIONS)}, not {raw!r}"
        )
    return precision


def vectors_precision(build_encoding: Mapping[str, Any]) -> str:
    """The precision of an index's document vectors, from its manifest's ``build_encoding``."""
    return str(build_encoding.get("precision") or "fp32")  # older indexes: always fp32


def describe_build_encoding(build_encoding: Mapping[str, Any]) -> str:
    """One line for ``index info``: ``int8 (onnx; fastest here)``, ``fp32 (torch; ...)``."""
    calibration = build_encoding.get("calibration") or {}
    precision = vectors_precision(build_encoding)
    if not calibration:
        return precision
    return f"{precision} ({calibration.get('chosen', '?')}; {calibration.get('reason', '')})"
