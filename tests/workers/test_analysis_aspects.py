"""Aspects from config/aspects: every written example is tagged, per-aspect sentiment, settings."""

import pytest

from config.settings import ConfigError, load_settings
from workers.analysis.analyzer import Analyzer
from workers.analysis.definitions import DefinitionError, load_definitions
from workers.analysis.scorers import build_analyzer

DEFINITIONS = load_definitions()
CX = {"expectations_met", "problem_resolution", "personalization", "time_effort", "integrity_trust", "empathy"}
ASPECT_EXAMPLES = [(label, lang, sentence) for label, by_lang in DEFINITIONS.examples.items() if ":" not in label
                   for lang, sentences in by_lang.items() for sentence in sentences]


@pytest.fixture(scope="module")
def analyzer():
    return Analyzer(definitions=DEFINITIONS)


def test_the_six_cx_criteria_exist_in_english_and_french():
    for language in ("en", "fr"):
        assert CX <= set(DEFINITIONS.aspects[language].labels)


@pytest.mark.parametrize(("aspect", "language", "sentence"), ASPECT_EXAMPLES)
def test_every_example_in_the_config_is_tagged(analyzer, aspect, language, sentence):
    analysis = analyzer(sentence, language_hint=language)
    assert aspect in [a.name for a in analysis.aspects]


@pytest.mark.parametrize(("text", "language", "good", "bad"), [
    ("The staff were lovely and so kind. But we waited forty minutes for a cold coffee.", "en", "staff", "time_effort"),
    ("Le serveur était adorable. Par contre, quarante minutes d'attente pour un café froid.", "fr", "staff", "time_effort"),
])
def test_each_aspect_gets_the_sentiment_of_its_own_sentences(analyzer, text, language, good, bad):
    aspects = {a.name: a for a in analyzer(text, language_hint=language).aspects}
    assert aspects[good].score > 0 > aspects[bad].score
    assert aspects[bad].label == "negative"
    assert all(sentence in text for sentence in aspects[bad].sentences)


def test_words_are_read_in_the_texts_language(analyzer):
    english = {a.name for a in analyzer("Everything was on sale, a great deal.", language_hint="en").aspects}
    assert "cleanliness" not in english  # "sale" is dirty only in French
    french = {a.name for a in analyzer("La salle était sale.", language_hint="fr").aspects}
    assert "cleanliness" in french


def test_verticals_setting_chooses_domain_aspects(tmp_path):
    config = tmp_path / "starwatch.yaml"
    config.write_text("analysis:\n  aspect_verticals: [app]\n", encoding="utf-8")
    analyzer = build_analyzer(load_settings(config))
    names = {a.name for a in analyzer("The app keeps crashing and the coffee is cold. Way too expensive.").aspects}
    assert "app_bugs" in names and "price" not in names and "drinks" not in names
    assert "expectations_met" in set(analyzer.definitions.aspects["en"].labels)  # cx is always on


def test_an_unknown_vertical_is_a_config_error_naming_the_available_ones(tmp_path):
    config = tmp_path / "starwatch.yaml"
    config.write_text("analysis:\n  aspect_verticals: [spaceships]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="spaceships.*available"):
        build_analyzer(load_settings(config))


@pytest.mark.parametrize(("content", "message"), [
    ("kind: aspects\nvertical: x\naspects:\n  price:\n    description: d\n    terms: {en: ['re:(']}\n", "cannot be used"),
    ("kind: aspects\nvertical: x\naspects:\n  price:\n    terms: {en: [price]}\n", "description"),
    ("kind: aspects\nvertical: x\naspects: [oops\n", "not valid YAML"),
    ("kind: aspects\nvertical: x\naspects:\n  Price:\n    description: d\n    terms: {en: [price]}\n", "snake_case"),
])
def test_a_broken_definitions_file_names_the_file_and_the_fix(tmp_path, content, message):
    (tmp_path / "broken.yaml").write_text(content, encoding="utf-8")
    with pytest.raises(DefinitionError, match=message) as caught:
        load_definitions(tmp_path)
    assert "broken.yaml" in str(caught.value)


def test_an_empty_definitions_folder_is_refused(tmp_path):
    with pytest.raises(DefinitionError, match="analysis.aspects_dir"):
        load_definitions(tmp_path)
