"""Review dates as platforms write them → aware UTC datetimes.

Pages say ``2024-03-02``, ``17 octobre 2013``, ``2 weeks ago`` or ``il y a 3 jours``. ISO strings
are read exactly with the standard library; everything else goes to dateparser, first with the
page's language hint alone (so ``05/03/2024`` on a French page is 5 March), then with English and
French together. Dates inside a phrase ("Publiée le 17 octobre 2013", "Date of experience:
March 3, 2024", "Updated 3 days ago") are then searched for with dateparser's ``search_dates``,
keeping only a found date with a number and a word (a month or a unit): a bare "3, 2024" picked
out of an English phrase by a French reading is a misreading, and "en mai" alone too vague. Unparseable strings and dates more than a day in the future give ``None``: a
review cannot be published after it was collected.

``is_relative_date`` tells whether a string depends on when it was read ("2 weeks ago",
"17 octobre" without a year); fingerprints must not use such dates or the id would drift from one
crawl to the next. ``read_review_date`` answers both questions in one reading, for the
normalisation pipeline, which needs both for every review.

dateparser takes milliseconds per string and every review's date is read by validation, by
normalisation and by ``is_relative_date``, while a listing repeats the same few dates. So each
non-ISO string is read against two reference times once; whether it is relative is remembered,
and so is the date of an absolute one ("17 octobre 2013" means the same day whenever it is read).
A relative string is read again each time, against the caller's ``now``. The memory is bounded
(``_FORMS_MAX`` strings per process). No settings are read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import NamedTuple

import dateparser
from dateparser.search import search_dates

FALLBACK_LANGUAGES = ("en", "fr")
FUTURE_TOLERANCE = timedelta(days=1)
_PROBE_OFFSET = timedelta(days=400)
_FORMS_MAX = 4096


class _Form(NamedTuple):
    """What a date string is: relative or not, and whether it reads the same whenever it is read
    (then ``absolute`` is what it reads as, None for a string that is no date at all)."""

    relative: bool
    stable: bool
    absolute: datetime | None


_forms: dict[tuple[str, tuple[str, ...] | None], _Form] = {}


def _as_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def _language_attempts(languages: Iterable[str] | None) -> list[list[str]]:
    hints = [code.split("-")[0].split("_")[0].lower() for code in (languages or []) if code]
    # Each hint alone first, so its day/month order wins; an unknown code only fails its own attempt.
    return [[code] for code in dict.fromkeys(hints)] + [list(FALLBACK_LANGUAGES)]


def _dateparser(text: str, languages: list[str], base: datetime) -> datetime | None:
    settings = {
        "RETURN_AS_TIMEZONE_AWARE": True,
        "TIMEZONE": "UTC",
        "TO_TIMEZONE": "UTC",
        "PREFER_DATES_FROM": "past",
        "RELATIVE_BASE": base,
    }
    try:
        return dateparser.parse(text, languages=languages, settings=settings)
    except ValueError:  # a language code dateparser does not know (e.g. a bogus lang attribute)
        return None


def _search(text: str, languages: list[str], base: datetime) -> datetime | None:
    settings = {"RETURN_AS_TIMEZONE_AWARE": True, "TIMEZONE": "UTC", "TO_TIMEZONE": "UTC",
                "PREFER_DATES_FROM": "past", "PREFER_DAY_OF_MONTH": "first", "RELATIVE_BASE": base}
    try:
        found = search_dates(text, languages=languages, settings=settings) or []
    except ValueError:
        return None
    for phrase, moment in found:
        if _HAS_WORD.search(phrase) and _HAS_DIGIT.search(phrase):
            return moment
    return None


_HAS_WORD = re.compile(r"[^\W\d_]{3,}")
_HAS_DIGIT = re.compile(r"\d")
MAX_DATE_TEXT = 200  # a "date" longer than this is a text block, not worth searching


def _iso(text: str) -> datetime | None:
    try:
        return _as_utc(datetime.fromisoformat(text))
    except ValueError:
        return None


def _parse(text: str, languages: Iterable[str] | None, base: datetime) -> datetime | None:
    iso = _iso(text)
    if iso is not None:
        return iso
    attempts = _language_attempts(languages)
    for attempt in attempts:
        parsed = _dateparser(text, attempt, base)
        if parsed is not None:
            return _as_utc(parsed)
    if len(text) > MAX_DATE_TEXT:
        return None
    for attempt in attempts:
        found = _search(text, attempt, base)
        if found is not None:
            return _as_utc(found)
    return None


def parse_review_date(
    raw: str | datetime | None, languages: Iterable[str] | None = None, *, now: datetime | None = None
) -> datetime | None:
    """Parse a publication date; None when absent, unparseable or in the future.

    :param raw: the date as found on the page (or a datetime already).
    :param languages: language hints, best first (``["fr"]``); English and French are tried after.
    :param now: the reference for relative dates and the future check (default: current time).

    >>> parse_review_date("17 octobre 2013").isoformat()
    '2013-10-17T00:00:00+00:00'
    """
    now = datetime.now(timezone.utc) if now is None else _as_utc(now)
    if raw is None:
        return None
    if isinstance(raw, datetime):
        parsed = _as_utc(raw)
    else:
        text = str(raw).strip()
        parsed = _read(text, languages, now) if text else None
    if parsed is None or parsed > now + FUTURE_TOLERANCE:
        return None
    return parsed


def read_review_date(
    raw: str | datetime | None, languages: Iterable[str] | None = None
) -> tuple[datetime | None, bool]:
    """``(parse_review_date(raw, languages), is_relative_date(raw, languages))`` from one reading.

    Normalisation needs both for every review; reading the string once saves the second ISO
    attempt and memory lookup, which add up over a crawl's thousands of reviews.

    >>> read_review_date("2024-03-02")[0].isoformat(), read_review_date("2024-03-02")[1]
    ('2024-03-02T00:00:00+00:00', False)
    """
    now = datetime.now(timezone.utc)
    if raw is None:
        return None, False
    if isinstance(raw, datetime):
        parsed, relative = _as_utc(raw), False
    else:
        text = str(raw).strip()
        if not text:
            return None, False
        parsed, relative = _iso(text), False
        if parsed is None:
            hints = tuple(languages) if languages is not None else None
            form = _forms.get((text, hints))
            if form is None:
                form, parsed = _learn(text, hints, now)
            else:
                parsed = form.absolute if form.stable else _parse(text, hints, now)
            relative = form.relative
    if parsed is None or parsed > now + FUTURE_TOLERANCE:
        return None, relative
    return parsed, relative


def _read(text: str, languages: Iterable[str] | None, now: datetime) -> datetime | None:
    """``text`` read against ``now``: ISO at once, an absolute date from memory, else dateparser."""
    iso = _iso(text)
    if iso is not None:
        return iso
    hints = tuple(languages) if languages is not None else None
    form = _forms.get((text, hints))
    if form is None:
        return _learn(text, hints, now)[1]
    return form.absolute if form.stable else _parse(text, hints, now)


def _learn(text: str, hints: tuple[str, ...] | None, now: datetime) -> tuple[_Form, datetime | None]:
    """Read ``text`` against ``now`` and 400 days earlier (an absolute date gives the same answer
    both times) and remember what it is; returns that and the date read against ``now``."""
    first = _parse(text, hints, now)
    second = _parse(text, hints, now - _PROBE_OFFSET)
    if len(_forms) >= _FORMS_MAX:
        _forms.clear()  # a crawl's dates repeat within a listing; a fresh start costs one probe each
    form = _forms[(text, hints)] = _Form(first is not None and first != second, first == second, first)
    return form, first


def is_relative_date(raw: str | datetime | None, languages: Iterable[str] | None = None) -> bool:
    """True when the string means a different day depending on when it is read.

    Parses the string against two reference times 400 days apart: an absolute date gives the
    same answer both times.
    """
    if raw is None or isinstance(raw, datetime) or not str(raw).strip():
        return False
    text = str(raw).strip()
    if _iso(text) is not None:
        return False
    hints = tuple(languages) if languages is not None else None
    form = _forms.get((text, hints)) or _learn(text, hints, datetime.now(timezone.utc))[0]
    return form.relative
