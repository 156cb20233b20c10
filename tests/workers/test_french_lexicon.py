"""The French lexicon scorer's rules, one behaviour per test."""

import pytest

from workers.analysis.french import FrenchLexiconScorer, base_forms, load_lexicon, tokenize


@pytest.fixture(scope="module")
def scorer():
    return FrenchLexiconScorer()


def test_accents_case_and_elisions_are_folded():
    assert tokenize("DÉÇU, n'est-ce pas ?") == ["decu", "n", "est", "ce", "pas"]


@pytest.mark.parametrize(("word", "base"), [("delicieuses", "delicieux"), ("bonnes", "bon"), ("decues", "decu"),
                                            ("attentive", "attentif"), ("geniaux", "genial"), ("froide", "froid")])
def test_inflected_forms_find_their_base(word, base):
    assert base in base_forms(word)


def test_inflected_and_base_forms_score_alike(scorer):
    assert scorer.polarity("serveuses attentives") == pytest.approx(scorer.polarity("serveur attentif"))


def test_negation_flips_and_weakens(scorer):
    assert scorer.polarity("Le plat est bon.") > 0
    assert scorer.polarity("Le plat n'est pas bon.") < 0
    assert scorer.polarity("Le plat n'est pas bon.") > scorer.polarity("Le plat est mauvais.")


def test_ne_que_is_not_a_negation(scorer):
    assert scorer.polarity("On ne peut que recommander.") > 0


def test_un_peu_softens_but_peu_negates(scorer):
    assert scorer.polarity("Serveur peu aimable.") < 0
    assert 0 < scorer.polarity("Prix un peu élevé mais serveur aimable.")


def test_idioms_beat_their_words(scorer):
    assert scorer.polarity("pas terrible") < 0
    assert scorer.polarity("pas mal du tout") > 0


def test_intensifiers_strengthen(scorer):
    assert scorer.polarity("très bon") > scorer.polarity("bon") > scorer.polarity("assez bon") > 0


def test_the_clause_after_mais_counts_more(scorer):
    assert scorer.polarity("Délicieux mais trop cher.") < scorer.polarity("Trop cher mais délicieux.")


def test_exclamations_strengthen(scorer):
    assert scorer.polarity("Génial !!!") > scorer.polarity("Génial")


def test_scores_stay_in_range(scorer):
    assert -1 < scorer.polarity("horrible " * 500) < 0
    assert 0 < scorer.polarity("excellent " * 500) < 1


def test_the_shipped_lexicon_loads():
    lexicon = load_lexicon()
    assert len(lexicon) > 250
    assert lexicon[("a", "eviter")] < 0
    assert all(-4 <= valence <= 4 for valence in lexicon.values())


def test_a_malformed_lexicon_line_names_file_and_line(tmp_path):
    path = tmp_path / "lexique.txt"
    path.write_text("# commentaire\nbon\t1.5\nmauvais sans valence\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"lexique.txt:3: expected 'expression<TAB>valence'"):
        load_lexicon(path)
