"""Render an alert as an email: Jinja2 templates in the entity's language, text and HTML parts.

Templates live in ``workers/alerts/templates/<language>/<rule_type>.{subject,txt,html}.j2``;
a new rule type or language is a new set of three files, no code. HTML templates are
autoescaped (review texts are written by strangers); subject and text templates are not, and
the subject is forced onto one line before it becomes a header.

Reads no settings: the engine passes the sender (``smtp.sender``), the recipients
(``Entity.recipients``) and the language (``Entity.language``).

Header safety: every header value goes through ``_one_line`` or ``_checked_address``, so a
name or address carrying CR/LF can never add a header (``Bcc:``...) to the message. The
standard library refuses such values too; checking first gives a message that says what to fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

import jinja2

from search.documents import Entity, utcnow
from workers.alerts.formatting import Formatter
from workers.alerts.rules.base import RuleMatch

TEMPLATE_DIR = Path(__file__).parent / "templates"
FALLBACK_MESSAGE_ID_DOMAIN = "starwatch.invalid"


class UnsafeHeaderError(ValueError):
    """A header value (address) is malformed or could inject headers; the message names it."""


@dataclass(frozen=True)
class RenderedEmail:
    """The three rendered parts of one alert, before addressing."""

    subject: str
    text: str
    html: str
    language: str


@lru_cache(maxsize=1)
def template_environment() -> jinja2.Environment:
    """One shared environment: strict (a typo in a template fails loudly), HTML autoescaped."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_alert(
    match: RuleMatch, entity: Entity, explanation: dict[str, Any], *, group_name: str | None = None
) -> RenderedEmail:
    """Render subject, text and HTML for one match in ``entity.language``.

    :param match: what the rule found (its ``rule_type`` selects the templates).
    :param entity: the entity the alert is about; its ``name`` and ``language`` are used.
    :param explanation: template variables from ``RuleType.explain`` (quotes, competitors...).
    :param group_name: display name of the entity's competitor group, if any.

    Example::

        rendered = render_alert(match, settings.entity(match.entity_id), rule.explain(settings, store, match))
    """
    context = {
        **explanation,
        "entity": entity,
        "match": match,
        "group_name": group_name,
        "fmt": Formatter(entity.language),
    }
    environment = template_environment()
    stem = f"{entity.language}/{match.rule_type}"
    return RenderedEmail(
        subject=_one_line(environment.get_template(f"{stem}.subject.j2").render(context)),
        text=environment.get_template(f"{stem}.txt.j2").render(context),
        html=environment.get_template(f"{stem}.html.j2").render(context),
        language=entity.language,
    )


def build_message(
    rendered: RenderedEmail,
    *,
    sender: str,
    recipients: Sequence[str],
    date: datetime | None = None,
    extra_headers: dict[str, str] | None = None,
) -> EmailMessage:
    """A multipart/alternative message (text first, HTML preferred) with Message-ID and Date.

    Raises ``UnsafeHeaderError`` when the sender or a recipient is not a single plain address.
    """
    if not recipients:
        raise UnsafeHeaderError("an alert email needs at least one recipient (set the entity's recipients)")
    from_address = _checked_address(sender, "smtp.sender (STARWATCH_SMTP__SENDER)")
    to_addresses = [_checked_address(r, "the entity's recipients") for r in recipients]
    message = EmailMessage()
    message["Subject"] = _one_line(rendered.subject)
    message["From"] = from_address
    message["To"] = ", ".join(to_addresses)
    message["Date"] = format_datetime(date or utcnow())
    message["Message-ID"] = make_msgid(domain=_domain_of(from_address))
    # RFC 3834: tells mail servers and auto-responders this is machine-sent (no vacation replies).
    message["Auto-Submitted"] = "auto-generated"
    for name, value in (extra_headers or {}).items():
        message[name] = _one_line(value)
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    # Set last: turning the message multipart moves Content-* headers into the first part.
    message["Content-Language"] = rendered.language
    return message


def _one_line(value: str) -> str:
    """Collapse every run of whitespace and control characters (CR, LF, tabs...) into one space."""
    return re.sub(r"[\s\x00-\x1f\x7f]+", " ", value).strip()


def _checked_address(value: str, where: str) -> str:
    if re.search(r"[\r\n\x00]", value):
        raise UnsafeHeaderError(
            f"email address {value!r} from {where} contains a line break; write one plain address per entry"
        )
    _display, address = parseaddr(value)
    if "@" not in address or address.count("@") != 1 or " " in address:
        raise UnsafeHeaderError(f"{value!r} from {where} is not an email address like name@example.com")
    return value.strip()


def _domain_of(address: str) -> str:
    domain = parseaddr(address)[1].rpartition("@")[2].strip()
    return domain or FALLBACK_MESSAGE_ID_DOMAIN
