# ruff: noqa: E501 - one source text per line, as pyside6-lupdate reads them
"""Display texts of the built-in and shipped alarm definitions, for translation.

The definitions themselves stay English (they are data: journaled, configurable);
the panel shows them through ``alarm_text`` (an edited title without a translation
is shown as written).
"""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

_FOR_LUPDATE = (
    QT_TRANSLATE_NOOP("AlarmText", "Door open while beam on: interlock failure"),
    QT_TRANSLATE_NOOP("AlarmText", "Stop exposure (e-stop), keep people out, record an incident; the hard-wired interlock must be repaired before further use."),
    QT_TRANSLATE_NOOP("AlarmText", "Boundary dose rate very high"),
    QT_TRANSLATE_NOOP("AlarmText", "Stop exposure, clear the area around the room, call the RSO."),
    QT_TRANSLATE_NOOP("AlarmText", "Boundary dose rate above 2.5 uSv/h"),
    QT_TRANSLATE_NOOP("AlarmText", "Stop exposure, check shielding and door seals, survey the point."),
    QT_TRANSLATE_NOOP("AlarmText", "Radiation monitor fault or stale data"),
    QT_TRANSLATE_NOOP("AlarmText", "No exposure without a working monitor: check the monitor and its gateway link."),
    QT_TRANSLATE_NOOP("AlarmText", "Dose-rate data invalid or stale"),
    QT_TRANSLATE_NOOP("AlarmText", "Check the dose-rate instrument and its gateway channel."),
    QT_TRANSLATE_NOOP("AlarmText", "Interlock bypass key active"),
    QT_TRANSLATE_NOOP("AlarmText", "Only with a signed permit; remove the key after the maintenance task."),
    QT_TRANSLATE_NOOP("AlarmText", "Radiation monitor calibration expired"),
    QT_TRANSLATE_NOOP("AlarmText", "Have the monitor calibrated; record the certificate."),
    QT_TRANSLATE_NOOP("AlarmText", "Dose-rate reading frozen (stuck sensor)"),
    QT_TRANSLATE_NOOP("AlarmText", "Check the instrument: a live reading always fluctuates."),
    QT_TRANSLATE_NOOP("AlarmText", "Gateway connection lost: all values invalid"),
    QT_TRANSLATE_NOOP("AlarmText", "Check the gateway and network; the station keeps reconnecting. Rooms are unmonitored until then."),
    QT_TRANSLATE_NOOP("AlarmText", "Room temperature high"),
    QT_TRANSLATE_NOOP("AlarmText", "Room humidity high"),
    QT_TRANSLATE_NOOP("AlarmText", "Emergency stop pressed"),
    QT_TRANSLATE_NOOP("AlarmText", "Live monitoring stopped - values and alarms are not evaluated"),
    QT_TRANSLATE_NOOP("AlarmText", "It restarts by itself within seconds; if this stays, restart Pharos and call the administrator."),
    QT_TRANSLATE_NOOP("AlarmText", "Signals not monitored by the gateway link (data quality)"),
    QT_TRANSLATE_NOOP("AlarmText", "The listed signals show no live value. Check the gateway's configuration (node removed or renamed, access rights, monitored-item limit); the station retries by itself and clears this alarm when they update again."),
)


def alarm_text(text: str) -> str:
    return QCoreApplication.translate("AlarmText", text) if text else text
