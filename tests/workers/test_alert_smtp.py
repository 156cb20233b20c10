"""Alert delivery end to end through real SMTP servers on loopback (plain, STARTTLS, implicit TLS)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import threading

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from config.settings import SmtpSettings
from search.documents import Entity
from workers.alerts.email import build_message, render_alert
from workers.alerts.rules.rating_drop import RatingDropMatch, rating_drop_windows
from workers.alerts.smtp import DeliveryError, send_message

NOW = dt.datetime(2024, 3, 12, 10, 0, tzinfo=dt.timezone.utc)
RECIPIENTS = ["owner@lumiere.example", "manager@lumiere.example"]


def free_port() -> int:
    """A free loopback port (the shared conftest has the same helper; conftest modules are not importable)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def alert_message():
    baseline, recent = rating_drop_windows(NOW, 7, 30)
    match = RatingDropMatch(
        rule_id="rating-drop", rule_type="rating_drop", entity_id="cafe-lumiere", evaluated_at=NOW,
        old_average=4.4, new_average=3.9, drop=0.5, baseline_count=40, recent_count=23,
        baseline_window=baseline, recent_window=recent,
    )
    entity = Entity(id="cafe-lumiere", name="Café Lumière", recipients=RECIPIENTS)
    rendered = render_alert(match, entity, {"lowest_rated": [], "competitors": []})
    return build_message(rendered, sender="starwatch <alerts@starwatch.example>", recipients=RECIPIENTS, date=NOW)


def test_delivers_to_every_recipient_with_subject_text_and_html(smtp_server):
    message = alert_message()

    send_message(message, SmtpSettings(host=smtp_server.host, port=smtp_server.port))

    [delivered] = smtp_server.wait_for(1)
    mail_from, rcpt_tos = smtp_server.envelopes[0]
    assert mail_from == "alerts@starwatch.example"
    assert sorted(rcpt_tos) == sorted(RECIPIENTS)
    assert delivered["Subject"] == "Café Lumière: 4.4★ → 3.9★ over 7 days (−0.5, 23 reviews)"
    assert delivered["Message-ID"] == message["Message-ID"]
    assert delivered.get_content_type() == "multipart/alternative"
    assert "dropped by 0.5 stars" in delivered.get_body(("plain",)).get_content()
    html = delivered.get_body(("html",)).get_content()
    assert "<h2" in html and "Café Lumière" in html


def test_unreachable_server_is_retried_with_backoff_then_named():
    port = free_port()  # nothing listens there
    delays: list[float] = []

    with pytest.raises(DeliveryError, match=rf"127\.0\.0\.1:{port} after 3 attempt\(s\).*STARWATCH_SMTP__HOST"):
        send_message(alert_message(), SmtpSettings(host="127.0.0.1", port=port, timeout_seconds=2),
                     attempts=3, backoff_seconds=0.01, sleep=delays.append)

    assert delays == [0.01, 0.02]


def test_starttls_against_a_plain_server_fails_at_once_with_the_setting_to_fix(smtp_server):
    delays: list[float] = []
    settings = SmtpSettings(host=smtp_server.host, port=smtp_server.port, security="starttls")

    with pytest.raises(DeliveryError, match=rf"{smtp_server.port}.*smtp\.security"):
        send_message(alert_message(), settings, sleep=delays.append)

    assert delays == []  # retrying cannot make the server grow STARTTLS
    assert smtp_server.messages == []


def test_no_login_is_attempted_without_credentials(smtp_server):
    # The loopback server offers no AUTH at all: a login attempt would fail the delivery.
    send_message(alert_message(), SmtpSettings(host=smtp_server.host, port=smtp_server.port, username="alerts"))

    assert len(smtp_server.wait_for(1)) == 1


# -- TLS servers: a throwaway self-signed certificate for 127.0.0.1 ------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "starwatch test SMTP")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1))
        .not_valid_after(dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("smtp-tls")
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class RecordingHandler:
    def __init__(self) -> None:
        self.envelopes: list[tuple[str, list[str], bytes]] = []
        self.logins: list[str] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        with self.lock:
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == b"alerts" and auth_data.password == b"correct horse"
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok, handled=False)  # handled=False: let aiosmtpd answer 535


@pytest.fixture
def tls_server(certificate):
    """Factory for aiosmtpd servers speaking STARTTLS (with login) or implicit TLS."""
    cert_path, key_path = certificate
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert_path, key_path)
    controllers = []

    def start(mode: str):
        handler, port = RecordingHandler(), free_port()
        if mode == "starttls":
            controller = Controller(handler, hostname="127.0.0.1", port=port, tls_context=server_context,
                                    require_starttls=True, authenticator=handler.authenticate, auth_required=True)
        else:
            controller = Controller(handler, hostname="127.0.0.1", port=port, ssl_context=server_context)
        controller.start()
        controllers.append(controller)
        return handler, port

    yield start
    for controller in controllers:
        controller.stop()


def client_context(certificate) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(certificate[0]))


def test_starttls_with_login_delivers(tls_server, certificate):
    handler, port = tls_server("starttls")
    settings = SmtpSettings(host="127.0.0.1", port=port, security="starttls",
                            username="alerts", password="correct horse")

    send_message(alert_message(), settings, ssl_context=client_context(certificate))

    assert handler.logins == ["alerts"]
    [(mail_from, rcpt_tos, content)] = handler.envelopes
    assert sorted(rcpt_tos) == sorted(RECIPIENTS)
    assert b"Subject:" in content


def test_wrong_password_is_not_retried_and_names_the_variables(tls_server, certificate):
    _handler, port = tls_server("starttls")
    settings = SmtpSettings(host="127.0.0.1", port=port, security="starttls", username="alerts", password="nope")
    delays: list[float] = []

    with pytest.raises(DeliveryError, match="STARWATCH_SMTP__PASSWORD"):
        send_message(alert_message(), settings, ssl_context=client_context(certificate), sleep=delays.append)

    assert delays == []


def test_implicit_tls_delivers(tls_server, certificate):
    handler, port = tls_server("ssl")

    send_message(alert_message(), SmtpSettings(host="127.0.0.1", port=port, security="ssl"),
                 ssl_context=client_context(certificate))

    assert len(handler.envelopes) == 1


def test_untrusted_certificate_is_refused_with_a_hint(tls_server):
    _handler, port = tls_server("ssl")

    with pytest.raises(DeliveryError, match="certificate"):
        send_message(alert_message(), SmtpSettings(host="127.0.0.1", port=port, security="ssl"))
