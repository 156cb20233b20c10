"""The evaluation split of the benchmarks (pure logic on invented reviews; no dataset text)."""

import sys
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from nlp_datasets import LabelledReview, load_french_calibration, load_french_evaluation, split  # noqa: E402


def text_on_side(prefix: str, held_out: bool) -> str:
    """``prefix`` with a number appended so that the CRC-32 split puts it on the wanted side."""
    for number in range(1000):
        text = f"{prefix} {number}"
        if (zlib.crc32(text.encode()) % 4 == 0) == held_out:
            return text
    raise AssertionError("no suffix found")


def test_a_held_out_body_under_another_title_never_reaches_training():
    body = "The zip broke after two days and the seller never answered."
    held = LabelledReview(text_on_side("Broken zip. " + body, True), 1, "amazon", body=body)
    same_body = LabelledReview(text_on_side("Do not buy. " + body, False), 1, "amazon", body=body)
    other = LabelledReview(text_on_side("Lovely fabric, fits well.", False), 5, "amazon", body="Lovely fabric, fits well.")
    training, held_out = split([held, same_body, other])
    assert held_out == [held]
    assert training == [other]


def test_the_french_calibration_and_evaluation_sets_share_no_review():
    calibration = {r.text for r in load_french_calibration()}
    evaluation = {r.text for r in load_french_evaluation()}
    assert len(calibration) >= 150 and len(evaluation) >= 290
    assert not calibration & evaluation
    assert {r.stars for r in load_french_calibration()} == {1, 2, 3, 4, 5}
