"""The trained star model: stars, score and label on invented reviews, batching, bad model files."""

import numpy as np
import pytest

from workers.analysis.star_model import DEFAULT_MODEL_PATH, Head, ModelFileError, StarModel
from workers.analysis.star_scorer import StarModelScorer


@pytest.fixture(scope="module")
def scorer():
    return StarModelScorer()


@pytest.mark.parametrize(("better", "worse", "language"), [
    ("Wonderful little cafe, the best cappuccino I have had in years. Friendly staff, we will be back!",
     "Cold coffee, rude barista and a dirty table. Never again.", "en"),
    ("Accueil chaleureux, pâtisseries délicieuses, je recommande vivement !",
     "Serveur désagréable, café froid et tables sales. À fuir.", "fr"),
])
def test_a_glowing_review_gets_more_stars_than_a_damning_one(scorer, better, worse, language):
    good, bad = scorer.score_batch([better, worse], [language, language])
    assert good.label == "positive" and bad.label == "negative"
    assert 1 <= bad.stars < 3 < 3.5 < good.stars <= 5


def test_score_sign_follows_the_stars(scorer):
    results = scorer.score_batch(["Okay I guess.", "Pretty good overall.", "Terrible."], ["en"] * 3)
    for result in results:
        assert result.score == pytest.approx((result.stars - 3) / 2, abs=0.01)


def test_batch_gives_the_same_results_as_one_at_a_time(scorer):
    texts = ["Great value, quick delivery.", "Livraison en retard et colis abîmé.", "", "Lovely."]
    languages = ["en", "fr", "en", "en"]
    assert scorer.score_batch(texts, languages) == [scorer.score(t, lang) for t, lang in zip(texts, languages)]


def test_unscorable_texts_give_none_with_a_reason(scorer):
    assert scorer.score("🙂🙂", "en") is None
    assert "no words" in scorer.unscorable_reason("🙂🙂", "en")
    assert scorer.score("Sehr gut, danke.", "de") is None


def test_the_shipped_model_says_how_it_was_made():
    model = StarModel.load(DEFAULT_MODEL_PATH)
    assert model.ngram_languages == {"en"}
    assert model.metadata["script"] == "benchmarks/nlp_train_star_model.py"
    assert model.metadata["french_head"]["file"] == "benchmarks/data/french_calibration.jsonl"
    assert model.stars_from in ("expected", "latent")
    for head in (model.full, model.lexicon_only, *model.language_heads.values()):
        assert np.all(np.diff(head.thresholds) > 0)


def test_french_has_its_own_head_and_other_lexicon_languages_share_one():
    model = StarModel.load(DEFAULT_MODEL_PATH)
    assert model.head_for("en") is model.full
    assert model.head_for("fr") is model.language_heads["fr"]
    assert model.head_for("de") is model.lexicon_only


def test_latent_stars_run_from_1_to_5_through_the_thresholds():
    head = Head(None, np.zeros(1), np.array([-3.0, -1.0, 0.0, 2.0]))
    assert head.latent_stars(np.array([-1.0, -0.5, 2.0])) == pytest.approx([2.5, 3.0, 4.5])
    latents = np.linspace(-20, 20, 401)
    stars = head.latent_stars(latents)
    assert np.all(np.diff(stars) >= 0) and stars.min() == 1.0 and stars.max() == 5.0
    # Rounded, the position is the most likely star's median: the star whose interval holds the latent.
    assert np.round(head.latent_stars(np.array([-4.0, -2.0, -0.5, 1.0, 3.0]))).tolist() == [1, 2, 3, 4, 5]


def test_both_ways_of_reading_stars_keep_the_order_of_texts():
    head = StarModel.load(DEFAULT_MODEL_PATH).full
    latents = np.linspace(-6, 6, 25)
    for stars_from in ("expected", "latent"):
        stars = head.stars(latents, stars_from)
        inside = (stars > 1) & (stars < 5)
        assert np.all(np.diff(stars) >= 0) and np.all(np.diff(stars[inside]) > 0)


def test_a_missing_or_foreign_model_file_says_how_to_fix_it(tmp_path):
    with pytest.raises(ModelFileError, match="not found"):
        StarModel.load(tmp_path / "nothing.npz")
    wrong = tmp_path / "wrong.npz"
    np.savez(wrong, metadata=np.array('{"ngram_languages": ["en"]}'), ngram_weights=np.zeros(10))
    with pytest.raises(ModelFileError, match="retrain"):
        StarModel.load(wrong)
    shipped = dict(np.load(DEFAULT_MODEL_PATH, allow_pickle=False))
    no_french = tmp_path / "no_french.npz"
    np.savez(no_french, **{name: array for name, array in shipped.items() if not name.endswith("_fr")})
    with pytest.raises(ModelFileError, match="lexicon_dense_weights_fr.*retrain"):
        StarModel.load(no_french)
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"not a zip")
    with pytest.raises(ModelFileError, match="not a starwatch star model"):
        StarModel.load(garbage)
