"""``pharos --self-check``: is this installation ready to run? (Qt-free, headless, seconds)

Checks, in order: configuration valid, data folder writable, local database opens and
migrates (a damaged store is reported, never repaired: ``Store.open`` refuses it
untouched), ports this workstation serves are free, every enabled station is found and
constructible, every ONNX model under ``models/`` matches its card's sha256, the PACS,
OPC UA servers and central database answer when configured, and the Qt platform and a
CJK font are available for the GUI. Prints a table (check, status, detail) or JSON;
exit 1 on any FAIL.

Statuses: OK; WARN (works, but look at it); FAIL (this installation will not work as
configured); SKIP (not applicable: not configured, demo mode, or an earlier FAIL).
"""
from __future__ import annotations

import argparse
import ctypes.util
import json
import os
import shutil
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from app.selfcheck_probes import (XCB_LIBRARIES, cjk_font_families, port_in_use,
                                  read_any_card, workstation_without_accounts)

OK, WARN, FAIL, SKIP = "OK", "WARN", "FAIL", "SKIP"
GUI_REQUIRES = ("resources/theme/pharos.qss", "resources/icons/pharos.png",
                "resources/i18n/pharos_zh_CN.qm")


def missing_data(patterns: tuple[str, ...] | list[str], *,
                 models_root: Path | None = None) -> list[str]:
    """The patterns of ``StationInfo.requires`` (``resources/...`` or ``models/...``
    globs) that match no file of this installation, each with where it was looked for."""
    from app.paths import models_dir, resources_dir

    roots = {"resources": resources_dir,
             "models": (lambda: Path(models_root)) if models_root else models_dir}
    out = []
    for pattern in patterns:
        top, _, rest = pattern.partition("/")
        base = roots.get(top)
        if base is None:
            out.append(f"{pattern} (not under resources/ or models/)")
            continue
        try:
            root = base()
        except FileNotFoundError as exc:
            out.append(f"{pattern} ({exc})")
            continue
        if not any(p.is_file() for p in root.glob(rest)):
            out.append(f"{pattern} (nothing in {root})")
    return out


@dataclass(frozen=True)
class CheckResult:
    check: str
    status: str
    detail: str


class SelfCheck:
    """Runs the checks; each ``_check_*`` appends rows to ``self.results``."""

    def __init__(self, *, config_path: Path | None = None, data_dir: Path | None = None,
                 models_dir: Path | None = None, env: dict[str, str] | None = None,
                 timeout_s: float = 3.0) -> None:
        self.config_path, self.data_dir = config_path, data_dir
        self.models_dir = models_dir
        self.env = dict(os.environ if env is None else env)
        self.timeout_s = timeout_s
        self.results: list[CheckResult] = []
        self.config: Any = None
        self.store: Any = None
        self.gui_running = False

    def add(self, check: str, status: str, detail: str) -> None:
        self.results.append(CheckResult(check, status, detail))

    # --- driver -----------------------------------------------------------------------
    def run(self) -> list[CheckResult]:
        try:
            self._check_config()
            if self.config is not None:
                self._check_data_folder()
                self._check_database()
                self._check_ports()
                self._check_stations()
            self._check_models()
            if self.config is not None:
                self._check_pacs()
                self._check_opcua()
                self._check_central()
            self._check_qt_platform()
            self._check_cjk_font()
        finally:
            if self.store is not None:
                self.store.close()
        return self.results

    # --- configuration and files -----------------------------------------------------
    def _check_config(self) -> None:
        from app.config import load_config
        from app.core.errors import PharosError

        try:
            self.config = load_config(self.config_path, data_dir=self.data_dir, env=self.env)
        except PharosError as exc:
            self.add("configuration", FAIL, exc.message)
            return
        c = self.config
        where = str(c.path) if c.path else f"embedded defaults (no {c.data_dir / 'pharos.toml'})"
        mode = "demo (simulators)" if c.demo else "production"
        self.add("configuration", OK, f"{where}; station {c.get('station', 'id')}, {mode}, "
                                      f"hash {c.config_hash}")

    def _check_data_folder(self) -> None:
        d = self.config.data_dir
        try:
            d.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=d, prefix=".selfcheck-"):
                pass
        except OSError as exc:
            self.add("data folder", FAIL, f"{d} is not writable: {exc.strerror or exc}")
            return
        free_mb = shutil.disk_usage(d).free // (1024 * 1024)
        status = OK if free_mb >= 1024 else WARN
        self.add("data folder", status, f"{d} writable, {free_mb} MiB free"
                 + ("" if status == OK else " (less than 1 GiB)"))

    def _check_database(self) -> None:
        from app import __version__
        from app.adapters.store import Store
        from app.core.errors import PharosError

        path = self.config.data_dir / "pharos.db"
        existed = path.exists()
        store = Store(path, station_id=self.config.get("station", "id"),
                      software_version=__version__, config_hash=self.config.config_hash)
        try:
            store.open()
        except PharosError as exc:
            self.add("database", FAIL, exc.message)
            return
        self.store = store
        what = "opened" if existed else "created"
        backup = f"; migrated after backup {Path(store.last_backup).name}" \
            if store.last_backup else ", schema at head"
        self.add("database", OK, f"{path} {what}{backup}")

    def _check_ports(self) -> None:
        from app.core.errors import AlreadyRunning
        from app.instance_lock import InstanceLock

        try:
            InstanceLock(self.config.data_dir).acquire().release()
        except AlreadyRunning:
            self.gui_running = True
        enabled = self.config.get("stations", "enabled")
        if "ct_qc" not in enabled:
            self.add("port DICOM receiver", SKIP, "ct_qc is not enabled")
            return
        host = str(self.config.station_settings("ct_qc").get("scp_host", "127.0.0.1"))
        port = int(self.config.get("pacs", "scp_port"))
        problem = port_in_use(host, port)
        if problem is None:
            self.add("port DICOM receiver", OK, f"{host}:{port} free ([pacs] scp_port)")
        elif self.gui_running:
            self.add("port DICOM receiver", WARN, f"{host}:{port} in use; the Pharos GUI "
                     f"is running on this data folder and probably holds it")
        else:
            self.add("port DICOM receiver", FAIL, f"{host}:{port} ([pacs] scp_port) is "
                     f"already in use ({problem}); another program listens there")
        if self.config.demo:
            self.add("port OPC UA simulators", OK, "demo simulators bind free loopback ports")

    # --- stations ---------------------------------------------------------------------
    def _check_stations(self) -> None:
        from app.config import STATION_IDS

        enabled = self.config.get("stations", "enabled")
        self._check_gui_data()
        if self.store is None:
            self.add("stations", SKIP, "the database did not open")
            return
        ws = None
        try:
            ws = workstation_without_accounts(self.config, self.store)
            entries = ws.load_stations()
        except Exception as exc:  # noqa: BLE001 - reported, the check goes on
            self.add("stations", FAIL, f"could not build a station context: "
                                       f"{type(exc).__name__}: {exc}")
            return
        finally:
            if ws is not None:
                for e in ws.stations:
                    if e.instance is not None:
                        try:
                            e.instance.shutdown()
                        except Exception:  # noqa: BLE001
                            pass
                ws.stations = []
                ws.tasks.shutdown(wait=True)
                ws.loop.stop()
        found = {e.id: e for e in entries}
        for sid in STATION_IDS:
            if sid not in enabled:
                self.add(f"station {sid}", SKIP, "not enabled on this workstation")
            elif sid not in found:
                self.add(f"station {sid}", FAIL, "not found (no entry point, no built-in)")
            elif found[sid].instance is None:
                self.add(f"station {sid}", FAIL, f"unavailable: {found[sid].error}")
            else:
                missing = missing_data(found[sid].discovered.cls.info.requires,
                                       models_root=self.models_dir)
                if missing:
                    self.add(f"station {sid}", FAIL, "installation incomplete, missing "
                             + "; ".join(missing) + " (reinstall Pharos)")
                else:
                    self.add(f"station {sid}", OK, f"{found[sid].title} constructed "
                                                   f"({found[sid].discovered.target}), "
                                                   "its data files present")

    def _check_gui_data(self) -> None:
        missing = missing_data(GUI_REQUIRES)
        if missing:
            self.add("GUI data", FAIL, "installation incomplete, missing " + "; ".join(missing))
        else:
            self.add("GUI data", OK, "theme, icons and zh_CN catalogues present")

    # --- ONNX models --------------------------------------------------------------------
    def _check_models(self) -> None:
        from app.adapters.inference import ModelRegistry
        from app.core.errors import PharosError
        from app.paths import models_dir

        root = Path(self.models_dir or models_dir())
        # both layouts: <name>/<version>/card.json (registry) and <name>/card.json (tunnel)
        card_paths = sorted(set(root.glob("*/*/card.json")) | set(root.glob("*/card.json")))
        if not card_paths:
            self.add("models", WARN, f"no model cards under {root}")
            return
        registry = ModelRegistry(root)  # no audit: a self-check only reports
        for card_path in card_paths:
            label = card_path.parent.relative_to(root).as_posix()
            try:
                card = read_any_card(card_path)
                label = card.model_id
                registry.verify(card)
            except PharosError as exc:
                self.add(f"model {label}", FAIL, exc.message)
                continue
            self.add(f"model {label}", OK, f"sha256 {card.sha256[:16]}… matches its card")

    # --- peers ------------------------------------------------------------------------
    def _check_pacs(self) -> None:
        from app.adapters.deploy_probes import pacs_echo

        cfg = self.config
        if "ct_qc" not in cfg.get("stations", "enabled"):
            self.add("PACS", SKIP, "ct_qc is not enabled")
            return
        if cfg.demo:
            self.add("PACS", SKIP, "demo mode: the built-in simulator stands in")
            return
        p = cfg.section("pacs")
        r = pacs_echo(p["peer_host"], p["peer_port"], p["peer_ae_title"],
                      calling_ae=p["scp_ae_title"], timeout_s=self.timeout_s)
        self.add("PACS", OK if r.ok else FAIL, r.detail)

    def _check_opcua(self) -> None:
        from app.adapters.deploy_probes import opcua_reachable, opcua_server_certificate

        cfg = self.config
        enabled = cfg.get("stations", "enabled")
        opc = cfg.section("opcua")
        targets = (("tunnel_test", "OPC UA tunnel", "tunnel_endpoint"),
                   ("lead_room", "OPC UA gateway", "gateway_endpoint"))
        for sid, label, key in targets:
            if sid not in enabled:
                self.add(label, SKIP, f"{sid} is not enabled")
                continue
            if cfg.demo:
                self.add(label, SKIP, "demo mode: the built-in simulator stands in")
                continue
            url = str(cfg.station_settings(sid).get("endpoint") or opc[key])
            r = opcua_reachable(url, timeout_s=self.timeout_s)
            if not r.ok:
                self.add(label, FAIL, r.detail)
                continue
            security = str(cfg.station_settings(sid).get("security") or opc["security"])
            if sid != "lead_room" or security == "None":
                self.add(label, OK, r.detail)
                continue
            pki = cfg.data_dir / "stations" / sid / "pki"
            try:
                cert = opcua_server_certificate(url, security, pki, timeout_s=self.timeout_s)
            except Exception as exc:  # noqa: BLE001
                self.add(label, FAIL, f"{url}: {type(exc).__name__}: {exc}")
                continue
            if cert.trusted:
                self.add(label, OK, f"{r.detail}; certificate {cert.thumbprint[:16]}… trusted")
            else:
                self.add(label, FAIL, f"{url} certificate '{cert.subject}' (thumbprint "
                         f"{cert.thumbprint}) is not trusted: run `pharos setup` or copy it "
                         f"into {pki / 'trusted'}")

    def _check_central(self) -> None:
        from app.adapters.deploy_probes import central_ping

        from app.config import central_url

        url = central_url(self.config)      # with the password from its 0600 file
        if not url:
            self.add("central database", SKIP, "not configured (local only)")
            return
        r = central_ping(url, timeout_s=self.timeout_s)
        self.add("central database", (WARN if r.warning else OK) if r.ok else FAIL, r.detail)

    # --- GUI prerequisites --------------------------------------------------------------
    def _check_qt_platform(self) -> None:
        try:
            from PySide6.QtCore import QLibraryInfo, qVersion
        except ImportError as exc:
            self.add("Qt platform", FAIL, f"PySide6 cannot be imported: {exc}")
            return
        plugins = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms"
        requested = (self.env.get("QT_QPA_PLATFORM") or "").split(":")[0].split(";")[0]
        if sys.platform.startswith("win"):
            name, files = requested or "windows", lambda n: [plugins / f"q{n}.dll"]
        else:
            name = requested or ("wayland" if self.env.get("WAYLAND_DISPLAY") else "xcb")
            files = lambda n: [plugins / f"libq{n}.so"]  # noqa: E731
        if not any(f.exists() for f in files(name)):
            have = sorted(p.name for p in plugins.glob("*q*")) if plugins.exists() else []
            self.add("Qt platform", FAIL, f"Qt {qVersion()} platform plugin '{name}' is "
                     f"missing in {plugins} (present: {', '.join(have) or 'none'})")
            return
        if name == "offscreen":
            self.add("Qt platform", OK, f"Qt {qVersion()}, platform 'offscreen' (no visible "
                                        f"window: headless use)")
            return
        if name == "xcb":
            missing = [pkg for lib, pkg in XCB_LIBRARIES.items()
                       if ctypes.util.find_library(lib) is None]
            if missing:
                self.add("Qt platform", FAIL, f"Qt 'xcb' needs system libraries that are "
                         f"missing: apt install {' '.join(missing)}")
                return
            if not self.env.get("DISPLAY"):
                self.add("Qt platform", WARN, "platform 'xcb' present but no DISPLAY in this "
                         "session: the GUI needs a desktop session (headless commands work)")
                return
        self.add("Qt platform", OK, f"Qt {qVersion()}, platform '{name}'")

    def _check_cjk_font(self) -> None:
        language = self.config.get("station", "language") if self.config else "en"
        families = cjk_font_families()
        if families is None:
            self.add("CJK font", WARN, "cannot list fonts (no fc-list); Chinese text may not "
                                       "render")
        elif families:
            self.add("CJK font", OK, f"{len(families)} family(ies), e.g. {families[0]}")
        else:
            status = FAIL if language == "zh_CN" else WARN
            self.add("CJK font", status, "no font with Chinese glyphs: the zh_CN interface "
                     "would show boxes (apt install fonts-noto-cjk)")


def run_self_check(**kwargs: Any) -> list[CheckResult]:
    return SelfCheck(**kwargs).run()


def failed(results: list[CheckResult]) -> bool:
    return any(r.status == FAIL for r in results)


def render_table(results: list[CheckResult]) -> str:
    w = max(len(r.check) for r in results)
    lines = [f"{'check':{w}s}  status  detail", f"{'-' * w}  ------  {'-' * 40}"]
    lines += [f"{r.check:{w}s}  {r.status:6s}  {r.detail}" for r in results]
    counts = {s: sum(r.status == s for r in results) for s in (OK, WARN, FAIL, SKIP)}
    verdict = "FAILED" if counts[FAIL] else "PASSED"
    lines.append(f"\nself-check {verdict}: " + ", ".join(f"{n} {s}" for s, n in counts.items()))
    return "\n".join(lines)


def cmd_self_check(args: argparse.Namespace) -> int:
    import logging

    logging.getLogger("app").addHandler(logging.NullHandler())
    logging.getLogger("app").propagate = False  # rows carry the messages; no log noise
    results = run_self_check(config_path=getattr(args, "config", None),
                             data_dir=getattr(args, "data_dir", None),
                             models_dir=getattr(args, "models_dir", None),
                             timeout_s=float(getattr(args, "timeout", 3.0)))
    if getattr(args, "json", False):
        print(json.dumps({"ok": not failed(results),
                          "checks": [asdict(r) for r in results]}, indent=2,
                         ensure_ascii=False))
    else:
        print(render_table(results))
    return 1 if failed(results) else 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("self-check", help="check this installation (exit 1 on any FAIL)")
    p.add_argument("--json", action="store_true", help='print {"ok", "checks": [...]}')
    p.add_argument("--timeout", type=float, default=3.0, help="seconds per network probe")
    p.add_argument("--models-dir", type=Path, default=None,
                   help="model folder to verify (default: the installed models/)")
    p.set_defaults(func=cmd_self_check)
