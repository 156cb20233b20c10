"""Typed configuration: ``load_settings()`` builds a ``Settings`` from defaults, YAML, env and flags."""

from config.settings import ConfigError, Settings, load_settings

__all__ = ["ConfigError", "Settings", "load_settings"]
