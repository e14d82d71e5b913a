"""A device error's codes in the user's words: OPC UA status codes (``BadTimeout``), the
transport's exception names and error numbers (``ConnectionRefusedError``,
``[Errno 111]``) and TLS reasons (``[SSL: CERTIFICATE_VERIFY_FAILED]``).

The code stays as written - it is what a technician searches for - and its meaning
follows it in the current language: ``BadTimeout（设备在规定时间内无应答）`` in zh_CN,
``BadTimeout (the device did not answer in time)`` in English. asyncua writes a status
code as ``<the specification's sentence>(BadX)``; that English sentence is replaced by the
meaning. Each meaning is given once per text; a code this table does not know, and text
around the codes, are left as written (the journal and the record keep the English).
"""
from __future__ import annotations

import re

from PySide6.QtCore import QCoreApplication

CONTEXT = "TunnelDeviceCodes"


def _noop(text: str) -> str:       # marks a catalogue text (context TunnelDeviceCodes)
    return text


# OPC UA status codes (IEC 62541-4/6 names, as asyncua writes them) -> their meaning
STATUS_CODES: dict[str, str] = {
    "BadTimeout": _noop("the device did not answer in time"),
    "BadRequestTimeout": _noop("the request timed out at the device"),
    "BadNodeIdUnknown": _noop("the device has no such data point"),
    "BadNodeIdInvalid": _noop("the data point address is not valid"),
    "BadNoMatch": _noop("the device has no item of that name"),
    "BadBrowseNameInvalid": _noop("the item name is not valid"),
    "BadMethodInvalid": _noop("the device has no such command"),
    "BadArgumentsMissing": _noop("the command is missing arguments"),
    "BadInvalidArgument": _noop("a command argument is not valid"),
    "BadTypeMismatch": _noop("the value has the wrong data type"),
    "BadOutOfRange": _noop("the value is out of range"),
    "BadNotReadable": _noop("the data point cannot be read"),
    "BadNotWritable": _noop("the data point cannot be written"),
    "BadNotSupported": _noop("the device does not support this"),
    "BadNotImplemented": _noop("the device does not implement this"),
    "BadServiceUnsupported": _noop("the device does not support this service"),
    "BadInternalError": _noop("internal error in the device's server"),
    "BadUnexpectedError": _noop("unexpected error in the device's server"),
    "BadOutOfMemory": _noop("the device's server is out of memory"),
    "BadResourceUnavailable": _noop("the device's server has no free resources"),
    "BadTooManyOperations": _noop("too many operations in one request"),
    "BadInvalidState": _noop("the device is not in a state that allows this"),
    "BadCommunicationError": _noop("communication with the device failed (network)"),
    "BadNoCommunication": _noop("no communication with the device"),
    "BadConnectionClosed": _noop("the device closed the connection"),
    "BadConnectionRejected": _noop("the device refused the connection"),
    "BadDisconnect": _noop("the connection to the device was cut"),
    "BadNotConnected": _noop("not connected to the device"),
    "BadServerNotConnected": _noop("the device's server is not connected"),
    "BadServerHalted": _noop("the device's server has stopped"),
    "BadShutdown": _noop("the device's server is shutting down"),
    "BadSecureChannelClosed": _noop("the secured link to the device was closed"),
    "BadSecureChannelIdInvalid": _noop("the secured link to the device is no longer valid"),
    "BadSessionIdInvalid": _noop("the session with the device is no longer valid"),
    "BadSessionClosed": _noop("the device closed the session"),
    "BadSessionNotActivated": _noop("the session with the device was not activated"),
    "BadTooManySessions": _noop("the device's server accepts no more sessions"),
    "BadTcpEndpointUrlInvalid": _noop("the device address (endpoint URL) is wrong"),
    "BadEncodingError": _noop("a message to the device could not be encoded"),
    "BadDecodingError": _noop("a message from the device could not be decoded"),
    "BadRequestInterrupted": _noop("the request was interrupted"),
    "BadSecurityChecksFailed": _noop("security check failed: certificate or signature "
                                     "not accepted"),
    "BadSecurityPolicyRejected": _noop("the device refused the security policy"),
    "BadSecurityModeRejected": _noop("the device refused the security mode"),
    "BadCertificateUntrusted": _noop("the certificate is not in the trust list"),
    "BadCertificateInvalid": _noop("the certificate is not valid"),
    "BadCertificateTimeInvalid": _noop("the certificate has expired or is not yet valid"),
    "BadCertificateRevoked": _noop("the certificate was revoked"),
    "BadCertificateUriInvalid": _noop("the certificate's application URI does not match"),
    "BadCertificateHostNameInvalid": _noop("the certificate's host name does not match"),
    "BadCertificateUseNotAllowed": _noop("the certificate may not be used for this"),
    "BadUserAccessDenied": _noop("the user has no access rights"),
    "BadIdentityTokenRejected": _noop("the device refused the log-in (user name or "
                                      "password)"),
    "BadIdentityTokenInvalid": _noop("the log-in identity is not valid"),
    "BadUserSignatureInvalid": _noop("the user's signature is not valid"),
    "BadApplicationSignatureInvalid": _noop("the workstation's signature is not valid"),
    "BadNonceInvalid": _noop("the security handshake failed"),
    "BadDeviceFailure": _noop("the device reports a hardware failure"),
    "BadSensorFailure": _noop("the device reports a sensor failure"),
    "BadOutOfService": _noop("the device is out of service"),
    "BadWaitingForInitialData": _noop("the device has no value yet"),
    "BadConfigurationError": _noop("configuration error in the device"),
}

_REFUSED = _noop("the device refused the connection: nothing listens at that address")
_RESET = _noop("the device dropped the connection")
_TIMED_OUT = _noop("no answer over the network in time")
_NO_HOST = _noop("the device's host name was not found")
_TLS_UNTRUSTED = _noop("the server's TLS certificate is not trusted")
# the transport's exception names, error numbers and TLS reasons -> their meaning
EXCEPTIONS: dict[str, str] = {
    "ConnectionRefusedError": _REFUSED,
    "ConnectionResetError": _RESET,
    "ConnectionAbortedError": _noop("the connection was aborted"),
    "BrokenPipeError": _noop("the connection broke while sending"),
    "TimeoutError": _TIMED_OUT,
    "gaierror": _NO_HOST,
    "SSLCertVerificationError": _TLS_UNTRUSTED,
    "SSLError": _noop("the TLS handshake failed"),
}
ERRNOS: dict[str, str] = {
    "111": _REFUSED,
    "104": _RESET,
    "32": _noop("the connection broke while sending"),
    "110": _TIMED_OUT,
    "113": _noop("no network route to the device"),
    "101": _noop("the network is unreachable"),
    "-2": _NO_HOST,
    "-3": _noop("the name server could not be asked (temporary)"),
    "-5": _NO_HOST,
}
SSL_REASONS: dict[str, str] = {
    "CERTIFICATE_VERIFY_FAILED": _TLS_UNTRUSTED,
    "WRONG_VERSION_NUMBER": _noop("the other side does not speak TLS (plain HTTP?)"),
    "TLSV1_ALERT_UNKNOWN_CA": _noop("the server does not trust this workstation's "
                                    "certificate"),
    "SSLV3_ALERT_HANDSHAKE_FAILURE": _noop("the TLS handshake failed"),
    "TLSV1_ALERT_PROTOCOL_VERSION": _noop("the two sides share no TLS version"),
    "UNSUPPORTED_PROTOCOL": _noop("the two sides share no TLS version"),
}
WITH_MEANING = _noop("%1 (%2)")      # the code, its meaning

_CODE = r"(?:Bad|Uncertain)[A-Z][A-Za-z]+"
# asyncua: "BadX: <sentence>(BadX)", "BadX <sentence>(BadX)", or "<sentence>(BadX)" alone
_DOC_AFTER_CODE = re.compile(rf"\b(?P<code>{_CODE})(?::\s*|\s+)[^()]*\((?P=code)\)")
_DOC_ALONE = re.compile(rf"(?:^|(?<=: ))[A-Z][^():]*\.\((?P<code>{_CODE})\)")
_TOKEN = re.compile(rf"\b(?P<opc>{_CODE})\b|\b(?P<exc>[A-Za-z]+(?:Error|Exception)|gaierror)\b"
                    r"|(?P<errno>\[Errno (?P<no>-?\d+)\])|(?P<ssl>\[SSL: (?P<reason>\w+)\])")


def meaning(code: str) -> str:
    """The meaning of a status code / exception name in the current language ("" when
    unknown)."""
    text = STATUS_CODES.get(code) or EXCEPTIONS.get(code)
    return QCoreApplication.translate(CONTEXT, text) if text else ""


def with_meanings(text: str, given: set[str] | None = None) -> str:
    """``text`` with each known code followed by its meaning (once per meaning: those in
    ``given`` are not repeated, and the ones given here are added to it); the rest as
    written."""
    if not text:
        return text
    given = set() if given is None else given
    text = _DOC_AFTER_CODE.sub(lambda m: m["code"] if m["code"] in STATUS_CODES else m[0],
                               text)
    text = _DOC_ALONE.sub(lambda m: m["code"] if m["code"] in STATUS_CODES else m[0], text)
    fmt = QCoreApplication.translate(CONTEXT, WITH_MEANING)

    def one(m: re.Match[str]) -> str:
        if m["opc"]:
            words = STATUS_CODES.get(m["opc"], "")
        elif m["exc"]:
            words = EXCEPTIONS.get(m["exc"], "")
        elif m["errno"]:
            words = ERRNOS.get(m["no"], "")
        else:
            words = SSL_REASONS.get(m["reason"], "")
        if not words or words in given:
            return m[0]
        given.add(words)
        return fmt.replace("%2", QCoreApplication.translate(CONTEXT, words)).replace(
            "%1", m[0], 1)
    return _TOKEN.sub(one, text)


def catalogue_texts() -> list[str]:
    """Every text of this module's catalogue (tests: each has its Chinese)."""
    return sorted({*STATUS_CODES.values(), *EXCEPTIONS.values(), *ERRNOS.values(),
                   *SSL_REASONS.values(), WITH_MEANING})
