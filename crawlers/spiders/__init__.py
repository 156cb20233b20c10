"""Concrete spiders: a name and, at most, small overrides of a base spider in ``crawlers.platforms``."""
