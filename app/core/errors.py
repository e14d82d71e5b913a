"""Typed errors that reach a person: operator text, remedy and a stable code.

A FAIL is data; a PharosError means "could not decide" (stored as verdict ERROR where
a result was expected). Adapters translate library exceptions into these.
"""
from __future__ import annotations

from typing import Any


class PharosError(Exception):
    """Base of every expected error. ``code`` is stable (documented, grep-able)."""

    code = "PH-000"
    remedy = "Contact the station administrator."

    def __init__(self, message: str, *, remedy: str | None = None, code: str | None = None,
                 detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if remedy is not None:
            self.remedy = remedy
        if code is not None:
            self.code = code
        self.detail = detail

    def operator_text(self) -> str:
        return f"{self.message} [{self.code}]"

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "remedy": self.remedy,
                "detail": self.detail}


class ConfigError(PharosError):
    code = "PH-CFG"
    remedy = "Correct the named key in the configuration file and start again."


class StoreError(PharosError):
    code = "PH-DB"
    remedy = "Check the data folder (disk space, permissions) or restore the last backup."


class AuthError(PharosError):
    code = "PH-AUTH"
    remedy = "Check the user name and password; ask an administrator to unlock the account."


class PermissionDenied(PharosError):
    code = "PH-PERM"
    remedy = "Log in as a user whose role allows this action."


class ValidationError(PharosError):
    code = "PH-VAL"
    remedy = "Correct the input and try again."


class InputRejected(ValidationError):
    """Bad external input (file, DICOM object, import row) rejected with a reason."""

    code = "PH-INPUT"


class DeviceError(PharosError):
    code = "PH-DEV"
    remedy = "Check the connection to the device or gateway; the station keeps retrying."


class ModelIntegrityError(PharosError):
    code = "PH-MODEL"
    remedy = "Reinstall the model files; the station works without AI until then."


class Cancelled(PharosError):
    code = "PH-CANCEL"
    remedy = "Nothing to do: the operation was cancelled on request."


class AlreadyRunning(PharosError):
    code = "PH-LOCK"
    remedy = "Close the other Pharos window using this data folder, or choose another data folder."
