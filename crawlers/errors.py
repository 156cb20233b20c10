"""Errors of the collection stage."""


class CrawlConfigError(Exception):
    """A crawl cannot start as configured; the message says which source and how to fix it."""
