"""One validated configuration: a TOML file plus ``PHAROS_<SECTION>__<KEY>`` overrides.

An invalid file refuses to start with a message naming the key and the problem.
Station tables (``[stations.<id>]``) are kept as written here; each is migrated and validated
against its station's typed settings (``app.station_settings``) when the station starts.
"""
from __future__ import annotations

import os
import re
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.errors import ConfigError
from app.core.ids import content_hash
from app.paths import default_config_path, default_data_dir
from app.station_settings import Check, ae_title, in_range, one_of
from app.stations import known_station_ids


def _ae_list(v: Any) -> str | None:
    for a in v:
        if not isinstance(a, str) or (a != "*" and ae_title(a)):
            return f"each entry must be an AE title (1-16 printable ASCII) or '*', got {a!r}"
    return None


_PORT = in_range(1, 65535)
# the installed stations (entry points + the frozen bundle's built-in list), not a fixed
# list: a station added under the plugin contract is configurable without editing this file
STATION_IDS = known_station_ids()

# section -> key -> (type, default, check)
SCHEMA: dict[str, dict[str, tuple[type, Any, Check | None]]] = {
    "station": {
        "id": (str, "WS-01", None),
        "name": (str, "Pharos workstation", None),
        "language": (str, "en", one_of("en", "zh_CN")),
        "demo": (bool, True, None),  # built-in simulators for hardware and PACS
    },
    "security": {
        "idle_lock_minutes": (int, 15, in_range(1, 480)),
        "max_failed_logins": (int, 5, in_range(1, 20)),
        "lockout_minutes": (int, 30, in_range(1, 1440)),
        "password_min_length": (int, 10, in_range(8, 128)),
        "password_max_age_days": (int, 90, in_range(0, 3650)),  # 0 = no ageing
        "two_person_rejection": (bool, False, None),
    },
    "database": {
        "central_url": (str, "", None),  # empty: local only (embedded default)
        # the central password lives in this 0600 file (relative: to the data folder),
        # never in central_url; `pharos setup` writes it
        "central_password_file": (str, "", None),
        "sync_interval_s": (float, 2.0, in_range(0.2, 3600)),
        "sync_batch": (int, 1000, in_range(1, 100000)),
    },
    "pacs": {
        "scp_ae_title": (str, "PHAROS_QC", ae_title),
        "scp_port": (int, 11112, _PORT),
        # calling AEs allowed to send to the receiver besides the PACS peer (and, in demo
        # mode, the built-in scanner SIMSCAN); ["*"] = any AE, an explicit choice
        "allowed_calling_aes": (list, [], _ae_list),
        "peer_ae_title": (str, "ORTHANC", ae_title),
        "peer_host": (str, "127.0.0.1", None),
        "peer_port": (int, 4242, _PORT),
        "max_file_mb": (int, 64, in_range(1, 4096)),
        "series_settle_s": (float, 5.0, in_range(0.1, 600)),
        "watch_folder": (str, "", None),
        "acse_timeout_s": (float, 5.0, in_range(0.5, 120)),
        "idle_timeout_s": (float, 20.0, in_range(1, 3600)),
        "max_associations_per_peer": (int, 8, in_range(1, 256)),
        "max_associations": (int, 32, in_range(1, 1024)),
        "quarantine_quota_mb": (float, 2048.0, in_range(1, 10_000_000)),
        "durability": (str, "strict", one_of("strict", "group")),
    },
    "opcua": {
        "tunnel_endpoint": (str, "opc.tcp://127.0.0.1:4850/pharos/tunnel", None),
        "gateway_endpoint": (str, "opc.tcp://127.0.0.1:4851/pharos/gateway", None),
        "security": (str, "Basic256Sha256_SignAndEncrypt",
                     one_of("None", "Basic256Sha256_Sign", "Basic256Sha256_SignAndEncrypt")),
        "reconnect_max_s": (float, 4.0, in_range(0.5, 60)),
    },
    "mes": {
        "url": (str, "", None),  # empty: built-in simulated MES
    },
    "stations": {
        "enabled": (list, list(STATION_IDS), None),
    },
    "logging": {
        "level": (str, "INFO", one_of("DEBUG", "INFO", "WARNING", "ERROR")),
        "max_bytes": (int, 5_000_000, in_range(10_000, 1_000_000_000)),
        "backups": (int, 10, in_range(1, 100)),
    },
}


@dataclass(frozen=True)
class Config:
    data_dir: Path
    path: Path | None
    values: dict[str, dict[str, Any]]
    station_tables: dict[str, dict[str, Any]] = field(default_factory=dict)

    def get(self, section: str, key: str) -> Any:
        return self.values[section][key]

    def section(self, section: str) -> dict[str, Any]:
        return dict(self.values[section])

    def station_settings(self, station_id: str) -> dict[str, Any]:
        return dict(self.station_tables.get(station_id, {}))

    @property
    def demo(self) -> bool:
        return bool(self.values["station"]["demo"])

    @property
    def config_hash(self) -> str:
        return content_hash({"values": self.values, "stations": self.station_tables})[:16]


def _coerce(section: str, key: str, value: Any, typ: type) -> Any:
    where = f"[{section}] {key}"
    if typ is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if typ is int and isinstance(value, bool):
        raise ConfigError(f"Configuration key {where}: expected an integer, got {value!r}.")
    if not isinstance(value, typ):
        raise ConfigError(f"Configuration key {where}: expected {typ.__name__}, "
                          f"got {type(value).__name__} {value!r}.")
    return value


def _parse_env_value(raw: str) -> Any:
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw  # a bare string


def load_config(path: Path | None = None, *, data_dir: Path | None = None,
                env: dict[str, str] | None = None) -> Config:
    env = dict(os.environ if env is None else env)
    data_dir = Path(data_dir or env.get("PHAROS_DATA_DIR") or default_data_dir())
    path = Path(path) if path else default_config_path(data_dir)
    raw: dict[str, Any] = {}
    if path.exists():
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"Configuration file {path} is not valid TOML: {exc}.") from exc
        except OSError as exc:
            raise ConfigError(f"Configuration file {path} cannot be read: {exc}.") from exc
    elif env.get("PHAROS_CONFIG"):
        raise ConfigError(f"Configuration file {path} named by PHAROS_CONFIG does not exist.")

    # environment overrides: PHAROS_SECTION__KEY=value (TOML literal or bare string)
    for name, rawval in env.items():
        if not name.startswith("PHAROS_") or "__" not in name:
            continue
        sec, _, key = name[len("PHAROS_"):].partition("__")
        sec, key = sec.lower(), key.lower()
        raw.setdefault(sec, {})[key] = _parse_env_value(rawval)

    values: dict[str, dict[str, Any]] = {}
    station_tables: dict[str, dict[str, Any]] = {}
    for sec in raw:
        if sec not in SCHEMA:
            raise ConfigError(f"Configuration section [{sec}] is unknown "
                              f"(known: {', '.join(SCHEMA)}).")
        if not isinstance(raw[sec], dict):
            raise ConfigError(f"Configuration key '{sec}' must be a table.")
    for sec, keys in SCHEMA.items():
        given = dict(raw.get(sec, {}))
        out: dict[str, Any] = {}
        if sec == "stations":
            for sid in [k for k, v in given.items() if isinstance(v, dict)]:
                if sid not in STATION_IDS:
                    raise ConfigError(f"Configuration table [stations.{sid}] names an "
                                      f"unknown station (known: {', '.join(STATION_IDS)}).")
                station_tables[sid] = given.pop(sid)
        for key, val in given.items():
            if key not in keys:
                raise ConfigError(f"Configuration key [{sec}] {key} is unknown "
                                  f"(known: {', '.join(keys)}).")
        for key, (typ, default, check) in keys.items():
            val = _coerce(sec, key, given[key], typ) if key in given else default
            if check is not None and key in given:
                problem = check(val)
                if problem:
                    raise ConfigError(f"Configuration key [{sec}] {key} = {val!r}: {problem}.")
            out[key] = val
        values[sec] = out
    for sid in values["stations"]["enabled"]:
        if sid not in STATION_IDS:
            raise ConfigError(f"Configuration key [stations] enabled names an unknown "
                              f"station '{sid}'.")
    return Config(data_dir=data_dir, path=path if path.exists() else None, values=values,
                  station_tables=station_tables)


# --- secrets: redaction and the 0600 password file --------------------------------------
_URL_PASSWORD = re.compile(r"(?P<head>\b[A-Za-z][A-Za-z0-9+.-]*://[^:/?#@\s'\"]*:)"
                           r"(?P<pw>[^@/\s'\"]+)(?P<at>@)")
_KV_PASSWORD = re.compile(r"(?i)(?P<head>\bpassword\s*[=:]\s*['\"]?)(?P<pw>[^\s'\",;]+)")
REDACTED = "***"


def redact_url(url: str) -> str:
    """``scheme://user:PASSWORD@host`` -> ``scheme://user:***@host`` (anything else as is)."""
    return redact_text(url) if url else url


def redact_text(text: str) -> str:
    """Every URL password and every ``password=...`` in a text replaced by ***."""
    if not text or ("@" not in text and "assword" not in text.lower()):
        return text
    text = _URL_PASSWORD.sub(lambda m: f"{m['head']}{REDACTED}{m['at']}", text)
    return _KV_PASSWORD.sub(lambda m: f"{m['head']}{REDACTED}", text)


def redact_values(values: Any) -> Any:
    """A copy of a config-like structure with every string redacted."""
    if isinstance(values, dict):
        return {k: redact_values(v) for k, v in values.items()}
    if isinstance(values, (list, tuple)):
        return [redact_values(v) for v in values]
    return redact_text(values) if isinstance(values, str) else values


def split_url_password(url: str) -> tuple[str, str]:
    """(url without the password, the password or '')."""
    m = _URL_PASSWORD.search(url or "")
    if not m:
        return url, ""
    from urllib.parse import unquote

    head = m["head"][:-1]                      # without the ':'
    return url[:m.start()] + head + "@" + url[m.end():], unquote(m["pw"])


def read_secret_file(path: Path, what: str = "secret file") -> str:
    """First line of ``path``; refused unless only its owner may read it (POSIX)."""
    try:
        st = path.stat()
        if os.name == "posix" and st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise ConfigError(f"The {what} {path} can be read by others (mode "
                              f"{stat.S_IMODE(st.st_mode):04o}); it must be 0600: "
                              f"chmod 600 {path}.")
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"The {what} {path} cannot be read: {exc.strerror or exc}.") from None
    return text.splitlines()[0] if text else ""


def write_secret_file(path: Path, secret: str) -> Path:
    """Write ``secret`` to ``path`` (mode 0600 from the start, atomic replace)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(secret + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return path


def central_password_path(config: "Config") -> Path | None:
    name = config.get("database", "central_password_file")
    if not name:
        return None
    p = Path(name).expanduser()
    return p if p.is_absolute() else config.data_dir / p


def central_url(config: "Config", url: str | None = None) -> str:
    """The central URL to connect with: ``url`` (or [database] central_url) with the
    password from ``central_password_file`` put in. Never print or log the result."""
    url = url if url is not None else config.get("database", "central_url")
    secret_path = central_password_path(config)
    if not url or secret_path is None:
        return url or ""
    bare, inline = split_url_password(url)
    if inline:
        return url                              # an explicit password wins
    password = read_secret_file(secret_path, "central database password file")
    from urllib.parse import quote

    m = re.match(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://)(?P<user>[^@/]*)@", bare)
    if not m:
        raise ConfigError("[database] central_password_file is set but central_url names no "
                          "user (postgresql://USER@host:port/db).")
    return f"{m['head']}{m['user']}:{quote(password, safe='')}@{bare[m.end():]}"
