"""Bad input never crashes and is never lost: a result, or "unscorable" with the reason."""

import pytest

from workers.analysis.analyzer import Analyzer


@pytest.fixture(scope="module")
def analyzer():
    return Analyzer()


@pytest.mark.parametrize(("text", "reason_part"), [
    ("", "empty text"), (None, "empty text"), ("   \n\t ", "empty text"), ("🙂😡👍🔥", "no words"),
    ("<div><br/></div>", "empty text"), (12345, "empty text"),
])
def test_unscorable_inputs_say_why(analyzer, text, reason_part):
    analysis = analyzer(text)
    assert analysis.sentiment_score is None and reason_part in analysis.unscorable_reason
    assert analysis.aspects == () and analysis.flags == []


def test_a_100000_character_review_is_shortened_and_scored(analyzer):
    text = "Le personnel est adorable et le café excellent. " * 2100
    analysis = analyzer(text)
    assert len(text) >= 100_000
    assert analysis.truncated and analysis.language == "fr" and analysis.sentiment_label == "positive"
    assert len(analysis.analysed_text) < 6000


def test_html_is_read_as_text(analyzer):
    analysis = analyzer("<p>Frais cachés&nbsp;partout<br>et <b>serveur désagréable</b></p><script>var x='great';</script>")
    assert analysis.language == "fr" and analysis.sentiment_label == "negative"
    assert "integrity:hidden_fees" in analysis.flags
    assert "<" not in analysis.evidence[0].sentence


def test_mixed_languages_get_one_language_and_every_flag(analyzer):
    text = ("Le café était froid et le serveur impoli. The manager said the refund would come, "
            "but they refused to refund me. Frais cachés en plus.")
    analysis = analyzer(text)
    assert analysis.language in ("fr", "en") and analysis.sentiment_label == "negative"
    assert {"integrity:refund_withheld", "integrity:hidden_fees"} <= set(analysis.flags)


def test_a_batch_keeps_order_and_length_whatever_is_in_it(analyzer):
    texts = ["Great coffee!", "", None, "🙂", "Café délicieux.", "x" * 200_000]
    analyses = analyzer.analyze_batch(texts)
    assert len(analyses) == len(texts)
    assert analyses[0].sentiment_label == "positive" and analyses[4].language == "fr"
    assert [a.unscorable_reason is None for a in analyses] == [True, False, False, False, True, False]
