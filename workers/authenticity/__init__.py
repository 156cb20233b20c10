"""Authenticity: ReviewMeta-grade tests on third-party reviews, for self and competitors.

Plain modules, no Celery imports. Entry points:

- ``assess.assess_entity(settings, store, entity_id, now=None)`` / ``assess.assess_entities``:
  the whole stage — per-review signals with reasons, campaigns, weights, report cards — written
  to the store (flags ``authenticity:*`` and ``campaign:*``, ``authenticity_reasons``,
  ``authenticity_weight``, cards and campaigns);
- ``text_signals.authenticity_signals_for_text(text, rating=None)``: the signals a text gives on
  its own (incentive or solicitation wording, short generic praise, rating–text mismatch,
  machine-generated likelihood), for ``starwatch analyze``;
- ``machine_text.machine_generated_likelihood(text, language)``: the detector alone.

Where each part lives: ``flags`` (names and weight factors), ``text_signals`` and ``wording``,
``machine_text`` (+ ``models/``), ``duplicates`` (MinHash/LSH), ``arrivals`` (high-volume days,
gated streams), ``reviewers`` (author histories), ``review_signals`` (all per-review signals),
``campaigns`` and ``campaign_evidence``, ``weighting`` (weights, adjusted rating),
``card_support``, ``card_tests_stream``, ``card_tests_people``, ``deletions`` and
``report_card`` (the card), ``assess`` (the orchestration).
"""

from workers.authenticity.flags import Signal
from workers.authenticity.text_signals import authenticity_signals_for_text

__all__ = ["Signal", "authenticity_signals_for_text"]
