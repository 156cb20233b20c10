"""Find the starwatch settings and the configured sources from inside a Scrapy crawler.

The runner passes the typed ``config.Settings`` object as the Scrapy setting
``STARWATCH_SETTINGS``; components read it here instead of reaching into dicts. When a crawl is
started with plain ``scrapy crawl`` that setting is absent, and the settings are loaded the usual
way (``$STARWATCH_CONFIG`` or ``config/starwatch.yaml``, then the environment).
"""

from __future__ import annotations

from dataclasses import dataclass

from config.settings import Settings, load_settings
from crawlers.errors import CrawlConfigError
from search.documents import Entity, Source

SETTINGS_KEY = "STARWATCH_SETTINGS"


@dataclass(frozen=True)
class ConfiguredSource:
    """A source together with the entity it watches."""

    entity: Entity
    source: Source


def starwatch_settings_from(scrapy_settings) -> Settings:
    """The starwatch ``Settings`` carried by a Scrapy settings object (or loaded if absent)."""
    settings = scrapy_settings.get(SETTINGS_KEY)
    if settings is None:
        return load_settings()
    if not isinstance(settings, Settings):
        raise CrawlConfigError(
            f"Scrapy setting {SETTINGS_KEY} must be a config.Settings object, got {type(settings).__name__}; "
            "build it with config.load_settings()"
        )
    return settings


def configured_sources(settings: Settings) -> list[ConfiguredSource]:
    """Every source of every entity, in configuration order."""
    return [ConfiguredSource(entity, source) for entity in settings.entities for source in entity.sources]


def find_source(settings: Settings, source_id: str | None) -> ConfiguredSource:
    """The source with this id; ``CrawlConfigError`` listing the known ids otherwise."""
    for configured in configured_sources(settings):
        if configured.source.id == source_id:
            return configured
    known = ", ".join(c.source.id for c in configured_sources(settings)) or "none configured"
    raise CrawlConfigError(
        f"unknown source id {source_id!r} (known: {known}); add it under entities[].sources in the config file"
    )
