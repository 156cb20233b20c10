from crawlers.parsers.text import clean_text


def test_markup_and_entities_are_removed_and_words_kept_apart():
    raw = "Friendly <b>baristas</b>.<br>Every Saturday &amp; never&nbsp;regret it.<p>Merci</p>"
    assert clean_text(raw) == "Friendly baristas. Every Saturday & never regret it. Merci"


def test_escaped_markup_stays_literal_text():
    assert clean_text("I &lt;3 this place") == "I <3 this place"


def test_whitespace_is_collapsed_and_none_is_empty():
    assert clean_text("  Accueil   chaleureux,\n\t grains  ") == "Accueil chaleureux, grains"
    assert clean_text(None) == ""
