"""First-run setup wizard (Qt view over :mod:`app.setup_wizard`).

Pages: station identity, administrator, PACS (Test = C-ECHO), OPC UA (certificate
fetch / trust, test), central database (test), stations, summary. Each page validates
its own fields with :func:`app.setup_wizard.validate_field` and names the field that is
wrong; connection tests run on the task pool (the GUI never waits on the network).

    run_first_run_wizard(ws, parent) -> bool   # True when a configuration was written
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QSpinBox, QVBoxLayout,
                               QWidget, QWizard, QWizardPage)

from app.config import STATION_IDS, redact_url
from app.setup_wizard import (SECURITY_MODES, Services, SetupAnswers, SetupInvalid,
                              apply_setup, check_central, check_gateway, check_pacs,
                              config_path_for, fetch_gateway_certificate, needs_first_run,
                              trust_gateway_certificate, validate_field,
                              workstation_certificate)

# the stations' own names (StationInfo title / title_zh, the plant's words), written out
# here so the wizard does not import the stations; tests/ui check that they agree
STATION_TITLES = {"ct_qc": ("CT image QC", "CT影像质量检测"),
                  "image_review": ("Image review", "影像复核"),
                  "detector_matching": ("Detector matching", "探测器模块匹配"),
                  "tunnel_test": ("Tunnel test console", "自动测试隧道"),
                  "lead_room": ("Lead-room monitor", "铅房监控")}


def _t(text: str) -> str:
    return QCoreApplication.translate("SetupWizard", text)


class _Page(QWizardPage):
    """A page that edits some answer fields and shows the first problem, field named."""

    fields_: tuple[str, ...] = ()

    def __init__(self, wizard: "SetupWizard", title: str, subtitle: str) -> None:
        super().__init__()
        self.wz = wizard
        self.setTitle(title)
        self.setSubTitle(subtitle)
        self.form = QFormLayout()
        self.error = QLabel("")
        self.error.setObjectName("setupError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020;")
        box = QVBoxLayout(self)
        box.addLayout(self.form)
        box.addStretch(1)
        box.addWidget(self.error)

    def line(self, name: str, label: str, *, password: bool = False) -> QLineEdit:
        w = QLineEdit(str(getattr(self.wz.answers, name)))
        w.setObjectName(f"setup_{name}")
        if password:
            w.setEchoMode(QLineEdit.EchoMode.Password)
            w.setText("")
        w.textChanged.connect(lambda v, n=name: setattr(self.wz.answers, n, v))
        self.form.addRow(label, w)
        return w

    def port(self, name: str, label: str) -> QSpinBox:
        w = QSpinBox()
        w.setObjectName(f"setup_{name}")
        w.setRange(1, 65535)
        w.setValue(int(getattr(self.wz.answers, name)))
        w.valueChanged.connect(lambda v, n=name: setattr(self.wz.answers, n, int(v)))
        self.form.addRow(label, w)
        return w

    def test_row(self, name: str, label: str, run: Callable[[], Any]) -> QLabel:
        button = QPushButton(label)
        button.setObjectName(f"setup_test_{name}")
        result = QLabel("")
        result.setObjectName(f"setup_result_{name}")
        result.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(button)
        row.addWidget(result, 1)
        self.form.addRow(row)
        button.clicked.connect(lambda: self.wz.run_test(run, result))
        return result

    def validatePage(self) -> bool:  # noqa: N802 - Qt API
        for name in self.fields_:
            problem = self.wz.field_problem(name)
            if problem:
                self.error.setText(f"{name}: {problem}")
                return False
        self.error.setText("")
        return True


class IdentityPage(_Page):
    fields_ = ("station_id", "station_name", "language")

    def __init__(self, wz: "SetupWizard") -> None:
        super().__init__(wz, _t("Station identity"),
                         _t("How this workstation appears in records and on the plant view."))
        self.line("station_id", _t("Station id"))
        self.line("station_name", _t("Station name"))
        lang = QComboBox()
        lang.setObjectName("setup_language")
        lang.addItem("English", "en")
        lang.addItem("简体中文", "zh_CN")
        lang.setCurrentIndex(max(0, lang.findData(wz.answers.language)))
        lang.currentIndexChanged.connect(
            lambda _i: setattr(wz.answers, "language", lang.currentData()))
        self.form.addRow(_t("Language"), lang)
        demo = QCheckBox(_t("Demo mode: built-in simulators instead of PACS, OPC UA and MES"))
        demo.setObjectName("setup_demo")
        demo.setChecked(wz.answers.demo)
        demo.toggled.connect(lambda v: setattr(wz.answers, "demo", bool(v)))
        self.form.addRow("", demo)


class AdminPage(_Page):
    fields_ = ("admin_username", "admin_full_name", "admin_password", "admin_password_repeat")

    def __init__(self, wz: "SetupWizard") -> None:
        super().__init__(wz, _t("Administrator account"),
                         _t("The first account. It manages users and signs configuration "
                            "changes. Enter the password twice."))
        user = self.line("admin_username", _t("User name"))
        user.setReadOnly(wz.first_run_password is not None)
        self.line("admin_full_name", _t("Full (printed) name"))
        self.line("admin_password", _t("Password"), password=True)
        self.line("admin_password_repeat", _t("Password again"), password=True)
        rules = QLabel(_t("At least {n} characters, letters and digits, not containing the "
                          "user name.").format(n=wz.min_len))
        rules.setWordWrap(True)
        self.form.addRow("", rules)


class PacsPage(_Page):
    fields_ = ("pacs_ae_title", "pacs_host", "pacs_port", "scp_ae_title", "scp_port")

    def __init__(self, wz: "SetupWizard") -> None:
        super().__init__(wz, _t("PACS"), _t("Where CT QC archives images, and how this "
                                             "station receives them."))
        self.line("pacs_ae_title", _t("PACS AE title"))
        self.line("pacs_host", _t("PACS host"))
        self.port("pacs_port", _t("PACS port"))
        self.line("scp_ae_title", _t("This station's AE title"))
        self.port("scp_port", _t("This station's receiver port"))
        self.test_row("pacs", _t("Test (C-ECHO)"), lambda: check_pacs(wz.answers))


class OpcUaPage(_Page):
    fields_ = ("tunnel_endpoint", "gateway_endpoint", "opcua_security")

    def __init__(self, wz: "SetupWizard") -> None:
        super().__init__(wz, _t("OPC UA"), _t("The tunnel test C-arm and the lead-room "
                                               "gateway. A secured gateway proves itself "
                                               "with its certificate: check the thumbprint "
                                               "before you trust it."))
        self.line("tunnel_endpoint", _t("Tunnel test endpoint"))
        self.line("gateway_endpoint", _t("Gateway endpoint"))
        sec = QComboBox()
        sec.setObjectName("setup_opcua_security")
        for mode in SECURITY_MODES:
            sec.addItem(mode, mode)
        sec.setCurrentIndex(max(0, sec.findData(wz.answers.opcua_security)))
        sec.currentIndexChanged.connect(
            lambda _i: setattr(wz.answers, "opcua_security", sec.currentData()))
        self.form.addRow(_t("Gateway security"), sec)
        fetch = QPushButton(_t("Show gateway certificate"))
        fetch.setObjectName("setup_fetch_certificate")
        self.trust = QPushButton(_t("Trust this certificate"))
        self.trust.setObjectName("setup_trust_certificate")
        self.trust.setEnabled(False)
        self.cert_label = QLabel(_t("Certificate: not fetched"))
        self.cert_label.setObjectName("setup_certificate")
        self.cert_label.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(fetch)
        row.addWidget(self.trust)
        row.addStretch(1)
        self.form.addRow(row)
        self.form.addRow(self.cert_label)
        self.own_label = QLabel("")
        self.own_label.setObjectName("setup_own_certificate")
        self.own_label.setWordWrap(True)
        self.form.addRow(self.own_label)
        self.test_row("gateway", _t("Test connection"),
                      lambda: check_gateway(wz.answers, wz.data_dir))
        self.cert: Any = None
        fetch.clicked.connect(self._fetch)
        self.trust.clicked.connect(self._trust)

    def _fetch(self) -> None:
        self.cert_label.setText(_t("Fetching the certificate…"))
        self.wz.run_task(lambda: (fetch_gateway_certificate(self.wz.answers, self.wz.data_dir),
                                  workstation_certificate(self.wz.data_dir)),
                         self._show_cert, lambda exc: self.cert_label.setText(
                             _t("Could not fetch the certificate: {e}").format(e=exc)))

    def _show_cert(self, result: Any) -> None:
        self.cert, (own_path, own_thumb) = result
        c = self.cert
        state = _t("trusted") if c.trusted else _t("NOT trusted")
        self.cert_label.setText(_t("Subject: {s}\nThumbprint (SHA-1): {t}\nValid until: {d}\n"
                                   "State: {state}").format(s=c.subject, t=c.thumbprint,
                                                            d=c.not_after, state=state))
        self.trust.setEnabled(not c.trusted)
        self.own_label.setText(_t("The gateway must trust this workstation: {p} "
                                  "(thumbprint {t})").format(p=own_path, t=own_thumb))

    def _trust(self) -> None:
        if self.cert is None:
            return
        dest = trust_gateway_certificate(self.cert, self.wz.data_dir, self.wz.services,
                                         username=self.wz.answers.admin_username)
        self.trust.setEnabled(False)
        self.cert_label.setText(self.cert_label.text().replace(
            _t("NOT trusted"), _t("trusted ({p})").format(p=dest)))


class CentralPage(_Page):
    fields_ = ("central_url",)

    def __init__(self, wz: "SetupWizard") -> None:
        super().__init__(wz, _t("Central database"),
                         _t("PostgreSQL quality database of the plant. Leave empty to work "
                            "local only; results wait in the outbox."))
        self.line("central_url", _t("URL")).setPlaceholderText(
            "postgresql://user:password@host/pharos")
        self.test_row("central", _t("Test connection"), lambda: check_central(wz.answers))


class StationsPage(_Page):
    fields_ = ("stations",)

    def __init__(self, wz: "SetupWizard") -> None:
        super().__init__(wz, _t("Stations"), _t("Which stations this workstation runs."))
        zh = wz.language == "zh_CN"
        self.boxes: dict[str, QCheckBox] = {}
        for sid in STATION_IDS:
            box = QCheckBox(STATION_TITLES[sid][1 if zh else 0] + f"  ({sid})")
            box.setObjectName(f"setup_station_{sid}")
            box.setChecked(sid in wz.answers.stations)
            box.toggled.connect(self._changed)
            self.boxes[sid] = box
            self.form.addRow(box)

    def _changed(self) -> None:
        self.wz.answers.stations = [s for s, b in self.boxes.items() if b.isChecked()]


class SummaryPage(_Page):
    def __init__(self, wz: "SetupWizard") -> None:
        super().__init__(wz, _t("Summary"), _t("Finish writes the configuration file and "
                                               "records the change in the audit trail."))
        self.text = QLabel("")
        self.text.setObjectName("setup_summary")
        self.text.setWordWrap(True)
        self.form.addRow(self.text)

    def initializePage(self) -> None:  # noqa: N802 - Qt API
        a = self.wz.answers
        rows = [(_t("Station"), f"{a.station_id} – {a.station_name} ({a.language})"),
                (_t("Mode"), _t("demo (simulators)") if a.demo else _t("production")),
                (_t("Administrator"), f"{a.admin_username} ({a.admin_full_name})"),
                ("PACS", f"{a.pacs_ae_title}@{a.pacs_host}:{a.pacs_port}"),
                (_t("Receiver"), f"{a.scp_ae_title}:{a.scp_port}"),
                (_t("Gateway"), f"{a.gateway_endpoint} ({a.opcua_security})"),
                (_t("Central database"), redact_url(a.central_url) or _t("none (local only)")),
                (_t("Stations"), ", ".join(a.stations)),
                (_t("Configuration file"), str(self.wz.config_path))]
        self.text.setText("\n".join(f"{k}: {v}" for k, v in rows))

    def validatePage(self) -> bool:  # noqa: N802 - Qt API
        try:
            self.wz.outcome = apply_setup(
                self.wz.answers, self.wz.services, config_path=self.wz.config_path,
                data_dir=self.wz.data_dir, first_run_password=self.wz.first_run_password)
        except SetupInvalid as exc:
            self.error.setText("\n".join(f"{k}: {v}" for k, v in exc.errors.items()))
            return False
        except Exception as exc:  # noqa: BLE001 - shown; nothing was written
            self.error.setText(f"{type(exc).__name__}: {getattr(exc, 'message', exc)}")
            return False
        return True


class SetupWizard(QWizard):
    def __init__(self, *, services: Services, data_dir: Path, config_path: Path,
                 answers: SetupAnswers, tasks: Any, first_run_password: str | None = None,
                 language: str = "en", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("setupWizard")
        self.setWindowTitle(_t("Pharos – first-run setup"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.services, self.data_dir, self.config_path = services, data_dir, config_path
        self.answers, self.tasks = answers, tasks
        self.first_run_password = first_run_password
        self.language = language
        self.min_len = services.auth.min_len
        self.accounts_exist = bool(services.auth.list_users()) and first_run_password is None
        self.outcome: Any = None
        self._controllers: list[Any] = []
        for page in (IdentityPage, AdminPage, PacsPage, OpcUaPage, CentralPage, StationsPage,
                     SummaryPage):
            self.addPage(page(self))
        self.resize(760, 560)

    def field_problem(self, name: str) -> str | None:
        return validate_field(name, self.answers, password_min_length=self.min_len,
                              accounts_exist=self.accounts_exist)

    def run_task(self, fn: Callable[[], Any], done: Callable[[Any], None],
                 failed: Callable[[BaseException], None]) -> None:
        """Run ``fn`` on the task pool; ``done``/``failed`` arrive on the GUI thread."""
        from widgets.tasks import TaskController

        controller = TaskController(self.tasks, parent=self)
        controller.sig_finished.connect(done)
        controller.sig_failed.connect(failed)
        self._controllers.append(controller)
        controller.start(lambda *, token, progress: fn())

    def run_test(self, run: Callable[[], Any], label: QLabel) -> None:
        label.setText(_t("Testing…"))

        def show(r: Any) -> None:
            label.setText(("✔ " if r.ok else "✘ ") + r.detail)
            label.setStyleSheet("color: #1b5e20;" if r.ok and not r.warning else
                                "color: #8a6d00;" if r.ok else "color: #b00020;")
        self.run_task(run, show, lambda exc: label.setText(f"✘ {exc}"))


def build_wizard(ws: Any, parent: QWidget | None = None, language: str = "en") -> SetupWizard:
    answers = SetupAnswers.from_config(ws.config)
    return SetupWizard(services=Services(ws.store, ws.audit, ws.auth),
                       data_dir=ws.config.data_dir,
                       config_path=config_path_for(ws.config.data_dir, ws.config.path),
                       answers=answers, tasks=ws.tasks,
                       first_run_password=ws.first_run_password, language=language,
                       parent=parent)


def run_first_run_wizard(ws: Any, parent: QWidget | None = None) -> bool:
    """Show the wizard when no config file and no person-made account exist.

    Returns True when a configuration was written (the caller reopens the Workstation
    so the new identity, language and stations take effect); False when setup was not
    needed or was cancelled (the embedded defaults stay in force).
    """
    if not needs_first_run(ws.config, ws.auth, ws.first_run_password):
        return False
    from app.ui import i18n

    wizard = build_wizard(ws, parent, i18n.current_language())
    return wizard.exec() == QWizard.DialogCode.Accepted and wizard.outcome is not None


def render_pages(wizard: SetupWizard, out_dir: Path, prefix: str = "setup",
                 size: tuple[int, int] = (760, 560)) -> list[Path]:
    """Render every page offscreen to ``<out_dir>/<prefix>-<n>.png`` (docs and review)."""
    from app.ui.screenshot import render_widget_png

    out: list[Path] = []
    for n, page_id in enumerate(wizard.pageIds(), start=1):
        wizard.setStartId(page_id)
        wizard.restart()
        out.append(render_widget_png(wizard, Path(out_dir) / f"{prefix}-{n}.png", size))
    wizard.setStartId(wizard.pageIds()[0])
    return out
