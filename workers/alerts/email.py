"""Render an alert as an email: Jinja2 templates in the entity's language, text and HTML parts.

Templates live in ``workers/alerts/templates/<language>/``: ``rules.j2`` holds the wording of every
rule type (subject, lead sentence, figures, footer) and ``alert``, ``resolved``, ``digest`` and
``overflow`` are sets of three files (``.subject``, ``.txt``, ``.html``). A new language is a new
folder, no code. HTML templates are
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
from urllib.parse import urlencode
from typing import Any, Sequence

import jinja2

from search.documents import Entity, Incident, utcnow
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


def render_set(name: str, language: str, context: dict[str, Any]) -> RenderedEmail:
    """Render ``<language>/<name>.{subject,txt,html}.j2``; the subject is forced onto one line."""
    environment = template_environment()
    context = {**context, "fmt": Formatter(language), "language": language}
    subject = _one_line(environment.get_template(f"{language}/{name}.subject.j2").render(context))
    context["subject"] = subject
    return RenderedEmail(
        subject=subject,
        text=environment.get_template(f"{language}/{name}.txt.j2").render(context),
        html=environment.get_template(f"{language}/{name}.html.j2").render(context),
        language=language,
    )


def render_alert(
    match: RuleMatch,
    entity: Entity,
    explanation: dict[str, Any],
    *,
    group_name: str | None = None,
    event: str = "opened",
    role: str = "self",
    language: str | None = None,
    incident: Incident | None = None,
    new_evidence: Sequence[str] = (),
    search_url: str | None = None,
) -> RenderedEmail:
    """Render subject, text and HTML for one alert event in ``language`` (default ``entity.language``).

    :param match: what the rule found (its ``rule_type`` selects the wording in ``rules.j2``).
    :param entity: the entity the alert is about; its ``name`` and ``language`` are used.
    :param explanation: template variables from ``RuleType.explain`` (quotes, competitors...).
    :param group_name: display name of the entity's competitor group, if any.
    :param event: ``opened``, ``update`` (new reviews on an open incident) or ``reminder``.
    :param role: ``self``, ``competitor`` (a rival's team is told) or ``operator``.
    :param new_evidence: for updates, the review ids not reported before (only those are quoted).

    Example::

        rendered = render_alert(match, settings.entity(match.entity_id), rule.explain(settings, store, match))
    """
    quoted = list(explanation.get("reviews", explanation.get("lowest_rated", [])))
    new_reviews = [r for r in getattr(match, "reviews", ()) if r.review_id in set(new_evidence)]
    if event == "update":
        quoted = new_reviews[:len(quoted) or 5]
    recent_window = getattr(match, "recent_window", None)
    context = {
        "chart": None, "aspects": [], "authenticity": [], "competitors": [], "source_urls": {},
        **explanation,
        "quoted": quoted, "new_reviews": new_reviews, "entity": entity, "match": match, "group_name": group_name,
        "event": event, "role": role, "incident": incident, "search_url": search_url,
        "competitor_days": round(recent_window.days) if recent_window else None,
    }
    return render_set("alert", language or entity.language, context)


def render_headline(match: RuleMatch, entity: Entity, language: str, role: str = "self") -> str:
    """The one-line headline of a match (its "opened" subject), kept on the incident for later emails."""
    context = {"match": match, "entity": entity, "event": "opened", "role": role, "new_reviews": [],
               "fmt": Formatter(language)}
    return _one_line(template_environment().get_template(f"{language}/alert.subject.j2").render(context))


def search_link(base_url: str | None, entity_id: str, since: datetime | None = None) -> str | None:
    """A link to the entity's reviews in the search UI at ``alerts.search_base_url`` (None when unset)."""
    if not base_url:
        return None
    query = {"entity": entity_id, **({"since": since.date().isoformat()} if since else {})}
    return f"{base_url}{'&' if '?' in base_url else '?'}{urlencode(query)}"


def build_message(
    rendered: RenderedEmail,
    *,
    sender: str,
    recipients: Sequence[str],
    date: datetime | None = None,
    extra_headers: dict[str, str] | None = None,
    message_id: str | None = None,
) -> EmailMessage:
    """A multipart/alternative message (text first, HTML preferred) with Message-ID and Date.

    ``message_id``: a fixed Message-ID (the delivery log derives one per delivery, so a resend after
    a crash carries the same id and mail clients can fold the duplicate); default a fresh one.
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
    message["Message-ID"] = _one_line(message_id) if message_id else make_msgid(domain=_domain_of(from_address))
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
