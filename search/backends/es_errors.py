"""Turn Elasticsearch client exceptions into starwatch store errors that say how to fix things.

Users of the CLI and the alert loop see ``StoreUnavailable`` / ``StoreError`` / ``QueryError``
with one readable line, never a transport stack trace. Credentials in the URL are never
repeated in a message. Reads no settings, but names the ones to change.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator
from urllib.parse import urlsplit, urlunsplit

from search.backends.base import QueryError, StoreError, StoreUnavailable

START_HINT = "start it with scripts/services start or set STARWATCH_ELASTICSEARCH__URL"
MAX_LISTED_FAILURES = 10


def safe_url(url: str) -> str:
    """The URL without any ``user:password@`` part."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<invalid URL>"
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


@contextmanager
def translate_errors(url: str, action: str) -> Iterator[None]:
    import elasticsearch
    from elastic_transport import SerializationError, TransportError

    shown = safe_url(url)
    try:
        yield
    except SerializationError as exc:
        raise StoreError(f"Elasticsearch at {shown} sent a response we cannot read while {action}: {exc}") from None
    except TransportError as exc:  # connection refused, DNS, TLS, timeouts
        raise StoreUnavailable(
            f"Elasticsearch at {shown} is unreachable while {action} ({type(exc).__name__}); {START_HINT}"
        ) from None
    except (elasticsearch.AuthenticationException, elasticsearch.AuthorizationException) as exc:
        raise StoreUnavailable(
            f"Elasticsearch at {shown} refused our credentials while {action} (HTTP {exc.meta.status}); set "
            "STARWATCH_ELASTICSEARCH__USERNAME and STARWATCH_ELASTICSEARCH__PASSWORD, or "
            "STARWATCH_ELASTICSEARCH__API_KEY, for a user allowed to manage the starwatch indices"
        ) from None
    except elasticsearch.UnsupportedProductError:
        raise StoreUnavailable(
            f"the server at {shown} is not Elasticsearch 8 (while {action}); {START_HINT}"
        ) from None
    except elasticsearch.BadRequestError as exc:
        if action == "searching":
            raise QueryError(f"Elasticsearch cannot run this search ({_reason(exc)}); simplify the search text") from None
        raise StoreError(f"Elasticsearch at {shown} rejected a request while {action}: {_reason(exc)}") from None
    except elasticsearch.ApiError as exc:
        raise StoreError(
            f"Elasticsearch at {shown} failed while {action} (HTTP {exc.meta.status}: {_reason(exc)}); "
            "if an index or alias is missing, run the store's ensure_ready() (starwatch index create)"
        ) from None


def _reason(exc: Any) -> str:
    info = getattr(exc, "info", None)
    if isinstance(info, dict):
        error = info.get("error")
        if isinstance(error, dict):
            root = (error.get("root_cause") or [error])[0]
            return f"{root.get('type', 'error')}: {root.get('reason', '')}".strip()
    return str(getattr(exc, "message", exc))


def describe_failures(alias: str, failures: list[dict[str, Any]], written: int) -> str:
    """One message listing the first failed ids and why, so nothing is dropped silently."""
    listed = []
    for failure in failures[:MAX_LISTED_FAILURES]:
        error = failure.get("error") or {}
        reason = f"{error.get('type', 'error')}: {error.get('reason', '')}" if isinstance(error, dict) else str(error)
        listed.append(f"{failure.get('_id', '?')} ({reason})")
    more = len(failures) - len(listed)
    suffix = f"; and {more} more" if more > 0 else ""
    return (
        f"{len(failures)} of {len(failures) + written} records were not written to {alias}: "
        + "; ".join(listed)
        + suffix
        + ". The others were written. Fix the records (or the mapping in search/mappings) and write them again."
    )
