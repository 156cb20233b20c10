"""Base spiders, one per source type; concrete spiders in ``crawlers.spiders`` stay tiny."""
