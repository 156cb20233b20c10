"""Spider-close health verdicts from stats (pure logic)."""

from crawlers.monitors import HealthLimits, judge_crawl

GOOD = {"starwatch/pages": 3, "starwatch/listed": 12}


def test_a_clean_crawl_is_ok():
    assert judge_crawl(GOOD, "finished").status == "ok"


def test_a_crawl_that_parsed_nothing_failed_and_says_where_to_look():
    verdict = judge_crawl({"starwatch/request_errors": 1, "starwatch/request_error_example": "x: HTTP 503"}, "finished")
    assert verdict.status == "failed"
    assert any("robots.txt" in p for p in verdict.problems) and any("HTTP 503" in p for p in verdict.problems)


def test_a_crawl_stopped_early_failed():
    assert judge_crawl(GOOD, "handoff_failed").status == "failed"


def test_pages_without_entries_are_empty():
    verdict = judge_crawl({"starwatch/pages": 1, "starwatch/listed": 0}, "finished")
    assert verdict.status == "empty" and "starwatch extract" in verdict.problems[0]


def test_validation_errors_page_errors_and_error_logs_degrade_within_budgets():
    stats = {**GOOD, "starwatch/dropped/rating_above_best": 1, "starwatch/dropped/duplicate": 4}
    assert judge_crawl(stats, "finished").status == "degraded"
    assert judge_crawl(stats, "finished", HealthLimits(max_validation_errors=1)).status == "ok"
    assert judge_crawl({**GOOD, "starwatch/page_errors/jsonld_invalid": 1}, "finished").status == "degraded"
    assert judge_crawl({**GOOD, "log_count/ERROR": 2}, "finished", HealthLimits(max_error_logs=2)).status == "ok"
    assert judge_crawl({**GOOD, "starwatch/dropped/mention_unmatched": 3}, "finished").status == "ok"
