"""Signals one review's text and rating give on their own, without looking at any other review.

- incentive or solicitation wording: the analysis stage's ``solicitation:*`` flags when the
  review has them, else starwatch's minimal fallback patterns (``wording``);
- very short generic praise;
- rating–text mismatch: 5★ with a text that reads negative, 1★ with a glowing one, from the
  review's sentiment fields (``sentiment_stars`` when the analysis gave one, else the score);
- the likelihood that the text was machine-generated (``machine_text``, English only).

``authenticity_signals_for_text(text, rating)`` is the entry point for ``starwatch analyze``:
it runs the analysis stage for the language, sentiment and solicitation flags first.
Reads no settings.
"""

from __future__ import annotations

from typing import Sequence

from search.documents import Review
from workers.authenticity import flags as F
from workers.authenticity.flags import Signal
from workers.authenticity.machine_text import machine_generated_likelihood
from workers.authenticity.wording import (
    INCENTIVE_PATTERNS, SOLICITATION_PATTERNS, first_match, is_short_generic_praise, words_of,
)

MACHINE_THRESHOLD = 0.8  # held-out: 77 % of GPT-2 fakes, 1.3 % of originals; 0.4 % of real Yelp reviews
INCENTIVE_FLAGS = ("solicitation:incentive",)
SOLICITATION_FLAGS = ("solicitation:asked_for_rating", "solicitation:pressure")
HIGH_RATING, LOW_RATING = 4.0, 2.0


def incentive_signals(text: str, analysis_flags: Sequence[str]) -> list[Signal]:
    """Incentivized / solicited, from the analysis flags first, else the fallback patterns."""
    found = []
    for flag, known, patterns, what in (
        (F.INCENTIVIZED, INCENTIVE_FLAGS, INCENTIVE_PATTERNS, "admits receiving an incentive for the review"),
        (F.SOLICITED, SOLICITATION_FLAGS, SOLICITATION_PATTERNS, "says the review was asked for"),
    ):
        matched_flags = [f for f in analysis_flags if f in known]
        if matched_flags:
            found.append(Signal(flag, f"{what} (analysis flag {', '.join(matched_flags)})",
                                {"analysis_flags": matched_flags}))
            continue
        wording = first_match(text, patterns)
        if wording:
            found.append(Signal(flag, f"{what}: \u201c{wording.strip()}\u201d", {"wording": wording.strip()}))
    return found


def generic_praise_signal(text: str, rating: float | None) -> Signal | None:
    if rating is not None and rating < HIGH_RATING or not is_short_generic_praise(text):
        return None
    count = len(words_of(text))
    return Signal(F.SHORT_GENERIC_PRAISE, f"very short generic praise ({count} words, nothing specific)",
                  {"words": count})


def mismatch_signal(rating: float | None, sentiment_score: float | None,
                    sentiment_stars: float | None = None) -> Signal | None:
    """5★ (or 4★) with a negative text, 1★ (or 2★) with a glowing one."""
    if rating is None or (sentiment_score is None and sentiment_stars is None):
        return None
    if sentiment_stars is not None:
        reads_negative, reads_positive = sentiment_stars <= 2.0, sentiment_stars >= 4.0
        reads = f"reads like {sentiment_stars:.1f}★"
    else:
        reads_negative, reads_positive = sentiment_score <= -0.4, sentiment_score >= 0.5
        reads = f"sentiment {sentiment_score:+.2f}"
    if rating >= HIGH_RATING and reads_negative:
        reason = f"rated {rating:g}★ but the text reads negative ({reads})"
    elif rating <= LOW_RATING and reads_positive:
        reason = f"rated {rating:g}★ but the text reads positive ({reads})"
    else:
        return None
    return Signal(F.RATING_TEXT_MISMATCH, reason,
                  {"rating": rating, "sentiment_score": sentiment_score, "sentiment_stars": sentiment_stars})


def machine_signal(text: str, language: str | None) -> tuple[Signal | None, float | None]:
    """(signal when likely, the likelihood or None when the detector cannot judge this text)."""
    likelihood = machine_generated_likelihood(text, language)
    if likelihood is None or likelihood < MACHINE_THRESHOLD:
        return None, likelihood
    reason = (f"{likelihood:.0%} likely machine-generated (detector trained on GPT-2 product-review fakes: "
              "indicative only; it wrongly flags about 1 % of real English reviews)")
    return Signal(F.MACHINE_GENERATED, reason, {"likelihood": round(likelihood, 3)}), likelihood


def review_text(review: Review) -> str:
    return " ".join(part for part in (review.title, review.text) if part)


def text_signals_for_review(review: Review) -> tuple[list[Signal], float | None]:
    """Every text-only signal of a stored review, and its machine-generated likelihood (None: not judged).

    Its sentiment and solicitation flags come from the analysis stage, stored on the review.
    """
    text = review_text(review)
    found = incentive_signals(text, review.flags)
    machine, likelihood = machine_signal(review.text or "", review.language)
    for signal in (generic_praise_signal(review.text or review.title or "", review.rating),
                   mismatch_signal(review.rating, review.sentiment_score, getattr(review, "sentiment_stars", None)),
                   machine):
        if signal is not None:
            found.append(signal)
    return found, likelihood


def authenticity_signals_for_text(text: str, rating: float | None = None) -> list[Signal]:
    """The per-text authenticity signals of a text alone (no other review is consulted).

    Runs the analysis stage (``workers.analysis.analyze``) for the language, the sentiment and the
    solicitation flags, then the checks above. Signals that need other reviews (duplicates,
    high-volume days, reviewer history, campaigns) come only from ``assess.assess_entity``.

    :param text: the review text (a title may be prepended).
    :param rating: its rating on the 0–5 scale, if known (enables the rating–text mismatch).

    Example::

        for signal in authenticity_signals_for_text("Got it free in exchange for my honest review. Love it!", 5):
            print(signal.flag, "-", signal.reason)
    """
    from workers.analysis import analyze  # the previous stage; imported here to keep this module light

    analysis = analyze(text)
    found = incentive_signals(text, getattr(analysis, "flags", []))
    stars = getattr(analysis, "sentiment_stars", None)
    for signal in (generic_praise_signal(text, rating), mismatch_signal(rating, analysis.sentiment_score, stars),
                   machine_signal(text, analysis.language)[0]):
        if signal is not None:
            found.append(signal)
    return found
