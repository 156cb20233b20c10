"""``starwatch analyze``: plain and JSON lines in, one result per input out, bad lines explained."""

import json

from typer.testing import CliRunner

from starwatch.cli import app

INPUT = "\n".join([
    "Mettez-moi 5 étoiles sinon je n'aurai plus de courses.",
    "",
    json.dumps({"id": "r-7", "text": "I received this for free in exchange for my honest review. Lovely lamp.",
                "rating": 5}),
    json.dumps({"text": "Bof.", "language": "fr", "rating": 9}),
    "{broken",
    "🙂🙂",
    "Le serveur était adorable mais quarante minutes d'attente, et des frais cachés sur l'addition.",
]) + "\n"


def run(*args, stdin=INPUT):
    return CliRunner().invoke(app, ["analyze", *args], input=stdin)


def test_json_lines_hold_everything_for_every_input():
    result = run("--json", "-")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [row["line"] for row in rows] == [1, 3, 4, 5, 6, 7]
    first, free, bad_rating, broken, emoji, fees = rows
    assert first["language"] == "fr" and first["sentiment"]["stars"] is not None
    assert {"solicitation:asked_for_rating", "solicitation:pressure"} <= set(first["flags"])
    assert free["id"] == "r-7" and free["rating"] == 5 and "rating_gap" in free
    assert free["evidence"][0]["flag"] == "solicitation:incentive"
    incentive = next(a for a in free["authenticity"] if a["flag"] == "authenticity:incentivized")
    assert "incentive" in incentive["reason"]  # every authenticity flag says why
    assert fees["authenticity"] == [] or all(a["reason"] for a in fees["authenticity"])
    assert "rating" in bad_rating["error"] and bad_rating["language"] == "fr"
    assert "not valid JSON" in broken["error"] and "sentiment" not in broken
    assert emoji["sentiment"] is None and "no words" in emoji["unscorable_reason"]
    aspects = {a["aspect"]: a for a in fees["aspects"]}
    assert aspects["time_effort"]["label"] == "negative" and "integrity:hidden_fees" in fees["flags"]


def test_readable_output_and_files(tmp_path):
    path = tmp_path / "reviews.txt"
    path.write_text(INPUT, encoding="utf-8")
    result = run(str(path))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 6 and lines[0].startswith("1: fr positive") and "flags: solicitation" in lines[0]
    assert "error: line 5" in lines[3]


def test_a_missing_file_is_one_error_line():
    result = run("/nonexistent/reviews.txt")
    assert result.exit_code != 0 and "starwatch: error:" in result.output
