"""Item pipelines, one job each, wired only through ``ITEM_PIPELINES`` in ``crawlers.settings``."""
