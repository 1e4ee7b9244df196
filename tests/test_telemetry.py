"""Every dependency's telemetry switch is set to off, whatever the caller's environment says."""

from __future__ import annotations

from bot.telemetry import TELEMETRY_OFF, turn_off_telemetry


def test_every_switch_is_forced_off() -> None:
    environ = {"ORT_DISABLE_TELEMETRY": "0", "PATH": "/bin"}
    turn_off_telemetry(environ)
    assert environ["ORT_DISABLE_TELEMETRY"] == "1"
    assert environ["HF_HUB_DISABLE_TELEMETRY"] == "1"
    assert environ["DO_NOT_TRACK"] == "1"
    assert environ["PATH"] == "/bin"
    assert set(TELEMETRY_OFF) <= set(environ)
