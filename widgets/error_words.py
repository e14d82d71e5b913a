"""Typed errors (``PharosError``) in the user's language.

An error is raised in English on any thread (the CLI, the log, the audit and the JSON read
it so: ``message``, ``remedy``, ``code`` are contracts). A message bar shows it in the UI
language, rendered again at every language switch (``MessageBar.show_error``):

* the message, when one of the patterns below knows it (the sign-in, account and
  signature messages: the first thing a new operator reads); otherwise the code's
  headline in the UI language followed by the English message as written (it names a
  peer, a file, a line: better exact than half translated). In English the message is
  shown as it is, without a headline;
* the remedy, when it is one of the error classes' own (every class remedy is below);
  a remedy written for one case stays as written.

Strings are in the ``ErrorWords`` context of ``resources/i18n/pharos_zh_CN.ts``.
"""
# ruff: noqa: E501 - each remedy is one literal, as written in its class (lupdate reads literals)
from __future__ import annotations

import re
from typing import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from app.core.errors import PharosError


def _tr(text: str) -> str:
    return QCoreApplication.translate("ErrorWords", text)


# (English message, its template): %1.. are the groups
_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rx), template) for rx, template in (
        (r"Unknown user name or wrong password\.",
         QT_TRANSLATE_NOOP("ErrorWords", "Unknown user name or wrong password.")),
        (r"Unknown user name or wrong password \((\d+) attempts? left before lockout\)\.",
         QT_TRANSLATE_NOOP("ErrorWords",
                           "Unknown user name or wrong password (%1 attempt(s) left before lockout).")),
        (r"The account '(.+)' is deactivated\.",
         QT_TRANSLATE_NOOP("ErrorWords", "The account '%1' is deactivated.")),
        (r"The account '(.+)' is locked until (\S+) after repeated failed attempts\.",
         QT_TRANSLATE_NOOP("ErrorWords",
                           "The account '%1' is locked until %2 after repeated failed attempts.")),
        (r"Wrong password\. The account '(.+)' is now locked for (\d+) minutes\.",
         QT_TRANSLATE_NOOP("ErrorWords",
                           "Wrong password. The account '%1' is now locked for %2 minutes.")),
        (r"Your password has expired or must be changed now\.",
         QT_TRANSLATE_NOOP("ErrorWords", "Your password has expired or must be changed now.")),
        (r"The password must have at least (\d+) characters\.",
         QT_TRANSLATE_NOOP("ErrorWords", "The password must have at least %1 characters.")),
        (r"The password must contain letters and digits\.",
         QT_TRANSLATE_NOOP("ErrorWords", "The password must contain letters and digits.")),
        (r"The password must not contain the user name\.",
         QT_TRANSLATE_NOOP("ErrorWords", "The password must not contain the user name.")),
        (r"The new password must differ from the last (\d+) passwords\.",
         QT_TRANSLATE_NOOP("ErrorWords", "The new password must differ from the last %1 passwords.")),
        (r"User names use letters, digits, '\.', '_' or '-'\.",
         QT_TRANSLATE_NOOP("ErrorWords", "User names use letters, digits, '.', '_' or '-'.")),
        (r"A printed \(full\) name is required: it appears on signatures\.",
         QT_TRANSLATE_NOOP("ErrorWords",
                           "A printed (full) name is required: it appears on signatures.")),
        (r"A user needs at least one role\.",
         QT_TRANSLATE_NOOP("ErrorWords", "A user needs at least one role.")),
        (r"User '(.+)' already exists\.",
         QT_TRANSLATE_NOOP("ErrorWords", "User '%1' already exists.")),
        (r"User '(.+)' does not exist\.",
         QT_TRANSLATE_NOOP("ErrorWords", "User '%1' does not exist.")),
        (r"A reason is required for every account change\.",
         QT_TRANSLATE_NOOP("ErrorWords", "A reason is required for every account change.")),
        (r"You cannot deactivate your own account\.",
         QT_TRANSLATE_NOOP("ErrorWords", "You cannot deactivate your own account.")),
        (r"User '(.+)' may not (.+): needs admin\.",
         QT_TRANSLATE_NOOP("ErrorWords", "User '%1' may not %2: needs admin.")),
        (r"No session to unlock\.", QT_TRANSLATE_NOOP("ErrorWords", "No session to unlock.")),
        (r"Only the session's user or an administrator may unlock it\.",
         QT_TRANSLATE_NOOP("ErrorWords",
                           "Only the session's user or an administrator may unlock it.")),
        (r"Enter your password to sign\.",
         QT_TRANSLATE_NOOP("ErrorWords", "Enter your password to sign.")),
        (r"User '(.+)' may not sign their own work \(second-person rule\)\.",
         QT_TRANSLATE_NOOP("ErrorWords",
                           "User '%1' may not sign their own work (second-person rule).")),
    ))

# the code's headline, before a message no pattern knows (not shown in English)
_HEADLINES = {
    "PH-000": QT_TRANSLATE_NOOP("ErrorWords", "Error"),
    "PH-CFG": QT_TRANSLATE_NOOP("ErrorWords", "Configuration error"),
    "PH-DB": QT_TRANSLATE_NOOP("ErrorWords", "Data store error"),
    "PH-AUTH": QT_TRANSLATE_NOOP("ErrorWords", "Authentication failed"),
    "PH-AUTH-EXPIRED": QT_TRANSLATE_NOOP("ErrorWords", "Password expired"),
    "PH-AUTH-LOCKED": QT_TRANSLATE_NOOP("ErrorWords", "Account locked"),
    "PH-PERM": QT_TRANSLATE_NOOP("ErrorWords", "Not permitted"),
    "PH-VAL": QT_TRANSLATE_NOOP("ErrorWords", "Invalid input"),
    "PH-INPUT": QT_TRANSLATE_NOOP("ErrorWords", "Input rejected"),
    "PH-DEV": QT_TRANSLATE_NOOP("ErrorWords", "Device error"),
    "PH-MODEL": QT_TRANSLATE_NOOP("ErrorWords", "Model files failed their check"),
    "PH-CANCEL": QT_TRANSLATE_NOOP("ErrorWords", "Cancelled"),
    "PH-LOCK": QT_TRANSLATE_NOOP("ErrorWords", "Data folder in use"),
    "PH-SETUP": QT_TRANSLATE_NOOP("ErrorWords", "Setup invalid"),
    "PH-REVIEW-CONFLICT": QT_TRANSLATE_NOOP("ErrorWords", "Review conflict"),
    "PH-PACS": QT_TRANSLATE_NOOP("ErrorWords", "PACS error"),
    "PH-PACS-DOWN": QT_TRANSLATE_NOOP("ErrorWords", "PACS not reachable"),
    "PH-PACS-REFUSED": QT_TRANSLATE_NOOP("ErrorWords", "PACS refused the association"),
    "PH-PACS-TIMEOUT": QT_TRANSLATE_NOOP("ErrorWords", "PACS did not answer in time"),
    "PH-PACS-FAILED": QT_TRANSLATE_NOOP("ErrorWords", "PACS reported a failure"),
    "PH-SCP-START": QT_TRANSLATE_NOOP("ErrorWords", "DICOM receiver could not start"),
    "PH-SYNC-DOWN": QT_TRANSLATE_NOOP("ErrorWords", "Central database not reachable"),
    "PH-SYNC-SCHEMA": QT_TRANSLATE_NOOP("ErrorWords", "Central database schema does not match"),
    "PH-SYNC-LOCAL": QT_TRANSLATE_NOOP("ErrorWords", "No central database configured"),
    "PH-SYNC-AUTH": QT_TRANSLATE_NOOP("ErrorWords", "Central database refused the credentials"),
    "PH-SYNC-CONFIG": QT_TRANSLATE_NOOP("ErrorWords", "Central database URL wrong"),
    "PH-OPCUA-CERT": QT_TRANSLATE_NOOP("ErrorWords", "Certificate not trusted"),
    "PH-TT-MES-DOWN": QT_TRANSLATE_NOOP("ErrorWords", "MES not reachable"),
    "PH-TT-MES-REJECT": QT_TRANSLATE_NOOP("ErrorWords", "MES refused the message"),
    "PH-TT-INTEGRITY": QT_TRANSLATE_NOOP("ErrorWords", "Test record integrity to be reviewed"),
    "PH-TT-RELEASE": QT_TRANSLATE_NOOP("ErrorWords", "Release refused"),
    "PH-TT-SEQ": QT_TRANSLATE_NOOP("ErrorWords", "Test sequence file error"),
    "PH-TT-TIMEOUT": QT_TRANSLATE_NOOP("ErrorWords", "Device call timed out"),
    "PH-TT-BUSY": QT_TRANSLATE_NOOP("ErrorWords", "Run in use by another process"),
    "PH-TT-OPC-SEC": QT_TRANSLATE_NOOP("ErrorWords", "OPC UA security does not match"),
    "PH-TT-OPC-LOST": QT_TRANSLATE_NOOP("ErrorWords", "OPC UA connection lost"),
    "PH-TT-OPC-TIMEOUT": QT_TRANSLATE_NOOP("ErrorWords", "OPC UA timeout"),
    "PH-TT-OPC-STATUS": QT_TRANSLATE_NOOP("ErrorWords", "OPC UA bad status"),
    "PH-TT-JOURNAL": QT_TRANSLATE_NOOP("ErrorWords", "Test journal error"),
    "DM-IMP": QT_TRANSLATE_NOOP("ErrorWords", "Pool import refused"),
}
_HEADLINE_JOIN = QT_TRANSLATE_NOOP("ErrorWords", "%1: %2")

# every error class's own remedy (app.core.errors and the adapters' / stations' classes)
_REMEDIES = (
    QT_TRANSLATE_NOOP("ErrorWords", "Contact the station administrator."),
    QT_TRANSLATE_NOOP("ErrorWords", "Correct the named key in the configuration file and start again."),
    QT_TRANSLATE_NOOP("ErrorWords", "Check the data folder (disk space, permissions) or restore the last backup."),
    QT_TRANSLATE_NOOP("ErrorWords", "Check the user name and password; ask an administrator to unlock the account."),
    QT_TRANSLATE_NOOP("ErrorWords", "Log in as a user whose role allows this action."),
    QT_TRANSLATE_NOOP("ErrorWords", "Correct the input and try again."),
    QT_TRANSLATE_NOOP("ErrorWords", "Check the connection to the device or gateway; the station keeps retrying."),
    QT_TRANSLATE_NOOP("ErrorWords", "Reinstall the model files; the station works without AI until then."),
    QT_TRANSLATE_NOOP("ErrorWords", "Nothing to do: the operation was cancelled on request."),
    QT_TRANSLATE_NOOP("ErrorWords", "Close the other Pharos window using this data folder, or choose another data folder."),
    QT_TRANSLATE_NOOP("ErrorWords", "Reload the queue: another reviewer decided this item first."),
    QT_TRANSLATE_NOOP("ErrorWords", "The MES is not reachable; messages wait in the outbox and are sent later."),
    QT_TRANSLATE_NOOP("ErrorWords", "The MES refused the message; the unit is held. Contact production control."),
    QT_TRANSLATE_NOOP("ErrorWords", "If this certificate is the gateway's, an administrator copies it from the 'rejected' folder into the 'trusted' folder of the workstation PKI and the station connects on its next retry."),
    QT_TRANSLATE_NOOP("ErrorWords", "Choose a new password now."),
    QT_TRANSLATE_NOOP("ErrorWords", "Wait until the lock expires or ask an administrator to unlock the account."),
    QT_TRANSLATE_NOOP("ErrorWords", "Check the PACS address, port and AE titles in the [pacs] configuration."),
    QT_TRANSLATE_NOOP("ErrorWords", "The PACS does not answer on its DICOM port: check that it runs and that host and port in [pacs] are right."),
    QT_TRANSLATE_NOOP("ErrorWords", "The PACS refused or aborted the association: register this station's AE title (and host/port) in the PACS and check the called AE title."),
    QT_TRANSLATE_NOOP("ErrorWords", "The PACS did not answer in time; check its load and the network, then retry."),
    QT_TRANSLATE_NOOP("ErrorWords", "The PACS answered with a failure status; see the detail and the PACS log."),
    QT_TRANSLATE_NOOP("ErrorWords", "Choose a free port for the station's DICOM receiver ([pacs] scp_port) or stop the other program that uses it."),
    QT_TRANSLATE_NOOP("ErrorWords", "Nothing is lost: results stay in the local outbox and are pushed when the central database answers again. Check the network and the database server."),
    QT_TRANSLATE_NOOP("ErrorWords", "Run `pharos central migrate --url URL` with the Pharos version that matches the plant, or install the Pharos version the central database expects. Results stay in the local outbox meanwhile."),
    QT_TRANSLATE_NOOP("ErrorWords", "Set [database] central_url in the configuration to sync with the plant."),
    QT_TRANSLATE_NOOP("ErrorWords", "The central database refused this station's credentials (user or password). Fix the user in [database] central_url or the password in the 0600 file [database] central_password_file (`pharos setup --central-url ...`). Sync does not retry until then; results stay in the local outbox."),
    QT_TRANSLATE_NOOP("ErrorWords", "The central database URL is wrong (not a URL, unknown host, no such database). Fix [database] central_url (`pharos setup --central-url ...`). Sync does not retry until then; results stay in the local outbox."),
    QT_TRANSLATE_NOOP("ErrorWords", "A supervisor reviews the journal and decides under e-signature: pharos tunnel integrity RUN_ID --decide accept|reject --reason TEXT --as SUPERVISOR (or in the tunnel console)."),
    QT_TRANSLATE_NOOP("ErrorWords", "Only a passing, releasable run can be released; see the reason."),
    QT_TRANSLATE_NOOP("ErrorWords", "Correct the sequence file at the named line and load it again."),
    QT_TRANSLATE_NOOP("ErrorWords", "The unit was put in its safe state. Check the device, then resume or abort."),
    QT_TRANSLATE_NOOP("ErrorWords", "Another process is still writing this run (a runner whose console was lost, or a second console). Wait until it has put the unit in its safe state and stopped; it stops by itself when its console is gone."),
    QT_TRANSLATE_NOOP("ErrorWords", "Match the workstation's [opcua] security to what the tunnel server offers, or have the tunnel's administrator enable it; Pharos never falls back to an unsecured link on its own."),
    QT_TRANSLATE_NOOP("ErrorWords", "Check the tunnel network and the OPC UA server; Pharos reconnects by itself."),
    QT_TRANSLATE_NOOP("ErrorWords", "Check the data folder; the run was stopped safely and what was journalled is kept. Resume or abort the run afterwards."),
    QT_TRANSLATE_NOOP("ErrorWords", "Correct the file (see the import report) and import it again; nothing was imported."),
)


def pattern_text(patterns: tuple[tuple[re.Pattern[str], str], ...], text: str, context: str,
                 group: Callable[[re.Match[str], int, str], str] | None = None) -> str | None:
    """``text`` by the first pattern that matches it whole: its template translated in
    ``context``, %1.. filled with the groups (``group(match, k, value)`` renders one);
    None when no pattern knows it. Shared with the status lights' ``status_words``."""
    for pattern, template in patterns:
        m = pattern.fullmatch(text)
        if m is None:
            continue
        out = QCoreApplication.translate(context, template)
        for k, g in enumerate(m.groups(), start=1):
            out = out.replace(f"%{k}", group(m, k, g) if group is not None else g)
        return out
    return None


def _in_english() -> bool:
    """No ErrorWords catalogue for the UI language: messages are shown as written."""
    return _tr(_HEADLINE_JOIN) == _HEADLINE_JOIN


def message_text(exc: PharosError) -> str:
    """The error's message in the UI language (module docstring)."""
    if _in_english():
        return exc.message
    return (pattern_text(_MESSAGES, exc.message, "ErrorWords")
            or coded_text(type(exc), exc.code, exc.message) or exc.message)


def coded_text(cls: type[PharosError] | None, code: str, message: str) -> str | None:
    """``message`` under the headline of ``code`` (or of ``cls``'s codes, most specific
    first) in the UI language; None in English (the caller shows the message as written)."""
    if _in_english():
        return None
    source = _HEADLINES.get(code)
    if source is None and cls is not None:    # a code of its own: its class's, else a base's
        source = next((_HEADLINES[c.code] for c in cls.__mro__
                       if getattr(c, "code", "") in _HEADLINES), None)
    headline = _tr(source or _HEADLINES["PH-000"])
    return _tr(_HEADLINE_JOIN).replace("%1", headline).replace("%2", message)


def remedy_text(exc: PharosError) -> str:
    """The error's remedy in the UI language when it is a class's own; else as written."""
    return _tr(exc.remedy) if exc.remedy else ""


def known_remedies() -> tuple[str, ...]:
    return _REMEDIES
