"""Which exceptions are the user's to fix (printed as one line) rather than bugs (traceback).

Each stage defines its own error types next to the code that raises them; this module only
gathers them for front ends, importing lazily so that a missing optional stage cannot break
error reporting.
"""

from __future__ import annotations

import importlib

_USER_ERRORS = (
    ("config.settings", "ConfigError"),
    ("search.backends.base", "StoreError"),
    ("starwatch.capabilities.mentions", "SearchInputError"),
    ("crawlers.runner", "CrawlConfigError"),
    ("workers.dispatch", "BrokerUnavailable"),
    ("workers.alerts.smtp", "DeliveryError"),
)


def user_error_types() -> tuple[type[BaseException], ...]:
    found: list[type[BaseException]] = [FileNotFoundError, PermissionError]
    for module_name, class_name in _USER_ERRORS:
        try:
            found.append(getattr(importlib.import_module(module_name), class_name))
        except (ImportError, AttributeError):
            continue
    return tuple(found)
