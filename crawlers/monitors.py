"""Spider-close health checks: judge one crawl from its stats, for operators.

Spidermon's close-monitor idea without the dependency: a minimum number of entries found, a
budget of validation errors, of failed requests and page errors, and of logged errors. The
verdict is one of ``ok``, ``empty`` (the source answered but nothing could be read: the layout
probably changed), ``degraded`` (data came, with problems) or ``failed`` (the crawl broke). Each
problem says what to look at. This judges the *crawler*; customer alerts (a rating drop) are a
different stage and never read this.

Pure: ``judge_crawl(stats, reason, limits)``; the limits come from Scrapy settings
``STARWATCH_HEALTH_MIN_LISTED`` (1), ``STARWATCH_HEALTH_MAX_VALIDATION_ERRORS`` (0) and
``STARWATCH_HEALTH_MAX_ERROR_LOGS`` (0), read by ``crawlers.extensions.crawl_health``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Drops that are the pipeline doing its job, not the page being wrong.
EXPECTED_DROPS = {"duplicate", "mention_unmatched"}


@dataclass(frozen=True)
class HealthLimits:
    min_listed: int = 1
    max_validation_errors: int = 0
    max_error_logs: int = 0


@dataclass
class HealthVerdict:
    status: str
    problems: list[str] = field(default_factory=list)


def _prefixed(stats: dict, prefix: str) -> dict[str, int]:
    return {key.removeprefix(prefix): value for key, value in sorted(stats.items()) if key.startswith(prefix)}


def _failures(stats: dict, reason: str | None) -> list[str]:
    problems = []
    if reason not in (None, "finished"):
        problems.append(f"the crawl ended early ({reason}); see the crawl log for the cause")
    if not stats.get("starwatch/pages"):
        problems.append("no page was parsed; check the source URL, robots.txt and the request errors")
    return problems


def _degradations(stats: dict, limits: HealthLimits) -> list[str]:
    problems = []
    invalid = {k: v for k, v in _prefixed(stats, "starwatch/dropped/").items() if k not in EXPECTED_DROPS}
    if sum(invalid.values()) > limits.max_validation_errors:
        problems.append(f"{sum(invalid.values())} entries failed validation {invalid}; "
                        "run `starwatch extract URL` on a page to see why")
    if failed := stats.get("starwatch/request_errors"):
        problems.append(f"{failed} request(s) failed, e.g. {stats.get('starwatch/request_error_example')}")
    page_errors = _prefixed(stats, "starwatch/page_errors/")
    if page_errors:
        problems.append(f"pages could not be fully read {page_errors}")
    if stats.get("starwatch/state/errors"):
        problems.append("the crawl history could not be read or saved; check the store")
    if (logged := stats.get("log_count/ERROR", 0)) > limits.max_error_logs:
        problems.append(f"{logged} error(s) logged (budget {limits.max_error_logs})")
    return problems


def judge_crawl(stats: dict, reason: str | None, limits: HealthLimits = HealthLimits()) -> HealthVerdict:
    """The health of one finished crawl.

    >>> judge_crawl({"starwatch/pages": 2, "starwatch/listed": 9}, "finished").status
    'ok'
    """
    if problems := _failures(stats, reason):
        return HealthVerdict("failed", problems + _degradations(stats, limits))
    listed = stats.get("starwatch/listed", 0)
    if listed < limits.min_listed:
        empty = (f"the source listed {listed} entr{'y' if listed == 1 else 'ies'} (minimum {limits.min_listed}): "
                 "the page layout may have changed; run `starwatch extract URL` to see what is found")
        return HealthVerdict("empty", [empty] + _degradations(stats, limits))
    problems = _degradations(stats, limits)
    return HealthVerdict("degraded" if problems else "ok", problems)
