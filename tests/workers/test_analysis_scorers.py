"""Choosing the scorer from settings, and the Hugging Face label mapping (pure logic; no model)."""

import pytest

from config.settings import ConfigError, load_settings
from workers.analysis.hf_scorer import HuggingFaceScorer, label_to_stars, result_from_label_scores
from workers.analysis.scorers import build_scorer
from workers.analysis.sentiment import LexiconSentimentScorer
from workers.analysis.star_scorer import StarModelScorer


def settings_with(tmp_path, yaml_text):
    path = tmp_path / "starwatch.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    return load_settings(path)


def test_the_default_is_the_trained_star_model(tmp_path):
    assert isinstance(build_scorer(settings_with(tmp_path, "{}\n").analysis), StarModelScorer)


def test_lexicon_can_be_chosen(tmp_path):
    analysis = settings_with(tmp_path, "analysis:\n  sentiment_model: lexicon\n").analysis
    assert isinstance(build_scorer(analysis), LexiconSentimentScorer)


def test_huggingface_needs_a_model_name(tmp_path):
    analysis = settings_with(tmp_path, "analysis:\n  sentiment_model: huggingface\n").analysis
    with pytest.raises(ConfigError, match="huggingface_model"):
        build_scorer(analysis)


def test_huggingface_scorer_loads_nothing_until_used(tmp_path):
    analysis = settings_with(tmp_path, "analysis:\n  sentiment_model: huggingface\n  huggingface_model: some/model\n").analysis
    scorer = build_scorer(analysis)
    assert isinstance(scorer, HuggingFaceScorer) and scorer._pipeline is None
    assert scorer.score("", "en") is None


def test_a_missing_star_model_file_is_a_config_error(tmp_path):
    analysis = settings_with(tmp_path, f"analysis:\n  star_model_path: {tmp_path / 'none.npz'}\n").analysis
    with pytest.raises(ConfigError, match="star_model_path"):
        build_scorer(analysis)


@pytest.mark.parametrize(("label", "stars"), [
    ("1 star", 1), ("5 stars", 5), ("LABEL_2", 3), ("POSITIVE", 5), ("negative", 1), ("Neutral", 3),
])
def test_model_labels_become_stars(label, stars):
    assert label_to_stars(label) == stars


def test_an_unreadable_label_says_which_models_fit():
    with pytest.raises(ValueError, match="LABEL_0"):
        label_to_stars("joy")


def test_label_probabilities_give_graded_stars():
    result = result_from_label_scores([{"label": "POSITIVE", "score": 0.75}, {"label": "NEGATIVE", "score": 0.25}])
    assert result.stars == 4.0 and result.label == "positive" and result.score == 0.5
