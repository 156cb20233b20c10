"""Send a built email through the configured SMTP server, retrying only what a retry can fix.

Reads ``settings.smtp`` (``config.settings.SmtpSettings``):

- ``host`` / ``port`` / ``timeout_seconds``: where to connect and how long to wait;
- ``security``: ``none`` (plain, for a local relay), ``starttls`` (upgrade after connecting,
  usually port 587) or ``ssl`` (TLS from the first byte, usually port 465); certificates are
  verified against the system trust store;
- ``username`` / ``password``: log in only when both are set. They come from the environment
  (``STARWATCH_SMTP__USERNAME`` / ``STARWATCH_SMTP__PASSWORD``), never from a file.

Connection problems (refused, timed out, dropped) are retried a few times with exponential
backoff, because a relay restarting should not lose an alert. Answers that will not change on a
retry (bad login, refused recipient, no STARTTLS, certificate mismatch) raise at once.
Either way ``DeliveryError`` names ``host:port`` and what to check.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import time
from email.message import EmailMessage
from typing import Callable

from config.settings import SmtpSettings

log = logging.getLogger(__name__)

DEFAULT_ATTEMPTS = 3
DEFAULT_BACKOFF_SECONDS = 1.0

# smtplib.SMTPException derives from OSError, so these must be tested before the generic case.
_PERMANENT_ERRORS = (
    smtplib.SMTPAuthenticationError,
    smtplib.SMTPNotSupportedError,
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPDataError,
    smtplib.SMTPHeloError,
    ssl.SSLError,  # a TLS mismatch (wrong port or security mode) does not heal by retrying
)
_TRANSIENT_ERRORS = (smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected, OSError)


class DeliveryError(Exception):
    """An email could not be handed to the SMTP server; the message names host:port and the fix."""


def send_message(
    message: EmailMessage,
    smtp_settings: SmtpSettings,
    *,
    attempts: int = DEFAULT_ATTEMPTS,
    backoff_seconds: float = DEFAULT_BACKOFF_SECONDS,
    ssl_context: ssl.SSLContext | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Deliver ``message`` to its To/Cc/Bcc recipients; raise ``DeliveryError`` on failure.

    :param message: a complete message (``email.build_message``).
    :param smtp_settings: ``settings.smtp``.
    :param attempts: connection attempts before giving up (at least 1).
    :param backoff_seconds: wait before the second attempt; doubled before each next one.
    :param ssl_context: TLS settings for ``starttls``/``ssl``; default verifies against the system CAs.

    Example::

        send_message(build_message(rendered, sender=settings.smtp.sender, recipients=["a@b.example"]),
                     settings.smtp)
    """
    where = f"{smtp_settings.host}:{smtp_settings.port}"
    context = ssl_context or ssl.create_default_context()
    for attempt in range(1, max(attempts, 1) + 1):
        try:
            _deliver_once(message, smtp_settings, context)
            return
        except _PERMANENT_ERRORS as exc:
            raise DeliveryError(_permanent_hint(where, exc)) from exc
        except _TRANSIENT_ERRORS as exc:
            if attempt >= attempts:
                raise DeliveryError(
                    f"could not deliver the alert email via SMTP server {where} after {attempt} attempt(s): "
                    f"{type(exc).__name__}: {exc}. Check that the server runs and that smtp.host, "
                    f"smtp.port and smtp.security (STARWATCH_SMTP__HOST/PORT/SECURITY) match it"
                ) from exc
            delay = backoff_seconds * 2 ** (attempt - 1)
            log.warning("SMTP %s attempt %d/%d failed (%s); retrying in %.2fs", where, attempt, attempts, exc, delay)
            sleep(delay)


def _deliver_once(message: EmailMessage, smtp_settings: SmtpSettings, context: ssl.SSLContext) -> None:
    host, port, timeout = smtp_settings.host, smtp_settings.port, smtp_settings.timeout_seconds
    if smtp_settings.security == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        client = smtplib.SMTP(host, port, timeout=timeout)
    with client:
        if smtp_settings.security == "starttls":
            client.starttls(context=context)
        if smtp_settings.username and smtp_settings.password is not None:
            client.login(smtp_settings.username, smtp_settings.password.get_secret_value())
        refused = client.send_message(message)
    if refused:
        # Some recipients were accepted: the alert went out, the rest is a configuration problem.
        log.warning("SMTP %s:%s refused recipients %s", host, port, sorted(refused))


def _permanent_hint(where: str, exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        fix = "check STARWATCH_SMTP__USERNAME and STARWATCH_SMTP__PASSWORD"
    elif isinstance(exc, smtplib.SMTPNotSupportedError):
        fix = "the server lacks this feature: adjust smtp.security (none/starttls/ssl) or unset the SMTP login"
    elif isinstance(exc, ssl.SSLCertVerificationError):
        fix = "the server's certificate does not match smtp.host or is not trusted by this machine"
    elif isinstance(exc, ssl.SSLError):
        fix = "TLS failed: smtp.security must match the port (ssl for 465, starttls for 587, none for a local relay)"
    elif isinstance(exc, (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused)):
        fix = "check the entity's recipients and smtp.sender (STARWATCH_SMTP__SENDER)"
    else:
        fix = "the server refused the message; see its answer above"
    return f"SMTP server {where} refused the alert email: {type(exc).__name__}: {exc}; {fix}"
