"""Alarm definitions: the built-in radiation-safety alarms plus configurable ones.

Built-ins cannot be removed or relaxed (a file that raises the boundary limit above
2.5 uSv/h, adds a delay to the interlock alarm or makes a safety alarm shelvable is
rejected). Configurable definitions come from ``resources/lead_rooms/alarms.yaml`` or
the station data folder (``alarms.yaml``, edited under the ``edit_alarms`` action).
Qt-free, I/O only to read the YAML file.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from enum import IntEnum
from pathlib import Path
from typing import Any

from app.core.errors import ConfigError

BOUNDARY_LIMIT_USVH = 2.5      # GBZ 117 / GBZ 130-2020: 30 cm outside the shielding
BOUNDARY_VERY_HIGH_USVH = 10.0


class Priority(IntEnum):
    CRITICAL = 1    # emergency (interlock failure, very high dose rate)
    HIGH = 2
    MEDIUM = 3
    LOW = 4

    @property
    def label(self) -> str:
        return self.name.lower()


RULES = ("high", "low", "true", "door_beam", "stale", "calibration", "flatline")


@dataclass(frozen=True)
class AlarmDefinition:
    id: str
    title: str
    signal: str                 # leaf or group pattern: "Boundary/*", "Temperature"
    rule: str                   # one of RULES
    priority: Priority
    limit: float | None = None
    deadband: float = 0.0
    on_delay_s: float = 0.0
    off_delay_s: float = 0.0
    realarm_s: float = 0.0      # re-annunciate an acked, still active alarm after this
    shelvable: bool = True
    suppressible: bool = True   # may be suppressed by design (room in maintenance)
    oos_allowed: bool = True    # may be taken out of service under a permit
    safety: bool = False        # drives the safety banner
    builtin: bool = False
    remedy: str = ""

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["priority"] = self.priority.label
        return d


BUILTIN: tuple[AlarmDefinition, ...] = (
    AlarmDefinition("door_beam", "Door open while beam on: interlock failure", "Doors/*",
                    "door_beam", Priority.CRITICAL, shelvable=False, suppressible=False,
                    oos_allowed=False, safety=True, builtin=True,
                    remedy="Stop exposure (e-stop), keep people out, record an incident; "
                           "the hard-wired interlock must be repaired before further use."),
    AlarmDefinition("boundary_very_high", "Boundary dose rate very high", "Boundary/*",
                    "high", Priority.CRITICAL, limit=BOUNDARY_VERY_HIGH_USVH, deadband=1.0,
                    shelvable=False, suppressible=False, safety=True, builtin=True,
                    remedy="Stop exposure, clear the area around the room, call the RSO."),
    AlarmDefinition("boundary_high", "Boundary dose rate above 2.5 uSv/h", "Boundary/*",
                    "high", Priority.HIGH, limit=BOUNDARY_LIMIT_USVH, deadband=0.25,
                    on_delay_s=1.0, realarm_s=300.0, shelvable=False, suppressible=False,
                    safety=True, builtin=True,
                    remedy="Stop exposure, check shielding and door seals, survey the point."),
    AlarmDefinition("monitor_fault", "Radiation monitor fault or stale data", "MonitorFault",
                    "true", Priority.HIGH, shelvable=False, suppressible=False, safety=True,
                    builtin=True, remedy="No exposure without a working monitor: check the "
                    "monitor and its gateway link."),
    AlarmDefinition("monitor_stale", "Dose-rate data invalid or stale", "Boundary/*", "stale",
                    Priority.HIGH, limit=10.0, shelvable=False, suppressible=False,
                    safety=True, builtin=True,
                    remedy="Check the dose-rate instrument and its gateway channel."),
    AlarmDefinition("bypass_key", "Interlock bypass key active", "BypassKey", "true",
                    Priority.HIGH, shelvable=False, suppressible=False, safety=True,
                    builtin=True, remedy="Only with a signed permit; remove the key after "
                    "the maintenance task."),
    AlarmDefinition("calibration_expired", "Radiation monitor calibration expired",
                    "CalibrationDue", "calibration", Priority.MEDIUM, shelvable=False,
                    builtin=True, remedy="Have the monitor calibrated; record the certificate."),
    AlarmDefinition("stuck_sensor", "Dose-rate reading frozen (stuck sensor)", "Boundary/*",
                    "flatline", Priority.MEDIUM, limit=120.0, shelvable=False, builtin=True,
                    remedy="Check the instrument: a live reading always fluctuates."),
)
BUILTIN_IDS = {d.id for d in BUILTIN}


def _priority(v: Any, where: str) -> Priority:
    try:
        return Priority[str(v).upper()] if not isinstance(v, int) else Priority(v)
    except (KeyError, ValueError) as exc:
        raise ConfigError(f"{where}: priority {v!r} is not one of critical/high/medium/low.") \
            from exc


def _from_dict(raw: dict[str, Any], where: str) -> AlarmDefinition:
    known = set(AlarmDefinition.__dataclass_fields__) - {"builtin"}
    unknown = set(raw) - known
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}.")
    for key in ("id", "title", "signal", "rule", "priority"):
        if key not in raw:
            raise ConfigError(f"{where}: '{key}' is required.")
    if raw["rule"] not in RULES:
        raise ConfigError(f"{where}: rule {raw['rule']!r} is not one of {', '.join(RULES)}.")
    data = dict(raw)
    data["priority"] = _priority(raw["priority"], where)
    for k in ("limit", "deadband", "on_delay_s", "off_delay_s", "realarm_s"):
        if data.get(k) is not None:
            try:
                data[k] = float(data[k])
            except (TypeError, ValueError) as exc:
                raise ConfigError(f"{where}: {k} must be a number.") from exc
            if data[k] < 0 and k != "limit":
                raise ConfigError(f"{where}: {k} must be >= 0.")
    if data["rule"] in ("high", "low") and data.get("limit") is None:
        raise ConfigError(f"{where}: rule '{data['rule']}' needs a limit.")
    return AlarmDefinition(**data)


def _check_override(base: AlarmDefinition, new: AlarmDefinition, where: str) -> None:
    """A built-in may be tightened, never relaxed."""
    problems = []
    if new.rule != base.rule or new.signal != base.signal:
        problems.append("rule/signal of a built-in alarm cannot change")
    if new.priority > base.priority:
        problems.append("priority cannot be lowered")
    if base.limit is not None and new.limit is not None and base.rule == "high" \
            and new.limit > base.limit:
        problems.append(f"limit {new.limit:g} is above the built-in {base.limit:g}")
    if new.on_delay_s > base.on_delay_s or new.off_delay_s > base.off_delay_s + 60:
        problems.append("delays cannot be lengthened")
    for flag in ("shelvable", "suppressible", "oos_allowed"):
        if getattr(new, flag) and not getattr(base, flag):
            problems.append(f"'{flag}' cannot be enabled")
    if base.safety and not new.safety:
        problems.append("a safety alarm stays a safety alarm")
    if problems:
        raise ConfigError(f"{where}: built-in alarm '{base.id}' relaxed: {'; '.join(problems)}.")


def parse_definitions(items: list[dict[str, Any]], source: str) -> list[AlarmDefinition]:
    """Built-ins plus ``items`` (overrides of built-ins are checked, never relaxed)."""
    by_id = {d.id: d for d in BUILTIN}
    seen: set[str] = set()
    for i, raw in enumerate(items or []):
        where = f"{source} alarm #{i + 1}"
        if not isinstance(raw, dict):
            raise ConfigError(f"{where}: must be a mapping.")
        d = _from_dict(raw, f"{where} ({raw.get('id', '?')})")
        if d.id in seen:
            raise ConfigError(f"{where}: id '{d.id}' defined twice.")
        seen.add(d.id)
        if d.id in BUILTIN_IDS:
            _check_override(by_id[d.id], d, where)
            d = replace(d, builtin=True)
        by_id[d.id] = d
    return list(by_id.values())


def load_definitions(path: Path | None) -> list[AlarmDefinition]:
    if path is None or not Path(path).exists():
        return list(BUILTIN)
    import yaml

    try:
        doc = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"Alarm definitions {path} cannot be read: {exc}.") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("alarms", []), list):
        raise ConfigError(f"Alarm definitions {path}: expected a mapping with a list 'alarms'.")
    return parse_definitions(doc.get("alarms", []), str(path))
