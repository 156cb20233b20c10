"""Integrity and solicitation flags with their evidence, in English and French."""

import pytest

from workers.analysis.analyzer import Analyzer
from workers.analysis.definitions import load_definitions

DEFINITIONS = load_definitions()
FLAG_EXAMPLES = [(label, lang, sentence) for label, by_lang in DEFINITIONS.examples.items() if ":" in label
                 for lang, sentences in by_lang.items() for sentence in sentences]
INTEGRITY = {"scam_fraud", "misleading_claims", "hidden_fees", "refund_withheld", "privacy_breach", "safety_hazard",
             "unethical_practices"}


@pytest.fixture(scope="module")
def analyzer():
    return Analyzer(definitions=DEFINITIONS)


def test_every_integrity_category_exists_in_both_languages():
    for language in ("en", "fr"):
        assert {f"integrity:{name}" for name in INTEGRITY} <= set(DEFINITIONS.flags[language].labels)


@pytest.mark.parametrize(("flag", "language", "sentence"), FLAG_EXAMPLES)
def test_every_example_in_the_config_is_flagged_with_its_evidence(analyzer, flag, language, sentence):
    analysis = analyzer(sentence, language_hint=language)
    assert flag in analysis.flags
    for evidence in analysis.evidence:
        assert analysis.analysed_text[evidence.start:evidence.end] == evidence.match
        assert evidence.match in evidence.sentence


@pytest.mark.parametrize(("text", "flags"), [
    ("Mettez-moi 5 étoiles sinon je n'aurai plus de courses.", {"solicitation:asked_for_rating", "solicitation:pressure"}),
    ("5 stars please, the driver said.", {"solicitation:asked_for_rating"}),
    ("I received this for free in exchange for my honest review.", {"solicitation:incentive"}),
    ("Réduction contre un avis, c'est écrit sur le ticket.", {"solicitation:incentive"}),
    ("They only ask happy customers to leave a review.", {"solicitation:review_gating"}),
    ("Je n'ai jamais été remboursé après mon retour.", {"integrity:refund_withheld"}),
    ("Total scam, and they charged me twice!", {"integrity:scam_fraud", "integrity:hidden_fees"}),
])
def test_the_issue_examples_are_flagged(analyzer, text, flags):
    assert flags <= set(analyzer(text).flags)


@pytest.mark.parametrize("text", [
    "This is not a scam, a legit seller with fast shipping.",
    "Aucun frais caché, tout était clair dès le départ.",
    "No hidden fees and the staff were lovely.",
    "Le café est bon et le service rapide.",
    "I did not receive anything for free, I paid for it myself.",
])
def test_negated_or_innocent_texts_are_not_flagged(analyzer, text):
    assert analyzer(text).flags == []


def test_flags_and_evidence_fill_the_record_fields(analyzer):
    analysis = analyzer("Service rapide. Mais des frais cachés sur la facture, une vraie arnaque.", language_hint="fr")
    update = analysis.record_update()
    assert update["flags"] == ["integrity:hidden_fees", "integrity:scam_fraud"]
    assert update["flag_evidence"]["integrity:hidden_fees"] == "Mais des frais cachés sur la facture, une vraie arnaque."


def test_a_review_in_another_language_still_gets_flags(analyzer):
    analysis = analyzer("Das ist ein scam, Finger weg von diesem Laden!")
    assert analysis.sentiment_score is None and "integrity:scam_fraud" in analysis.flags
