"""The tunnel console's reasons in the user's language: why a step ended ERROR, why the
AI's judgement did not count, why a run stopped.

The engine writes its reasons in English (``condition: …``, ``PH-TT-TIMEOUT: read('kv')
did not answer within 5 s``, ``confidence 0.62 < 0.80``): the journal and the record keep
them as written. A screen shows them through :func:`reason_text`, which puts each known
pattern into the current language and keeps what it carries (step keys, device names,
error codes, numbers) as written; a reason it does not know is shown as written, never
blank. Nested reasons (a condition's timeout) are put in words layer by layer.

A device error (the OPC UA adapter's, the transport's, the simulator's) is put in words
the same way, and the codes in it - OPC UA status codes, the transport's exception names
and error numbers, TLS reasons - are followed by their meaning (``ui_device_words``):
``PH-TT-OPC-STATUS: OPC UA method X answered BadTimeout ...`` reads
``PH-TT-OPC-STATUS：OPC UA 方法 X 返回 BadTimeout（设备在规定时间内无应答）``.
"""
from __future__ import annotations

import re

from PySide6.QtCore import QCoreApplication

from app.core.errors import PharosError
from station_plugins.tunnel_test.ui_device_words import with_meanings

CONTEXT = "TunnelReasons"


def _noop(context: str, text: str) -> str:  # noqa: ARG001 - marks a template (catalogue)
    return text


_CODE = r"((?:Bad|Uncertain)[A-Za-z]+)"
# the device's errors as the OPC UA adapter, the driver sets, the MES client and the
# console write them (app/adapters/, station_plugins/tunnel_test/adapters/, drivers.py)
DEVICE_PATTERNS: tuple[tuple[re.Pattern[str], str, tuple[int, ...]], ...] = (
    (re.compile(rf"OPC UA method (\S+) answered {_CODE}(?: .*)?", re.S),
     _noop(CONTEXT, "OPC UA method %1 answered %2"), (2,)),
    (re.compile(rf"'(.+)' answered {_CODE}(?: .*)?", re.S),
     _noop(CONTEXT, "'%1' answered %2"), (2,)),
    (re.compile(r"OPC UA method (\S+) did not answer within (\S+) s"),
     _noop(CONTEXT, "OPC UA method %1 did not answer within %2 s"), ()),
    (re.compile(r"OPC UA method (\S+) failed: (.+)", re.S),
     _noop(CONTEXT, "OPC UA method %1 failed: %2"), (2,)),
    (re.compile(r"OPC UA read failed: (.+)", re.S), _noop(CONTEXT, "OPC UA read failed: %1"),
     (1,)),
    (re.compile(r"OPC UA read of (\d+) values timed out"),
     _noop(CONTEXT, "OPC UA read of %1 values timed out"), ()),
    (re.compile(r"no OPC UA connection to (\S+) \(waited (\S+) s\)"),
     _noop(CONTEXT, "no OPC UA connection to %1 (waited %2 s)"), ()),
    (re.compile(r"OPC UA connection lost during (\S+): (.+)", re.S),
     _noop(CONTEXT, "OPC UA connection lost during %1: %2"), (2,)),
    (re.compile(r"OPC UA server (\S+) not reachable within (\S+) s: (.+)", re.S),
     _noop(CONTEXT, "OPC UA server %1 not reachable within %2 s: %3"), (3,)),
    (re.compile(r"OPC UA server (\S+) not reachable within (\S+) s"),
     _noop(CONTEXT, "OPC UA server %1 not reachable within %2 s"), ()),
    (re.compile(r"OPC UA session with (\S+) refused: (.+)", re.S),
     _noop(CONTEXT, "OPC UA session with %1 refused: %2"), (2,)),
    (re.compile(r"the server refused the user identity '(.*)' \((\w+)\)"),
     _noop(CONTEXT, "the server refused the user identity '%1' (%2)"), (2,)),
    (re.compile(r"the server refused this workstation's certificate \((.+)\): (\w+); its "
                r"administrator must add it to the server's trust list"),
     _noop(CONTEXT, "the server refused this workstation's certificate (%1): %2; its "
                    "administrator must add it to the server's trust list"), (2,)),
    (re.compile(r"the server rejected security (\S+) \((\w+)\)"),
     _noop(CONTEXT, "the server rejected security %1 (%2)"), (2,)),
    (re.compile(r"The tunnel server (\S+) offers no unsecured endpoint \(it offers (.+)\) "
                r"and this workstation is configured for security None\."),
     _noop(CONTEXT, "The tunnel server %1 offers no unsecured endpoint (it offers %2) and "
                    "this workstation is configured for security None."), ()),
    (re.compile(r"The tunnel server (\S+) offers no Basic256Sha256 (\w+) endpoint "
                r"\(configured \[opcua\] security = (\S+)\)\."),
     _noop(CONTEXT, "The tunnel server %1 offers no Basic256Sha256 %2 endpoint (configured "
                    "[opcua] security = %3)."), ()),
    (re.compile(r"The tunnel server certificate '(.*)' \(SHA-1 thumbprint (\w+)\) is not in "
                r"the trust list (.+); the connection was refused\. A copy was saved to "
                r"(.+)\.", re.S),
     _noop(CONTEXT, "The tunnel server certificate '%1' (SHA-1 thumbprint %2) is not in the "
                    "trust list %3; the connection was refused. A copy was saved to %4."), ()),
    (re.compile(r"The tunnel server certificate '(.*)' \(SHA-1 thumbprint (\w+)\) expired "
                r"on (\S+)\."),
     _noop(CONTEXT, "The tunnel server certificate '%1' (SHA-1 thumbprint %2) expired on "
                    "%3."), ()),
    (re.compile(r"driver call '(.+)' was abandoned"),
     _noop(CONTEXT, "driver call '%1' was abandoned"), ()),
    (re.compile(r"unknown driver call '(.+)'"), _noop(CONTEXT, "unknown driver call '%1'"), ()),
    (re.compile(r"driver call '(.+)' needs argument '(.+)'"),
     _noop(CONTEXT, "driver call '%1' needs argument '%2'"), ()),
    (re.compile(r"'(.+)' returned (\d+) values, expected (\d+)"),
     _noop(CONTEXT, "'%1' returned %2 values, expected %3"), ()),
    (re.compile(r"unknown variable '(.+)'"), _noop(CONTEXT, "unknown variable '%1'"), ()),
    (re.compile(r"simulated driver exception in '(.+)'"),
     _noop(CONTEXT, "simulated driver exception in '%1'"), ()),
    (re.compile(r"MES at (\S+) not reachable: (.+)", re.S),
     _noop(CONTEXT, "MES at %1 not reachable: %2"), (2,)),
    (re.compile(r"MES answered HTTP (\d+) for (\S+)"),
     _noop(CONTEXT, "MES answered HTTP %1 for %2"), ()),
    (re.compile(r"unit not reachable: (.+)", re.S), _noop(CONTEXT, "unit not reachable: %1"),
     (1,)),
)
# an exception's name before its text ("ConnectionRefusedError: [Errno 111] ...")
_EXCEPTION_PREFIX = re.compile(r"([A-Za-z_][\w.]*(?:Error|Exception|Lost|Timeout|Untrusted|"
                               r"Status)): (.+)", re.S)

# (the English reason's pattern, its template: %1, %2 = the groups; the groups marked
# nested are put in words too)
PATTERNS: tuple[tuple[re.Pattern[str], str, tuple[int, ...]], ...] = DEVICE_PATTERNS + (
    (re.compile(r"condition: (.+)", re.S), _noop(CONTEXT, "condition: %1"), (1,)),
    (re.compile(r"precondition: (.+)", re.S), _noop(CONTEXT, "precondition: %1"), (1,)),
    (re.compile(r"group '(.+?)' condition: (.+)", re.S),
     _noop(CONTEXT, "group '%1' condition: %2"), (2,)),
    (re.compile(r"(PH-[A-Z0-9-]+): (.+)", re.S), _noop(CONTEXT, "%1: %2"), (2,)),
    (re.compile(r"(.+) did not answer within (\S+) s"),
     _noop(CONTEXT, "%1 did not answer within %2 s"), ()),
    (re.compile(r"model '(.+)' not available"), _noop(CONTEXT, "model '%1' not available"), ()),
    (re.compile(r"output '(.+)' missing"), _noop(CONTEXT, "output '%1' missing"), ()),
    (re.compile(r"confidence (\S+) < (\S+)"), _noop(CONTEXT, "confidence %1 < %2"), ()),
    (re.compile(r"no answer within (\S+) s"), _noop(CONTEXT, "no answer within %1 s"), ()),
    (re.compile(r"journal write failed: (.+)", re.S),
     _noop(CONTEXT, "journal write failed: %1"), ()),
    (re.compile(r"aborted while waiting for the operator"),
     _noop(CONTEXT, "aborted while waiting for the operator"), ()),
    (re.compile(r"aborted by (\S+): (.*)", re.S), _noop(CONTEXT, "aborted by %1: %2"), ()),
    (re.compile(r"calibration expired: (.+)", re.S),
     _noop(CONTEXT, "calibration expired: %1"), ()),
    (re.compile(r"setup step '(.+)' did not pass"),
     _noop(CONTEXT, "setup step '%1' did not pass"), ()),
)
_PLACEHOLDER = re.compile(r"%(\d)")


def reason_text(reason: str, depth: int = 0, given: set[str] | None = None) -> str:
    """``reason`` in the current UI language (as written when no pattern knows it; the
    codes in it with their meaning, each meaning once: ``given`` collects them)."""
    if not reason or depth > 4:
        return reason
    given = set() if given is None else given
    for pattern, template, nested in PATTERNS:
        m = pattern.fullmatch(reason)
        if m is None:
            continue
        groups = [reason_text(g, depth + 1, given) if k + 1 in nested else g
                  for k, g in enumerate(m.groups())]
        return _fill(QCoreApplication.translate(CONTEXT, template), groups)
    m = _EXCEPTION_PREFIX.fullmatch(reason)
    if m is not None:               # the name as written, its text in words
        return f"{with_meanings(m[1], given)}: {reason_text(m[2], depth + 1, given)}"
    return with_meanings(reason, given)


def _fill(words: str, groups: list[str]) -> str:
    """%1.. of a translated template -> the groups, in one pass (a group's own "%1" stays)."""
    return _PLACEHOLDER.sub(lambda p: groups[int(p[1]) - 1]
                            if 0 < int(p[1]) <= len(groups) else p[0], words)


def error_text(exc: BaseException) -> str:
    """An error for the console's message line: its message in words, its code as
    written (``... [PH-TT-OPC-LOST]``); another exception as ``Name: text``."""
    if isinstance(exc, PharosError):
        return f"{reason_text(exc.message)} [{exc.code}]"
    return reason_text(f"{type(exc).__name__}: {exc}")


def failure_text(body: dict) -> str:
    """The runner's ``failed`` report (it could not run: the link to the unit, the
    sequence file) for the console's message line."""
    error = str(body.get("error") or "run failed")
    code = str(body.get("code") or "")
    if not code:
        return reason_text(error)
    message = str(body.get("message") or error)
    return f"{reason_text(message)} [{code}]"
