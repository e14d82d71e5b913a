"""MES adapter (REST, JSON over HTTP, stdlib only) and a simulated MES for demo/tests.

Messages follow the IPC-CFX flow: validate route -> work started -> units tested ->
work completed -> release. Every message carries an idempotency key (run id + kind);
the MES answers a repeated key with the first answer, so store-and-forward resends are
harmless.
"""
from __future__ import annotations

import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from app.core.errors import DeviceError, PharosError, ValidationError


class MesUnavailable(DeviceError):
    code = "PH-TT-MES-DOWN"
    remedy = "The MES is not reachable; messages wait in the outbox and are sent later."


class MesRejected(PharosError):
    code = "PH-TT-MES-REJECT"
    remedy = "The MES refused the message; the unit is held. Contact production control."


class MesClient:
    def __init__(self, base_url: str, *, timeout_s: float = 3.0, station: str = "") -> None:
        # only HTTP(S): urllib would also open file: and other schemes
        if urllib.parse.urlsplit(base_url).scheme.lower() not in ("http", "https"):
            raise ValidationError(f"The MES URL {base_url!r} must start with http:// or "
                                  f"https:// (setting [mes] url).")
        self.base_url, self.timeout_s, self.station = base_url.rstrip("/"), timeout_s, station

    def _post(self, path: str, body: dict, key: str = "") -> dict:
        req = urllib.request.Request(self.base_url + path,  # noqa: S310 - scheme checked
                                     data=json.dumps(body).encode(),
                                     method="POST", headers={"Content-Type": "application/json",
                                                             "Idempotency-Key": key})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout_s) as resp:  # noqa: S310 - scheme checked
                return json.loads(resp.read() or b"{}")
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")[:500]
            if exc.code in (409, 422, 403, 400):
                raise MesRejected(f"MES rejected {path}: {detail}") from exc
            raise MesUnavailable(f"MES answered HTTP {exc.code} for {path}") from exc
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            raise MesUnavailable(f"MES at {self.base_url} not reachable: {exc}") from exc

    def validate_route(self, serial: str, order: str = "") -> dict:
        return self._post("/api/units/validate", {"serial": serial, "order": order,
                                                  "station": self.station})

    def send(self, kind: str, payload: dict, key: str) -> dict:
        return self._post(f"/api/messages/{kind}", payload, key)


class SimulatedMes:
    """Simulated MES on 127.0.0.1 (free port). Knobs: ``blocked_serials`` (route NOK),
    ``reject_release`` (release answered 409), ``down`` (503 for everything)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.blocked_serials: set[str] = set()
        self.reject_release = False
        self.down = False
        self.messages: dict[str, dict] = {}      # idempotency key -> first message
        self.received: list[tuple[str, str]] = []  # (kind, key) including repeats
        self._lock = threading.Lock()
        mes = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0)))
                                  or b"{}")
                status, answer = mes.handle(self.path, body, self.headers.get("Idempotency-Key", ""))
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://{host}:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def handle(self, path: str, body: dict, key: str) -> tuple[int, dict]:
        if self.down:
            return 503, {"error": "MES maintenance"}
        if path == "/api/units/validate":
            if body.get("serial") in self.blocked_serials:
                return 409, {"ok": False, "reason": "unit is on hold (route: rework)"}
            return 200, {"ok": True, "serial": body.get("serial"), "route": "FINAL-TEST",
                         "order": body.get("order") or "MO-2025-0001"}
        kind = path.rsplit("/", 1)[-1]
        with self._lock:
            self.received.append((kind, key))
            if key and key in self.messages:
                return 200, {"ok": True, "duplicate": True}
            if kind == "release" and self.reject_release:
                return 409, {"ok": False, "reason": "order closed: release refused"}
            self.messages[key or f"anon-{len(self.messages)}"] = {"kind": kind, "body": body}
        return 200, {"ok": True}

    def start(self) -> "SimulatedMes":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> "SimulatedMes":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
