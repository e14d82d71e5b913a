"""Typed, versioned station settings (the ``[stations.<id>]`` tables of pharos.toml).

A station declares its settings as a frozen dataclass (``StationPlugin.settings_type``):
one field per key, with its type and default, and optionally a check
(``setting(default, check=in_range(1, 65535))``). Its ``settings_version`` says which
version of that layout it reads; a table written for an older version is brought up to
date one step at a time by the station's ``migrate_settings(raw, from_version)``
(Orange3's ``settings_version`` / ``migrate_settings``). The table itself may say which
version it was written for (``settings_version = N``; missing means 1).

Resolution (``resolve_station_settings``): migrate, then parse - unknown keys, wrong
types and failed checks are refused with a :class:`ConfigError` naming
``[stations.<id>] key`` and the problem, as :mod:`app.config` does for its sections; a
table written by a newer version than the station reads is refused. The result is the
dataclass instance and a plain mapping of it (defaults filled; a field whose value is
``None`` - "not set, use the fallback" - is left out of the mapping, so ``key in
settings`` and ``settings.get(key)`` keep meaning "configured").

Qt-free and I/O-free.
"""
from __future__ import annotations

import dataclasses
import difflib
import logging
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.core.errors import ConfigError

log = logging.getLogger(__name__)

VERSION_KEY = "settings_version"
Check = Callable[[Any], str | None]   # a problem text, or None when the value is good


# --- declaring ---------------------------------------------------------------------------
def setting(default: Any, *, check: Check | None = None, doc: str = "") -> Any:
    """A settings field: its default, an optional check and a one-line description."""
    return dataclasses.field(default=default, metadata={"check": check, "doc": doc})


def in_range(lo: float | None = None, hi: float | None = None) -> Check:
    def check(v: Any) -> str | None:
        if lo is not None and v < lo:
            return f"must be >= {lo}"
        if hi is not None and v > hi:
            return f"must be <= {hi}"
        return None
    return check


def positive(v: Any) -> str | None:
    return None if v > 0 else "must be > 0"


def one_of(*choices: str) -> Check:
    def check(v: Any) -> str | None:
        return None if v in choices else f"must be one of {', '.join(choices)}"
    return check


def ae_title(v: Any) -> str | None:
    """A DICOM AE title: 1-16 printable ASCII characters, no backslash."""
    if not (1 <= len(v) <= 16) or not all(32 <= ord(c) < 127 and c != "\\" for c in v):
        return "must be 1-16 printable ASCII characters (DICOM AE title)"
    return None


@dataclass(frozen=True)
class SettingField:
    name: str
    type: Any          # the resolved annotation
    default: Any
    check: Check | None
    doc: str


def settings_fields(settings_type: type) -> list[SettingField]:
    """The declared fields of a settings dataclass (annotations resolved)."""
    hints = typing.get_type_hints(settings_type)
    out = []
    for f in dataclasses.fields(settings_type):
        default = f.default
        if default is dataclasses.MISSING and f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        out.append(SettingField(f.name, hints[f.name], default, f.metadata.get("check"),
                                str(f.metadata.get("doc", ""))))
    return out


def settings_type_problem(settings_type: Any) -> str | None:
    """Why ``settings_type`` cannot serve as a station's settings (None: it can)."""
    if not (isinstance(settings_type, type) and dataclasses.is_dataclass(settings_type)):
        return f"settings_type {settings_type!r} is not a dataclass"
    if not settings_type.__dataclass_params__.frozen:  # type: ignore[attr-defined]
        return f"settings_type {settings_type.__name__} is not frozen"
    try:
        fields = settings_fields(settings_type)
    except Exception as exc:  # noqa: BLE001 - an unresolvable annotation is the problem
        return f"settings_type {settings_type.__name__}: {type(exc).__name__}: {exc}"
    for f in fields:
        if f.default is dataclasses.MISSING:
            return f"setting '{f.name}' has no default"
        if f.name == VERSION_KEY:
            return f"'{VERSION_KEY}' is reserved"
        try:
            _type_name(f.type)
        except TypeError as exc:
            return f"setting '{f.name}': {exc}"
        if f.default is not None and f.check is not None and f.check(f.default):
            return f"setting '{f.name}': default {f.default!r} {f.check(f.default)}"
    return None


# --- parsing -----------------------------------------------------------------------------
def _type_name(typ: Any) -> str:
    origin, args = typing.get_origin(typ), typing.get_args(typ)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"unsupported setting type {typ!r}")
        return _type_name(inner[0])
    if origin in (list, tuple):
        if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
            raise TypeError(f"unsupported setting type {typ!r} (use tuple[X, ...])")
        if args[0] not in _PLURAL:
            raise TypeError(f"unsupported setting type {typ!r}")
        return f"a list of {_PLURAL[args[0]]}"
    if typ not in _NAMES:
        raise TypeError(f"unsupported setting type {typ!r}")
    return _NAMES[typ]


_NAMES = {bool: "true or false", int: "an integer", float: "a number", str: "a string"}
_PLURAL = {bool: "true/false values", int: "integers", float: "numbers", str: "strings"}


def _shown(value: Any) -> str:
    """``repr(value)`` with any URL password or ``password=...`` replaced by ***."""
    from app.config import redact_text  # app.config imports the stations: no top import

    return redact_text(repr(value))


def _coerce(where: str, value: Any, typ: Any) -> Any:
    origin, args = typing.get_origin(typ), typing.get_args(typ)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        return _coerce(where, value, next(a for a in args if a is not type(None)))
    if origin in (list, tuple):
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"Configuration key {where}: expected {_type_name(typ)}, "
                              f"got {type(value).__name__} {_shown(value)}.")
        items = [_coerce(f"{where}[{i}]", v, args[0]) for i, v in enumerate(value)]
        return tuple(items) if origin is tuple else items
    if typ is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, typ) and not (typ is int and isinstance(value, bool)):
        return value
    raise ConfigError(f"Configuration key {where}: expected {_type_name(typ)}, "
                      f"got {type(value).__name__} {_shown(value)}.")


def parse_settings(station_id: str, settings_type: type, table: Mapping[str, Any]) -> Any:
    """The dataclass instance for ``table`` (current version, no ``settings_version``)."""
    fields = {f.name: f for f in settings_fields(settings_type)}
    values: dict[str, Any] = {}
    for key, value in table.items():
        f = fields.get(key)
        if f is None:
            near = difflib.get_close_matches(key, list(fields), n=1)
            hint = f"; did you mean {near[0]}?" if near else ""
            raise ConfigError(f"Configuration key [stations.{station_id}] {key} is unknown "
                              f"(known: {', '.join(fields) or 'none'}){hint}.")
        where = f"[stations.{station_id}] {key}"
        val = _coerce(where, value, f.type)
        problem = f.check(val) if f.check is not None and val is not None else None
        if problem:
            raise ConfigError(f"Configuration key {where} = {_shown(val)}: {problem}.")
        values[key] = val
    return settings_type(**values)


def settings_mapping(instance: Any) -> dict[str, Any]:
    """The plain mapping of a settings instance; fields that are None are left out."""
    return {f.name: getattr(instance, f.name) for f in dataclasses.fields(instance)
            if getattr(instance, f.name) is not None}


# --- versions and migration --------------------------------------------------------------
def table_version(station_id: str, raw: Mapping[str, Any]) -> int:
    v = raw.get(VERSION_KEY, 1)
    if isinstance(v, bool) or not isinstance(v, int) or v < 1:
        raise ConfigError(f"Configuration key [stations.{station_id}] {VERSION_KEY} = {v!r}: "
                          f"must be an integer >= 1.")
    return v


def migrate_table(station_id: str, station: Any, raw: Mapping[str, Any]) -> tuple[dict[str, Any], int]:
    """(the table at the station's current version without ``settings_version``, the
    version it was written for). Each step calls ``station.migrate_settings(table, v)``
    to go from ``v`` to ``v + 1``."""
    current = int(getattr(station, "settings_version", 1))
    written = table_version(station_id, raw)
    if written > current:
        raise ConfigError(
            f"Configuration table [stations.{station_id}] has {VERSION_KEY} = {written}: it "
            f"was written for a newer version of the station; this one reads up to "
            f"{VERSION_KEY} = {current}.",
            remedy=f"Install the Pharos version that wrote it, or rewrite the table for "
                   f"{VERSION_KEY} = {current} (see `pharos config --show`).")
    table = {k: v for k, v in raw.items() if k != VERSION_KEY}
    for v in range(written, current):
        try:
            stepped = station.migrate_settings(dict(table), v)
        except ConfigError:
            raise
        except Exception as exc:  # noqa: BLE001 - a failed migration names its step
            raise ConfigError(f"Configuration table [stations.{station_id}] cannot be "
                              f"migrated from {VERSION_KEY} {v} to {v + 1}: "
                              f"{type(exc).__name__}: {exc}.") from exc
        if not isinstance(stepped, dict):
            raise ConfigError(f"Configuration table [stations.{station_id}]: the migration "
                              f"from {VERSION_KEY} {v} to {v + 1} returned "
                              f"{type(stepped).__name__}, not a table.")
        stepped.pop(VERSION_KEY, None)
        if stepped != table:
            log.info("[stations.%s] settings migrated from version %d to %d: %s", station_id,
                     v, v + 1, _diff(table, stepped))
        table = stepped
    return table, written


def _diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    gone = sorted(set(old) - set(new))
    added = sorted(set(new) - set(old))
    changed = sorted(k for k in set(old) & set(new) if old[k] != new[k])
    parts = [f"removed {', '.join(gone)}"] if gone else []
    parts += [f"added {', '.join(added)}"] if added else []
    parts += [f"changed {', '.join(changed)}"] if changed else []
    return "; ".join(parts) or "no change"


@dataclass(frozen=True)
class ResolvedSettings:
    mapping: dict[str, Any]     # validated, defaults filled, None left out
    typed: Any                  # the settings dataclass instance (None: free-form station)
    version: int                # the station's current settings version
    written_version: int        # the version the table was written for

    @property
    def migrated(self) -> bool:
        return self.written_version != self.version

    def table(self) -> dict[str, Any]:
        """The table as it would be written today (``pharos config --show``)."""
        return {VERSION_KEY: self.version, **self.mapping}


def resolve_station_settings(station_id: str, station: Any,
                             raw: Mapping[str, Any]) -> ResolvedSettings:
    """Migrate and parse ``raw`` for the station class ``station`` (ConfigError when the
    table is invalid). A station that declares no ``settings_type`` keeps a free-form
    table (station API version 1 before typed settings)."""
    settings_type = getattr(station, "settings_type", None)
    current = int(getattr(station, "settings_version", 1))
    if settings_type is None:
        table = {k: v for k, v in raw.items() if k != VERSION_KEY}
        return ResolvedSettings(table, None, current, table_version(station_id, raw))
    table, written = migrate_table(station_id, station, raw)
    typed = parse_settings(station_id, settings_type, table)
    return ResolvedSettings(settings_mapping(typed), typed, current, written)


def resolve_tables(tables: Mapping[str, Mapping[str, Any]], stations: Mapping[str, Any],
                   ) -> tuple[dict[str, dict[str, Any]], list[ConfigError]]:
    """Every station's effective table (``stations``: id -> class; ``tables``: the raw
    ``[stations.<id>]`` tables) and the errors of the invalid ones. A table of a station
    that is not installed or unavailable is shown as written."""
    out: dict[str, dict[str, Any]] = {}
    errors: list[ConfigError] = []
    for sid in list(stations) + [s for s in tables if s not in stations]:
        station = stations.get(sid)
        if station is None:
            out[sid] = dict(tables[sid])
            continue
        try:
            out[sid] = resolve_station_settings(sid, station, tables.get(sid, {})).table()
        except ConfigError as exc:
            errors.append(exc)
    return out, errors
