"""Scrapy's log formatter, minus the records the crawl's ``LOG_LEVEL`` throws away anyway.

Scrapy builds a log record for every page ("Crawled (200) ...") and every item ("Scraped from
...") at DEBUG, and leaves it to the handlers to discard it below ``LOG_LEVEL``. Building one
(the logging module looks up the calling frame, then every handler of the root logger, one per
crawler of the process, inspects it) costs about as much per item as a short pipeline.
``LevelAwareLogFormatter`` answers None for a message below ``LOG_LEVEL``, which tells Scrapy to
log nothing, so what reaches the log, and the ``log_count/<LEVEL>`` stats (counted from
``LOG_LEVEL`` up too), stay exactly what they were.

Reads ``LOG_LEVEL``. Enabled by ``LOG_FORMATTER`` in ``crawlers.settings``.
"""

from __future__ import annotations

import logging

from scrapy.logformatter import LogFormatter


def level_number(level: int | str | None) -> int:
    """``"INFO"`` or ``20`` → 20; anything unknown → DEBUG, so nothing is hidden by mistake."""
    if isinstance(level, int):
        return level
    number = logging.getLevelName(str(level or "DEBUG").upper())
    return number if isinstance(number, int) else logging.DEBUG


class LevelAwareLogFormatter(LogFormatter):
    """Skips the per-page and per-item messages that ``LOG_LEVEL`` would drop."""

    def __init__(self, level: int = logging.DEBUG):
        super().__init__()
        self.level = level

    @classmethod
    def from_crawler(cls, crawler):
        return cls(level_number(crawler.settings.get("LOG_LEVEL")))

    def _kept(self, logkws):
        return logkws if logkws is not None and level_number(logkws.get("level")) >= self.level else None

    # Scrapy logs these two at DEBUG: checking first spares building the message.
    def crawled(self, request, response, spider):
        return super().crawled(request, response, spider) if self.level <= logging.DEBUG else None

    def scraped(self, item, response, spider):
        return super().scraped(item, response, spider) if self.level <= logging.DEBUG else None

    def dropped(self, item, exception, response, spider):
        return self._kept(super().dropped(item, exception, response, spider))
