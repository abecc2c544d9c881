"""smtpcodes' pytest plugin, loaded automatically when smtpcodes is installed (disable it with
``-p no:smtpcodes``): readable assertion output for replies and retry decisions."""

from __future__ import annotations

from typing import Any

import smtpcodes


def _describe(obj: Any) -> list[str]:
    if isinstance(obj, smtpcodes.Reply):
        d = obj.to_dict()
        return [f"  {k}: {d[k]!r}" for k in ("code", "status", "text", "bounce", "reason", "remote_mta", "smtp_command")]
    if isinstance(obj, smtpcodes.RetryDecision):
        d = obj.to_dict()
        return [f"  {k}: {v!r}" for k, v in d.items()]
    return [f"  {obj!r}"]


def pytest_assertrepr_compare(op: str, left: Any, right: Any) -> list[str] | None:
    """Field-by-field output when two replies or two retry decisions compare unequal."""
    kinds = (smtpcodes.Reply, smtpcodes.RetryDecision)
    if op != "==" or not isinstance(left, kinds) or not isinstance(right, kinds):
        return None
    lines = [f"{type(left).__name__} == {type(right).__name__} failed:"]
    ld, rd = _describe(left), _describe(right)
    for a, b in zip(ld, rd):
        marker = "  " if a == b else "! "
        lines.append(f"{marker}{a.strip()}  |  {b.strip()}")
    return lines
