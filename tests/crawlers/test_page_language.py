"""The language check of crawled pages (``crawlers.page_language``) and the source option behind it."""

import pytest
from pydantic import ValidationError

from crawlers.page_language import detect_text_language, language_tag_code, page_language, unexpected_language
from search.documents import Source

POLISH = ["Świetna kawa i bardzo miła obsługa.", "Zimna kawa, długo czekałem na zamówienie."]
FRENCH = ["Très bon accueil, le café est délicieux et les croissants sont frais."]


def test_a_language_tag_gives_its_language_code():
    assert [language_tag_code(tag) for tag in ("pl-PL", " FR ", "en_GB", "", None, "français")] == [
        "pl", "fr", "en", None, None, None]


def test_the_declared_language_wins_over_the_text():
    assert page_language("de", FRENCH) == "de"
    assert page_language(None, FRENCH) == "fr"


def test_a_page_without_declaration_is_read_from_its_reviews():
    assert detect_text_language(POLISH) == "pl"
    assert unexpected_language(["fr", "en"], None, POLISH) == "pl"


def test_too_little_text_says_nothing():
    assert detect_text_language(["Top !", "ok"]) is None
    assert unexpected_language(["fr"], None, ["Top !"]) is None


def test_an_expected_language_or_no_list_is_not_counted():
    assert unexpected_language(["fr", "en"], "fr-FR", POLISH) is None
    assert unexpected_language([], "pl", POLISH) is None


def test_a_source_lists_language_codes():
    source = Source(id="cafe", type="schema_org", url="https://cafe.example/avis", languages=["FR", " en"])
    assert source.languages == ["fr", "en"]
    assert Source(id="cafe", type="schema_org", url="https://cafe.example/avis").languages == []
    with pytest.raises(ValidationError, match="ISO 639-1"):
        Source(id="cafe", type="schema_org", url="https://cafe.example/avis", languages=["French"])
