"""OPC UA application certificates and trust lists (Basic256Sha256 SignAndEncrypt).

Layout of a PKI folder (the same on the workstation and on the simulator)::

    pki/own/cert.der  pki/own/key.pem     this application's self-signed certificate
    pki/trusted/*.der|*.pem               peers this application accepts
    pki/rejected/*.der                    peers that tried and were refused (an
                                          administrator moves one to trusted/ to accept it)

A certificate is trusted when its SHA-1 thumbprint equals one in ``trusted/`` (pinning:
these are self-signed application certificates, there is no CA chain to walk).
"""
from __future__ import annotations

import logging
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Awaitable, Callable

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from app.core.errors import DeviceError

log = logging.getLogger(__name__)


class CertificateUntrusted(DeviceError):
    code = "PH-OPCUA-CERT"
    remedy = ("If this certificate is the gateway's, an administrator copies it from the "
              "'rejected' folder into the 'trusted' folder of the workstation PKI and the "
              "station connects on its next retry.")


@dataclass(frozen=True)
class CertInfo:
    subject: str
    thumbprint: str          # SHA-1, hex upper-case (as UA tools show it)
    not_after: datetime
    application_uri: str

    def describe(self) -> str:
        return f"'{self.subject}' (SHA-1 thumbprint {self.thumbprint})"


def load_cert(data_or_path: bytes | Path) -> x509.Certificate:
    data = Path(data_or_path).read_bytes() if isinstance(data_or_path, Path) else data_or_path
    if data.lstrip().startswith(b"-----BEGIN"):
        return x509.load_pem_x509_certificate(data)
    return x509.load_der_x509_certificate(data)


def cert_info(cert: x509.Certificate) -> CertInfo:
    thumb = cert.fingerprint(hashes.SHA1()).hex().upper()  # noqa: S303 - UA thumbprint
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        uris = san.value.get_values_for_type(x509.UniformResourceIdentifier)
    except x509.ExtensionNotFound:
        uris = []
    return CertInfo(cert.subject.rfc4514_string(), thumb, cert.not_valid_after_utc,
                    uris[0] if uris else "")


class Pki:
    """One application's PKI folder: own certificate, trusted and rejected peers."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.own_dir = self.root / "own"
        self.trusted_dir = self.root / "trusted"
        self.rejected_dir = self.root / "rejected"
        for d in (self.own_dir, self.trusted_dir, self.rejected_dir):
            d.mkdir(parents=True, exist_ok=True)

    @property
    def cert_path(self) -> Path:
        return self.own_dir / "cert.der"

    @property
    def key_path(self) -> Path:
        return self.own_dir / "key.pem"

    def ensure_own(self, common_name: str, application_uri: str, *, server: bool,
                   days: int = 730) -> CertInfo:
        """Create the self-signed application certificate unless a valid one exists."""
        if self.cert_path.exists() and self.key_path.exists():
            info = cert_info(load_cert(self.cert_path))
            if info.application_uri == application_uri and \
                    info.not_after > datetime.now(timezone.utc) + timedelta(days=7):
                return info
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Pharos")])
        now = datetime.now(timezone.utc)
        host = socket.gethostname()
        usage = [ExtendedKeyUsageOID.SERVER_AUTH] if server else [ExtendedKeyUsageOID.CLIENT_AUTH]
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - timedelta(minutes=5))
                .not_valid_after(now + timedelta(days=days))
                .add_extension(x509.SubjectAlternativeName(
                    [x509.UniformResourceIdentifier(application_uri), x509.DNSName(host),
                     x509.DNSName("localhost")]), critical=False)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(
                    digital_signature=True, content_commitment=True, key_encipherment=True,
                    data_encipherment=True, key_agreement=False, key_cert_sign=False,
                    crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
                .add_extension(x509.ExtendedKeyUsage(usage), critical=False)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                               critical=False)
                .sign(key, hashes.SHA256()))
        self.key_path.write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
        self.cert_path.write_bytes(cert.public_bytes(serialization.Encoding.DER))
        info = cert_info(cert)
        log.info("created OPC UA application certificate %s", info.describe())
        return info

    def trust(self, cert_path: Path) -> Path:
        """Copy a peer certificate into trusted/ (an administrator's action)."""
        cert = load_cert(Path(cert_path))
        dest = self.trusted_dir / f"{cert_info(cert).thumbprint}.der"
        dest.write_bytes(cert.public_bytes(serialization.Encoding.DER))
        return dest

    def trusted_thumbprints(self) -> set[str]:
        out: set[str] = set()
        for p in sorted(self.trusted_dir.iterdir()):
            if p.suffix.lower() in (".der", ".pem", ".crt", ".cer"):
                try:
                    out.add(cert_info(load_cert(p)).thumbprint)
                except ValueError:
                    log.warning("ignoring unreadable certificate in trust list: %s", p)
        return out

    def check_peer(self, der: bytes, role: str) -> CertInfo:
        """Raise CertificateUntrusted (certificate named) unless ``der`` is trusted."""
        cert = load_cert(der)
        info = cert_info(cert)
        if info.thumbprint in self.trusted_thumbprints():
            if info.not_after < datetime.now(timezone.utc):
                raise CertificateUntrusted(
                    f"The {role} certificate {info.describe()} expired on "
                    f"{info.not_after:%Y-%m-%d}.")
            return info
        dest = self.rejected_dir / f"{info.thumbprint}.der"
        dest.write_bytes(cert.public_bytes(serialization.Encoding.DER))
        raise CertificateUntrusted(
            f"The {role} certificate {info.describe()} is not in the trust list "
            f"{self.trusted_dir}; the connection was refused. A copy was saved to {dest}.")


def make_server_validator(pki: Pki) -> Callable[[x509.Certificate, object], Awaitable[None]]:
    """An asyncua certificate validator that accepts only clients in ``pki`` trusted/."""
    from asyncua import ua
    from asyncua.common.utils import ServiceError

    async def validate(cert: x509.Certificate, _app: object) -> None:
        try:
            pki.check_peer(cert.public_bytes(serialization.Encoding.DER), "client")
        except CertificateUntrusted as exc:
            log.warning("%s", exc.message)
            raise ServiceError(ua.StatusCodes.BadCertificateUntrusted) from exc
    return validate


CLIENT_URI = f"urn:pharos:workstation:{socket.gethostname()}"


async def secure_client(client: Any, endpoints: list[Any], security: str, pki: Pki, *,
                        peer: str, missing: Callable[[str], Exception]) -> None:
    """Set ``client`` up for Basic256Sha256 ``security`` (Sign / SignAndEncrypt): our own
    certificate (made once), the server's matching endpoint from ``endpoints`` (else
    ``missing(mode name)`` is raised), its certificate checked against the trust list
    (CertificateUntrusted names it as the ``peer``). Shared by the lead-room gateway
    client and the tunnel console."""
    from asyncua import Client, ua
    from asyncua.crypto import security_policies

    pki.ensure_own("Pharos workstation " + socket.gethostname(), CLIENT_URI, server=False)
    mode = ua.MessageSecurityMode.SignAndEncrypt if security.endswith("Encrypt") \
        else ua.MessageSecurityMode.Sign
    policy = security_policies.SecurityPolicyBasic256Sha256
    try:
        endpoint = Client.find_endpoint(endpoints, mode, policy.URI)
    except ValueError as exc:
        raise missing(mode.name) from exc
    der = endpoint.ServerCertificate
    pki.check_peer(der, peer)
    await client.set_security(policy, str(pki.cert_path), str(pki.key_path),
                              server_certificate=der, mode=mode)

