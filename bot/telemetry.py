"""Telemetry of every dependency, off, before any of them loads: quotebot runs offline.

onnxruntime (the query encoder) otherwise writes a device id and a queue of telemetry events
under ``~/.cache/Microsoft/DeveloperTools/.onnxruntime`` on every start; huggingface_hub
(under sentence-transformers and transformers, at index builds) sends usage pings unless told
not to. The switches are environment variables that the libraries read when they start, so
the entry points call ``turn_off_telemetry`` first thing. They are forced, not defaulted: a
promise to stay offline does not depend on the caller's environment.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping

TELEMETRY_OFF = {
    # onnxruntime: no device id, no event queue (read when its environment is created).
    "ORT_DISABLE_TELEMETRY": "1",
    # huggingface_hub, for sentence-transformers and transformers.
    "HF_HUB_DISABLE_TELEMETRY": "1",
    # The cross-tool convention; huggingface_hub and others honour it too.
    "DO_NOT_TRACK": "1",
}


def turn_off_telemetry(environ: MutableMapping[str, str] | None = None) -> None:
    """Set every dependency's telemetry switch to off in ``environ`` (the process's)."""
    target = os.environ if environ is None else environ
    target.update(TELEMETRY_OFF)
