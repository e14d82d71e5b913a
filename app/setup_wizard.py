"""First-run setup, Qt-free: answers -> validated TOML config + admin account + audit.

Used by ``pharos setup`` (:mod:`app.setup_cli`) and the Qt wizard
(:mod:`app.ui.setup_wizard_dialog`). Steps: station identity, the admin account,
PACS (test = C-ECHO), OPC UA gateway (security, certificate trust, test), central
database (test), which stations run here. :func:`apply_setup` validates everything
(errors named by field), creates or sets the admin account, then replaces the config
file atomically in the same store transaction as the audit entry "change configuration"
(old and new values): either both happen or neither.
"""
from __future__ import annotations

import os
import re
import tempfile
import tomllib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from app.config import (SCHEMA, STATION_IDS, Config, load_config, redact_values,
                        redact_url, split_url_password, write_secret_file)
from app.core.errors import PharosError, ValidationError
from app.paths import default_config_path, default_data_dir

CENTRAL_SECRET = "keys/central_db.secret"   # relative to the data folder, mode 0600
SECURITY_MODES = ("None", "Basic256Sha256_Sign", "Basic256Sha256_SignAndEncrypt")
_STATION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")

# answer field -> (config section, key) for the values that land in the TOML file
CONFIG_KEYS: dict[str, tuple[str, str]] = {
    "station_id": ("station", "id"), "station_name": ("station", "name"),
    "language": ("station", "language"), "demo": ("station", "demo"),
    "pacs_ae_title": ("pacs", "peer_ae_title"), "pacs_host": ("pacs", "peer_host"),
    "pacs_port": ("pacs", "peer_port"), "scp_ae_title": ("pacs", "scp_ae_title"),
    "scp_port": ("pacs", "scp_port"),
    "gateway_endpoint": ("opcua", "gateway_endpoint"),
    "tunnel_endpoint": ("opcua", "tunnel_endpoint"), "opcua_security": ("opcua", "security"),
    "central_url": ("database", "central_url"), "stations": ("stations", "enabled"),
    "allowed_calling_aes": ("pacs", "allowed_calling_aes"),
}


@dataclass
class SetupAnswers:
    station_id: str = "WS-01"
    station_name: str = "Pharos workstation"
    language: str = "en"
    demo: bool = True
    admin_username: str = "admin"
    admin_full_name: str = "Administrator"
    admin_password: str = ""
    admin_password_repeat: str = ""
    pacs_ae_title: str = "ORTHANC"
    pacs_host: str = "127.0.0.1"
    pacs_port: int = 4242
    scp_ae_title: str = "PHAROS_QC"
    scp_port: int = 11112
    # scanners (calling AE titles) allowed to send to this station's receiver, besides
    # the PACS; ["*"] = any AE
    allowed_calling_aes: list[str] = field(default_factory=list)
    gateway_endpoint: str = "opc.tcp://127.0.0.1:4851/pharos/gateway"
    tunnel_endpoint: str = "opc.tcp://127.0.0.1:4850/pharos/tunnel"
    opcua_security: str = "Basic256Sha256_SignAndEncrypt"
    central_url: str = ""
    stations: list[str] = field(default_factory=lambda: list(STATION_IDS))

    @classmethod
    def from_config(cls, config: Config) -> "SetupAnswers":
        """Defaults = the current configuration (re-running setup changes only what's asked)."""
        a = cls()
        for name, (sec, key) in CONFIG_KEYS.items():
            value = config.get(sec, key)
            setattr(a, name, list(value) if isinstance(value, list) else value)
        return a

    def config_values(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for name, (sec, key) in CONFIG_KEYS.items():
            value = getattr(self, name)
            out.setdefault(sec, {})[key] = list(value) if isinstance(value, list) else value
        return out


class SetupInvalid(ValidationError):
    """One or more answers are invalid; ``errors`` maps answer field -> problem."""

    code = "PH-SETUP"

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("Setup answers are invalid: " + "; ".join(
            f"{k}: {v}" for k, v in self.errors.items()))


# --- validation ---------------------------------------------------------------------------
def _schema_problem(section: str, key: str, value: Any) -> str | None:
    typ, _default, check = SCHEMA[section][key]
    if typ is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if isinstance(value, bool) and typ is not bool or not isinstance(value, typ):
        return f"expected {typ.__name__}, got {value!r}"
    return check(value) if check is not None else None


def validate_field(name: str, answers: SetupAnswers, *, password_min_length: int = 10,
                   accounts_exist: bool = False) -> str | None:
    """The problem with one answer field, or None. Used live by the wizard pages."""
    from app.adapters.deploy_probes import endpoint_host_port

    v = getattr(answers, name)
    if name == "station_id" and not _STATION_ID.match(str(v)):
        return "1-32 letters, digits, '.', '_' or '-', starting with a letter or digit"
    if name in ("station_name", "admin_full_name", "pacs_host") and not str(v).strip():
        return "required"
    if name == "admin_username" and not accounts_exist and (
            not v or not all(c.isalnum() or c in "._-" for c in v)):
        return "user names use letters, digits, '.', '_' or '-'"
    if name == "admin_password" and not accounts_exist:
        from app.adapters.auth import AuthService

        rules = AuthService(None, None, password_min_length=password_min_length)  # type: ignore[arg-type]
        try:
            rules.check_password_rules(v, answers.admin_username)
        except ValidationError as exc:
            return exc.message
    if name == "admin_password_repeat" and not accounts_exist \
            and v != answers.admin_password:
        return "the two passwords differ"
    if name in ("gateway_endpoint", "tunnel_endpoint"):
        try:
            endpoint_host_port(str(v))
        except ValueError as exc:
            return str(exc)
    if name == "central_url" and v:
        from app.adapters.central.db import normalise_url

        try:
            normalise_url(str(v))
        except PharosError as exc:
            return exc.message
        except Exception as exc:  # noqa: BLE001 - sqlalchemy's URL parser
            return f"not a database URL ({exc})"
    if name == "allowed_calling_aes":
        from app.config import _ae_list

        return _ae_list(v) if isinstance(v, list) else "a list of AE titles"
    if name == "stations":
        unknown = [s for s in v if s not in STATION_IDS]
        if unknown:
            return f"unknown station(s) {', '.join(unknown)} (known: {', '.join(STATION_IDS)})"
        if not v:
            return "choose at least one station"
    if name in CONFIG_KEYS:
        return _schema_problem(*CONFIG_KEYS[name], v)
    return None


def validate(answers: SetupAnswers, *, password_min_length: int = 10,
             accounts_exist: bool = False) -> dict[str, str]:
    errors = {}
    for f in fields(answers):
        problem = validate_field(f.name, answers, password_min_length=password_min_length,
                                 accounts_exist=accounts_exist)
        if problem:
            errors[f.name] = problem
    return errors


# --- config file --------------------------------------------------------------------------
def config_path_for(data_dir: Path | None = None, config_path: Path | None = None) -> Path:
    if config_path:
        return Path(config_path)
    return default_config_path(Path(data_dir) if data_dir else default_data_dir())


def read_raw(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return {}  # an unreadable file is replaced; its text stays in the audit entry


def merged_document(raw: dict[str, Any], answers: SetupAnswers) -> dict[str, Any]:
    """The existing file's tables and keys, with the answered keys replaced."""
    doc = {sec: dict(v) if isinstance(v, dict) else v for sec, v in raw.items()}
    for sec, values in answers.config_values().items():
        table = doc.setdefault(sec, {})
        table.update(values)
    return doc


def redact_free(doc: dict[str, Any]) -> dict[str, Any]:
    """The document to write; an inline central password (legacy file) is moved out by
    the caller, so none may be left here."""
    url = str(doc.get("database", {}).get("central_url", "") or "")
    if split_url_password(url)[1]:
        raise SetupInvalid({"central_url": "an inline password must be moved to the "
                                           "password file"})
    return doc


def write_config_atomic(path: Path, doc: dict[str, Any], *, data_dir: Path) -> Path:
    """Write ``doc`` as TOML to a temporary file beside ``path``; validate it with
    :func:`load_config`; return the temporary path (the caller renames it)."""
    import tomli_w

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".pharos-", suffix=".toml")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(b"# Pharos workstation configuration (written by `pharos setup`).\n")
            tomli_w.dump(doc, fh)
            fh.flush()
            os.fsync(fh.fileno())
        load_config(Path(tmp), data_dir=data_dir, env={})  # raises ConfigError, key named
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


# --- accounts and store -------------------------------------------------------------------
@dataclass
class Services:
    """Store, audit and accounts, opened without creating any account."""

    store: Any
    audit: Any
    auth: Any

    def close(self) -> None:
        self.store.close()


def open_services(config: Config, station_id: str | None = None) -> Services:
    from app import __version__
    from app.adapters.audit import AuditTrail, load_or_create_key
    from app.adapters.auth import AuthService
    from app.adapters.store import Store

    config.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    store = Store(config.data_dir / "pharos.db", station_id=station_id or
                  config.get("station", "id"), software_version=__version__,
                  config_hash=config.config_hash).open()
    try:
        audit = AuditTrail(store, load_or_create_key(config.data_dir / "keys" / "audit.key"))
        auth = AuthService.from_config(store, audit, config.section("security"))
    except BaseException:
        store.close()
        raise
    return Services(store, audit, auth)


def needs_first_run(config: Config, auth: Any, first_run_password: str | None = None) -> bool:
    """No config file and no account set by a person (none, or only the generated admin)."""
    if config.path is not None:
        return False
    users = auth.list_users()
    return not users or (first_run_password is not None and len(users) == 1)


def _current_config(config_path: Path, data_dir: Path) -> Config:
    """The configuration in effect now; the defaults when the file is missing or invalid."""
    from app.core.errors import ConfigError

    try:
        return load_config(config_path, data_dir=data_dir, env={})
    except ConfigError:
        return load_config(data_dir / ".no-config.toml", data_dir=data_dir, env={})


@dataclass(frozen=True)
class SetupOutcome:
    config_path: Path
    config: Config
    admin: str                  # "created", "password set" or "unchanged"
    changed: dict[str, dict[str, Any]]


def apply_setup(answers: SetupAnswers, services: Services, *, config_path: Path,
                data_dir: Path, by: Any = None, first_run_password: str | None = None,
                reason: str = "first-run setup") -> SetupOutcome:
    """Validate, set the admin account, write the config and audit it (see module doc).

    ``by``: the logged-in admin when accounts already exist (re-running setup); at first
    run the admin account is created here (or, when the GUI already generated 'admin',
    its password is replaced using ``first_run_password``).
    """
    from app.core.roles import Role

    auth, audit = services.auth, services.audit
    users = auth.list_users()
    generated = first_run_password is not None and len(users) == 1 \
        and users[0].username == answers.admin_username
    accounts_exist = bool(users) and not generated
    if accounts_exist and by is None:
        raise SetupInvalid({"admin_username": "accounts exist: log in as an administrator "
                                              "to change the configuration"})
    if by is not None and Role.ADMIN not in by.roles:
        raise SetupInvalid({"admin_username": f"'{by.username}' is not an administrator"})
    errors = validate(answers, password_min_length=auth.min_len, accounts_exist=accounts_exist)
    if errors:
        raise SetupInvalid(errors)

    raw = read_raw(config_path)
    old_cfg = _current_config(config_path, data_dir)
    # the central password never lands in the config, the audit trail or the output: it
    # goes to a 0600 file the config names ([database] central_password_file)
    bare_url, central_password = split_url_password(answers.central_url)
    if central_password:
        from dataclasses import replace

        answers = replace(answers, central_url=bare_url)
    old = {f"{s}.{k}": old_cfg.get(s, k) for s, k in CONFIG_KEYS.values()}
    new = {f"{s}.{k}": v for s, t in answers.config_values().items() for k, v in t.items()}
    changed = redact_values({k: {"old": old[k], "new": new[k]} for k in new if old[k] != new[k]})
    doc = merged_document(raw, answers)
    secret_path = None
    if central_password:
        secret_path = Path(data_dir) / CENTRAL_SECRET
        doc.setdefault("database", {})["central_password_file"] = CENTRAL_SECRET
        changed["database.central_password_file"] = {
            "old": old_cfg.get("database", "central_password_file"),
            "new": f"{CENTRAL_SECRET} (password replaced)"}
    tmp = write_config_atomic(config_path, redact_free(doc), data_dir=data_dir)
    try:
        admin = "unchanged"
        if generated:
            auth.change_password(answers.admin_username, first_run_password,
                                 answers.admin_password)
            admin = "password set"
        elif not users:
            auth.create_user(answers.admin_username, answers.admin_full_name, [Role.ADMIN],
                             answers.admin_password, by=None, reason=reason,
                             must_change_password=False)
            admin = "created"
        actor = by.username if by is not None else answers.admin_username
        with services.store.write() as conn:
            # entity id: the file name (ids are short); the full path is in the new value
            audit.append("change", "configuration", config_path.name, username=actor,
                         old={k: v["old"] for k, v in changed.items()},
                         new={"file": str(config_path),
                              **{k: v["new"] for k, v in changed.items()}},
                         reason=reason, conn=conn)
            if secret_path is not None:
                write_secret_file(secret_path, central_password)
            os.replace(tmp, config_path)  # inside the transaction: an error rolls back
    finally:
        tmp.unlink(missing_ok=True)
    config = load_config(config_path, data_dir=data_dir, env={})
    return SetupOutcome(config_path, config, admin, changed)


# --- connection tests (each bounded by a timeout; never raises for a peer that is down) --
def gateway_pki_dir(data_dir: Path) -> Path:
    """The lead-room station's PKI folder (own certificate, trusted/, rejected/)."""
    return Path(data_dir) / "stations" / "lead_room" / "pki"


def check_pacs(a: SetupAnswers, timeout_s: float = 3.0):
    from app.adapters.deploy_probes import pacs_echo

    return pacs_echo(a.pacs_host, int(a.pacs_port), a.pacs_ae_title,
                     calling_ae=a.scp_ae_title, timeout_s=timeout_s)


def check_central(a: SetupAnswers, timeout_s: float = 3.0):
    from app.adapters.deploy_probes import ProbeResult, central_ping

    if not a.central_url:
        return ProbeResult(True, "no central database: this workstation works local only")
    return central_ping(a.central_url, timeout_s=timeout_s)


def fetch_gateway_certificate(a: SetupAnswers, data_dir: Path, timeout_s: float = 3.0):
    """The gateway's certificate (subject, thumbprint, trusted?) for the trust decision."""
    from app.adapters.deploy_probes import opcua_server_certificate

    return opcua_server_certificate(a.gateway_endpoint, a.opcua_security,
                                    gateway_pki_dir(data_dir), timeout_s=timeout_s)


def trust_gateway_certificate(cert: Any, data_dir: Path, services: Services | None, *,
                              username: str = "") -> Path:
    """Copy the certificate into the trust folder; audited when a store is at hand."""
    from app.adapters.deploy_probes import trust_server_certificate

    dest = trust_server_certificate(cert.der, gateway_pki_dir(data_dir))
    if services is not None:
        services.audit.append("trust", "opcua_certificate", cert.thumbprint,
                              username=username, new={"subject": cert.subject,
                                                      "path": str(dest)},
                              reason="trusted in setup")
    return dest


def workstation_certificate(data_dir: Path) -> tuple[Path, str]:
    """(path, thumbprint) of this workstation's OPC UA certificate for the gateway's list."""
    from app.adapters.deploy_probes import own_certificate

    return own_certificate(gateway_pki_dir(data_dir))


def check_gateway(a: SetupAnswers, data_dir: Path, timeout_s: float = 4.0):
    from app.adapters.deploy_probes import opcua_reachable, opcua_session_test

    if a.opcua_security == "None":
        return opcua_reachable(a.gateway_endpoint, timeout_s=timeout_s)
    return opcua_session_test(a.gateway_endpoint, a.opcua_security,
                              gateway_pki_dir(data_dir), timeout_s=timeout_s)


def answers_dict(a: SetupAnswers) -> dict[str, Any]:
    d = asdict(a)
    d["admin_password"] = d["admin_password_repeat"] = "***" if a.admin_password else ""
    d["central_url"] = redact_url(a.central_url)
    return d


def register(sub: Any) -> None:
    """``pharos setup``: the CLI lives in :mod:`app.setup_cli` (imported lazily)."""
    from app.setup_cli import register as register_cli

    register_cli(sub)
