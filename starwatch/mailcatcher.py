"""A development mail catcher: a real SMTP server on loopback that saves each message as .eml.

The demo sends its alert emails here so that they can be opened in any mail client, and the
SMTP path the demo exercises is the one production uses (only the server differs).
"""

from __future__ import annotations

import re
import socket
import unicodedata
import threading
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from pathlib import Path


def _slug(subject: str | None) -> str:
    """A file-name-safe, readable form of a subject: "Café: 4,6★ → 2,0★" -> "cafe-4-6-2-0"."""
    ascii_text = unicodedata.normalize("NFKD", subject or "").encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or "message"


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


@dataclass
class MailCatcher:
    """``with MailCatcher(outbox) as catcher:`` listens on ``catcher.port`` until the block ends."""

    outbox: Path
    host: str = "127.0.0.1"
    port: int = 0
    saved: list[Path] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._controller = None

    def __enter__(self) -> "MailCatcher":
        from aiosmtpd.controller import Controller

        self.outbox.mkdir(parents=True, exist_ok=True)
        self.port = self.port or _free_port(self.host)
        self._controller = Controller(_SaveHandler(self), hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._controller:
            self._controller.stop()

    def save(self, content: bytes) -> Path:
        with self._lock:
            number = len(self.saved) + 1
            slug = _slug(BytesParser(policy=policy.default).parsebytes(content, headersonly=True)["Subject"])
            path = self.outbox / f"{number:03d}-{slug}.eml"
            path.write_bytes(content)
            self.saved.append(path)
            return path


class _SaveHandler:
    def __init__(self, catcher: MailCatcher):
        self.catcher = catcher

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        self.catcher.save(envelope.original_content or envelope.content)
        return "250 Message saved"
