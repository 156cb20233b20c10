"""Text-only authenticity signals: incentive and solicitation wording, generic praise, mismatch, machine text."""

from __future__ import annotations

import numpy as np
import pytest

from workers.authenticity import flags as F
from workers.authenticity.machine_text import (
    DetectorFileError, MIN_WORDS, default_detector, load_detector, machine_generated_likelihood,
)
from workers.authenticity.text_signals import (
    authenticity_signals_for_text, generic_praise_signal, incentive_signals, mismatch_signal,
)
from workers.authenticity.wording import INCENTIVE_PATTERNS, SOLICITATION_PATTERNS, first_match


@pytest.mark.parametrize("text", [
    "I received this lamp at a discount in exchange for my honest review.",
    "The owner gave us a free dessert for a five star review.",
    "Produit offert par la marque en échange de mon avis.",
    "On m'a offert un bon d'achat contre un avis 5 étoiles.",
])
def test_incentive_wording_in_english_and_french(text):
    assert first_match(text, INCENTIVE_PATTERNS)


@pytest.mark.parametrize("text", [
    "The manager asked us to leave a 5 star review before we paid.",
    "Le serveur nous a demandé de laisser un avis sur Google.",
])
def test_solicitation_wording_in_english_and_french(text):
    assert first_match(text, SOLICITATION_PATTERNS)


@pytest.mark.parametrize("text", [
    "I was not given this for free, I paid full price and still love it.",
    "Got a second coffee for free with my loyalty card.",
    "Five stars for the free refills and the quiet room!",
])
def test_ordinary_or_negated_mentions_of_free_things_are_not_incentives(text):
    assert first_match(text, INCENTIVE_PATTERNS) is None


def test_analysis_flags_are_reused_with_their_name_in_the_reason():
    (signal,) = incentive_signals("Merci pour tout.", ["solicitation:incentive", "integrity:hidden_fees"])
    assert signal.flag == F.INCENTIVIZED
    assert "solicitation:incentive" in signal.reason


def test_fallback_reason_quotes_the_wording():
    (signal,) = incentive_signals("Nice mug. Received it for free to test, thanks!", [])
    assert signal.flag == F.INCENTIVIZED
    assert "\u201cReceived it for free" in signal.reason


@pytest.mark.parametrize("text, rating, expected", [
    ("Great product, love it!", 5, True),
    ("Super, je recommande !", 5, True),
    ("Great product, love it!", 2, False),
    ("Great croissant but the coffee was cold and bitter today.", 5, False),
    ("Perfect.", None, True),
])
def test_short_generic_praise(text, rating, expected):
    assert (generic_praise_signal(text, rating) is not None) is expected


def test_mismatch_uses_the_stars_the_text_reads_as_when_known():
    signal = mismatch_signal(5, sentiment_score=0.1, sentiment_stars=1.6)
    assert signal.flag == F.RATING_TEXT_MISMATCH and "rated 5★" in signal.reason and "1.6★" in signal.reason
    assert mismatch_signal(1, sentiment_score=0.8) is not None
    assert mismatch_signal(4, sentiment_score=0.8) is None
    assert mismatch_signal(None, sentiment_score=-0.9) is None
    assert mismatch_signal(5, sentiment_score=None) is None


def test_machine_likelihood_only_for_english_texts_long_enough():
    english = "We bought this kettle last spring and it still boils water quickly without any strange smell."
    assert 0.0 <= machine_generated_likelihood(english, "en") <= 1.0
    assert machine_generated_likelihood("Bouilloire rapide et silencieuse, très contente de cet achat.", "fr") is None
    assert machine_generated_likelihood(" ".join(["word"] * (MIN_WORDS - 1)), "en") is None


def test_detector_ships_with_its_provenance_and_loads_offline():
    detector = default_detector()
    assert detector.metadata["held_out_accuracy"] >= 0.9
    assert "Salminen" in detector.metadata["trained_on"]
    assert detector.weights.dtype == np.int8


def test_damaged_detector_file_says_how_to_rebuild(tmp_path):
    broken = tmp_path / "detector.npz"
    broken.write_bytes(b"not a numpy archive")
    with pytest.raises(DetectorFileError, match="authenticity_train_detector.py --save"):
        load_detector(broken)


def test_detector_round_trips_through_its_file(tmp_path):
    path = tmp_path / "copy.npz"
    default_detector().save(path)
    text = "This blender is powerful enough for ice and the jug is easy to clean after smoothies."
    assert load_detector(path).probability(text) == pytest.approx(default_detector().probability(text))


def test_signals_for_a_text_alone_give_flags_with_reasons():
    signals = authenticity_signals_for_text(
        "Got this at a discount in exchange for my honest review. Terrible, broke after one day.", rating=5)
    by_flag = {signal.flag: signal.reason for signal in signals}
    assert F.INCENTIVIZED in by_flag
    assert all(reason for reason in by_flag.values())
