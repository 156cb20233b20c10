"""Language-aware formatting of numbers, ratings, dates and quotes for alert emails.

Templates receive a ``Formatter`` as ``fmt`` so the English and French templates stay free of
arithmetic: ``{{ fmt.stars(4.4) }}`` is ``4.4★`` in English and ``4,4★`` in French. Reads no
settings; the language comes from ``Entity.language``.

Only two languages exist (``Entity.language`` is ``en`` or ``fr``), so the month names are a
small table here rather than a locale database dependency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

_MONTHS = {
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
    "fr": ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."],
}
_DECIMAL_SEPARATOR = {"en": ".", "fr": ","}
MINUS = "\u2212"  # a real minus sign: "−0.5" reads better than "-0.5" in a subject line
STAR = "\u2605"


@dataclass(frozen=True)
class RatingChange:
    """Old and new averages and their difference, as displayed (they always add up).

    ``drop`` carries the minus sign (for subjects), ``amount`` does not (for sentences).
    """

    old: str
    new: str
    drop: str
    amount: str


class Formatter:
    """Formats values for one language (``en`` or ``fr``).

    >>> Formatter("fr").stars(4.4)
    '4,4★'
    """

    def __init__(self, language: str) -> None:
        if language not in _MONTHS:
            raise ValueError(f"no alert formatting for language {language!r}; use one of {sorted(_MONTHS)}")
        self.language = language

    def number(self, value: float, digits: int = 1) -> str:
        return f"{value:.{digits}f}".replace(".", _DECIMAL_SEPARATOR[self.language])

    def stars(self, value: float | None, digits: int = 1) -> str:
        if value is None:
            return "–"
        return self.number(value, digits) + STAR

    def review_stars(self, rating: float | None) -> str:
        """A single review's rating: ``2★`` for whole stars, ``2.5★`` otherwise."""
        if rating is None:
            return "–"
        return self.stars(rating, 0 if float(rating).is_integer() else 1)

    def rating_change(self, old: float, new: float) -> RatingChange:
        """Round both averages, then subtract the rounded values.

        Rounding each figure on its own can print "4.4★ → 3.9★ (−0.6)" for 4.44 → 3.86; the
        reader checks the sum, so the drop is computed from what is shown. When one decimal
        hides the change, two are used.
        """
        digits = 1 if round(old, 1) != round(new, 1) else 2
        shown_old, shown_new = round(old, digits), round(new, digits)
        amount = self.number(abs(shown_old - shown_new), digits)
        return RatingChange(
            old=self.stars(shown_old, digits),
            new=self.stars(shown_new, digits),
            drop=MINUS + amount,
            amount=amount,
        )

    def signed(self, value: float, digits: int = 2) -> str:
        """A sentiment or gap with its sign: ``+0.45`` / ``−0,20``."""
        text = self.number(abs(value), digits)
        return ("+" if value >= 0 else MINUS) + text

    def percent(self, value: float, digits: int = 0) -> str:
        return self.number(value, digits) + (" %" if self.language == "fr" else "%")

    def ratio(self, value: float) -> str:
        return "×" + self.number(value, 1)

    def hours(self, hours: float) -> str:
        """``24 hours`` / ``3 days`` (French: ``24 heures`` / ``3 jours``)."""
        if hours >= 48 and hours % 24 == 0:
            count, unit = int(hours // 24), ("day", "days") if self.language == "en" else ("jour", "jours")
        else:
            count = int(hours) if float(hours).is_integer() else hours
            unit = ("hour", "hours") if self.language == "en" else ("heure", "heures")
        return f"{count} {unit[0] if count == 1 else unit[1]}"

    def date(self, moment: datetime | None) -> str:
        if moment is None:
            return "–"
        return f"{moment.day} {_MONTHS[self.language][moment.month - 1]} {moment.year}"

    def period(self, start: datetime, end: datetime) -> str:
        return f"{self.date(start)} – {self.date(end)}"

    def when(self, moment: datetime | None) -> str:
        """``12 Mar 2024, 10:00 UTC``: alert times are always shown in UTC, and say so."""
        if moment is None:
            return "–"
        return f"{self.date(moment)}, {moment:%H:%M} UTC"

    def short_date(self, moment: datetime) -> str:
        """``12 Mar`` / ``12 mars``: chart labels."""
        return f"{moment.day} {_MONTHS[self.language][moment.month - 1]}"

    @staticmethod
    def quote(text: str | None, limit: int = 160) -> str:
        """One line of at most ``limit`` characters, cut at a word boundary with an ellipsis."""
        flat = re.sub(r"\s+", " ", text or "").strip()
        if len(flat) <= limit:
            return flat
        cut = flat[: limit - 1]
        if " " in cut[limit // 2 :]:
            cut = cut[: cut.rfind(" ")]
        return cut.rstrip(" ,.;:!?") + "…"
