"""Turn ratings as platforms display them into one 0–5 scale, keeping what was displayed.

Platforms write ratings as ``4``, ``4.5``, ``"4,5"``, ``"4.5/5"``, ``"9/10"`` or ``"80 %"``, as
star glyphs (``"★★★★☆"``) or as the words of an ``aria-label`` (``"Rated 4.4 out of 5 stars"``,
``"Note : 4,5 sur 5 étoiles"``), with optional schema.org ``bestRating``/``worstRating``. Without ``bestRating`` the scale tops out at 5,
as schema.org specifies. Values are rescaled proportionally (``value / best * 5``) so that "3 on a
1–5 scale" stays 3 stars; only scales with a negative ``worstRating`` are mapped linearly.

Impossible ratings raise ``RatingError`` whose ``reason`` is a short code used in crawl stats
(``starwatch/dropped/rating_<reason>``). No settings are read.
"""

from __future__ import annotations

import functools
import math
import re
from typing import NamedTuple

TARGET_BEST = 5.0
DEFAULT_BEST = 5.0  # schema.org's default bestRating

_NUMBER = r"[+-]?\d+(?:[.,]\d+)?"
_FRACTION = re.compile(rf"^({_NUMBER})\s*(?:/|out of|of|sur)\s*({_NUMBER})$", re.IGNORECASE)
# Words around a rating in aria-labels and visible text, removed before reading the numbers.
_LEAD_WORDS = re.compile(
    r"^(?:rated|rating|note|not[ée]e?|[ée]valuation|score)\s*:?\s*", re.IGNORECASE
)
_TRAIL_WORDS = re.compile(r"\s*(?:stars?|[ée]toiles?|points?)\.?$", re.IGNORECASE)
_FULL_STARS, _HALF_STARS, _EMPTY_STARS = "★⭐✭✮", "⯨⯪", "☆✩"
_GLYPHS = re.compile(rf"^[{_FULL_STARS}{_HALF_STARS}{_EMPTY_STARS}\s]+$")
_PERCENT = re.compile(rf"^({_NUMBER})\s*%$")
_PLAIN = re.compile(rf"^{_NUMBER}$")
_COUNT = re.compile(r"^\d{1,3}(?:[ ,.\u00a0\u202f]\d{3})+$|^\d+$")


class RatingError(ValueError):
    """A rating that cannot be a real rating; ``reason`` is a stats-friendly code."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class ParsedRating(NamedTuple):
    """``value`` on 0–5; ``original``, ``best`` and ``worst`` as the platform displayed them."""

    value: float
    original: float
    best: float
    worst: float | None


def _to_number(raw: object, what: str) -> float:
    if isinstance(raw, bool):
        raise RatingError("not_a_number", f"{what} {raw!r} is a boolean, expected a number")
    if isinstance(raw, (int, float)):
        number = float(raw)
    else:
        text = str(raw).strip()
        if not _PLAIN.match(text):
            raise RatingError("not_a_number", f"{what} {raw!r} is not a number")
        number = float(text.replace(",", "."))
    if not math.isfinite(number):
        raise RatingError("not_finite", f"{what} {raw!r} is not a finite number")
    return number


def _split_scale(raw: object) -> tuple[float, float | None, float | None]:
    """The number, plus a best/worst implied by the notation ("9/10", "80 %"), if any."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise RatingError("missing", "no rating value")
    if isinstance(raw, str):
        text = _TRAIL_WORDS.sub("", _LEAD_WORDS.sub("", raw.strip()))
        if _GLYPHS.match(text):
            return _glyph_rating(text)
        if match := _FRACTION.match(text):
            return _to_number(match[1], "rating"), _to_number(match[2], "scale"), None
        if match := _PERCENT.match(text):
            return _to_number(match[1], "rating"), 100.0, 0.0
        if _PLAIN.match(text):
            return _to_number(text, "rating"), None, None
    return _to_number(raw, "rating"), None, None


def _glyph_rating(text: str) -> tuple[float, float | None, float | None]:
    """"★★★★☆" is 4 of 5; "★★★⯪☆" 3.5 of 5; filled stars alone are out of 5."""
    full = sum(text.count(glyph) for glyph in _FULL_STARS)
    half = sum(text.count(glyph) for glyph in _HALF_STARS)
    empty = sum(text.count(glyph) for glyph in _EMPTY_STARS)
    total = full + half + empty
    return full + 0.5 * half, (float(total) if empty or half else None), None


def _agree(found: float | None, declared: object, what: str) -> float | None:
    if declared is None or (isinstance(declared, str) and not declared.strip()):
        return found
    declared_number = _to_number(declared, what)
    if found is not None and not math.isclose(found, declared_number):
        raise RatingError("scale_mismatch", f"rating says {what} {found:g} but {what} is {declared_number:g}")
    return declared_number


def parse_rating(raw: object, best: object = None, worst: object = None) -> ParsedRating:
    """Parse one rating as found on a page; raise ``RatingError`` when it cannot be real.

    :param raw: the rating value as found (number or string such as ``"4,5"`` or ``"9/10"``).
    :param best: schema.org ``bestRating`` when the page gives one.
    :param worst: schema.org ``worstRating`` when the page gives one.

    Results are memoised: a crawl sees the same few ratings ("4", "4,5", 5) over and over, and
    both validation and normalisation read each one. Errors are not memoised (raised every time).

    >>> parse_rating("9/10")
    ParsedRating(value=4.5, original=9.0, best=10.0, worst=None)
    """
    try:
        return _parse_rating_memoised(raw, best, worst)
    except TypeError:  # an unhashable value (a list or dict from odd markup): parse it uncached
        return _parse_rating(raw, best, worst)


@functools.lru_cache(maxsize=4096, typed=True)  # typed: 5, 5.0 and True stay distinct keys
def _parse_rating_memoised(raw: object, best: object, worst: object) -> ParsedRating:
    return _parse_rating(raw, best, worst)


def _parse_rating(raw: object, best: object = None, worst: object = None) -> ParsedRating:
    value, implied_best, implied_worst = _split_scale(raw)
    best_number = _agree(implied_best, best, "bestRating")
    if best_number is None:
        best_number = DEFAULT_BEST
    worst_number = _agree(implied_worst, worst, "worstRating")
    if best_number <= 0 or (worst_number is not None and worst_number >= best_number):
        lowest = "?" if worst_number is None else f"{worst_number:g}"
        raise RatingError("bad_scale", f"scale {lowest}..{best_number:g} is not a usable rating scale")
    if value < 0 and (worst_number is None or worst_number >= 0):
        raise RatingError("negative", f"rating {value:g} is below zero")
    if worst_number is not None and value < worst_number:
        raise RatingError("below_worst", f"rating {value:g} is below worstRating {worst_number:g}")
    if value > best_number:
        raise RatingError("above_best", f"rating {value:g} is above the best possible {best_number:g}")
    if worst_number is not None and worst_number < 0:
        scaled = (value - worst_number) / (best_number - worst_number) * TARGET_BEST
    else:
        scaled = value / best_number * TARGET_BEST
    return ParsedRating(round(scaled, 4), value, best_number, worst_number)


def parse_count(raw: object) -> int | None:
    """A review or rating count (``12``, ``"1 234"``, ``"1,234"``); None when absent.

    Raises ``RatingError("not_a_count")`` for anything that is not a whole, non-negative number.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raise RatingError("not_a_count", f"count {raw!r} is a boolean")
    if isinstance(raw, (int, float)):
        if not math.isfinite(raw) or raw < 0 or raw != int(raw):
            raise RatingError("not_a_count", f"count {raw!r} is not a whole non-negative number")
        return int(raw)
    text = str(raw).strip()
    if not _COUNT.match(text):
        raise RatingError("not_a_count", f"count {raw!r} is not a whole non-negative number")
    return int(re.sub(r"\D", "", text))
