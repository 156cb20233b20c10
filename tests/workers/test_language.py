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


BATCH_TEXTS = [
    "Le plat était froid et le serveur franchement désagréable.",
    "Friendly staff, spotless rooms and a very quiet street. We will be back.",
    "Das Essen war ausgezeichnet und die Bedienung sehr freundlich.",
    "La comida estaba fría y el camarero fue muy antipático.",
    "Il cibo era ottimo ma il servizio lentissimo.",
    "Обслуживание было ужасным, больше не придём.",
    "サービスがとても良かったです。また来ます。",
    "خدمة ممتازة وطعام لذيذ",
    "TERRIBLE SERVICE AND COLD FOOD",
    "The food was great, mais le service était vraiment très lent ce soir-là.",
    "Très bon",
    "ok",
    "👍👍 super 👍👍",
    "Nous avons passé une soirée agréable dans ce petit restaurant du quartier. " * 20,
]


def test_a_batch_gets_py3langids_own_answers():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    from workers.analysis.langid_batch import BatchLanguageIdentifier
    from workers.analysis.language import _identifier

    reference = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    batch = BatchLanguageIdentifier(_identifier()).classify(BATCH_TEXTS + [""])
    for text, (language, confidence) in zip(BATCH_TEXTS + [""], batch):
        expected_language, expected_confidence = reference.classify(text)
        assert language == expected_language, text
        assert confidence == pytest.approx(expected_confidence, abs=1e-4), text


def test_guessing_a_batch_is_guessing_each_text():
    from workers.analysis.language import guess_plain_languages
    from workers.analysis.text import to_plain_text

    plain = [to_plain_text(text) for text in BATCH_TEXTS]
    assert guess_plain_languages(plain) == [guess_language(text) for text in BATCH_TEXTS]
    assert guess_plain_languages([]) == []


def test_choosing_among_two_languages_leaves_the_full_model_whole():
    from workers.analysis.language import _identifier, guess_among

    assert guess_among("Great coffee & rude staff", ("en", "fr")).language == "en"
    assert len(set(_identifier().nb_classes)) > 90
    assert detect_language("Das Essen war ausgezeichnet und die Bedienung sehr freundlich.") == "de"
