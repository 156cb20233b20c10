"""Language detection: confident guesses on real sentences, ``None`` where guessing would lie."""

import pytest

from workers.analysis.language import detect_language, guess_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Le plat était froid et le serveur franchement désagréable.", "fr"),
        ("Une adresse que nous gardons précieusement, merci à toute l'équipe !", "fr"),
        ("The breakfast was cold and nobody answered the phone at the front desk.", "en"),
        ("Friendly staff, spotless rooms and a very quiet street. We will be back.", "en"),
    ],
)
def test_detects_french_and_english_sentences(text, expected):
    assert detect_language(text) == expected


@pytest.mark.parametrize("text", ["", "   ", None, "👍👍🔥", "ok", "5/5 !!!", "12345"])
def test_too_little_text_is_unknown(text):
    assert detect_language(text) is None
    assert guess_language(text) is None


def test_short_ambiguous_text_is_unknown_rather_than_a_wrong_guess():
    # py3langid's best guess for "Très bon" is not French; an unsure guess must not be stored.
    assert detect_language("Très bon") is None
    assert guess_language("Très bon").confidence < 0.5


def test_markup_does_not_vote():
    html = "<div class='review'><p>Le service était <b>lent</b> mais le dessert délicieux.</p></div>"
    assert detect_language(html) == "fr"


def test_very_long_text_is_detected_from_its_beginning():
    text = "Nous avons passé une soirée agréable dans ce petit restaurant du quartier. " * 1500
    assert len(text) > 100_000
    assert detect_language(text) == "fr"


def test_mixed_languages_give_one_of_them():
    text = "The food was great, mais le service était vraiment très lent ce soir-là."
    assert detect_language(text) in {"fr", "en", None}
    guess = guess_language(text)
    assert guess is not None and guess.language in {"fr", "en"}
