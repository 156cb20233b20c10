"""Helpers both backends use to turn stored data back into records and to compare times.

Records are stored as their JSON form (``model_dump(mode="json")``) so that a record read back is
equal to the one written, aware datetimes included. Times used for filtering and sorting are
normalised to UTC, because a review published at 23:30-05:00 and one at 04:00Z must sort by
instant, not by their local text. Reads no settings.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from search.documents import Mention, Review

DOCUMENT_MODELS: dict[str, type[Review] | type[Mention]] = {"review": Review, "mention": Mention}


def as_utc(moment: datetime | None) -> datetime | None:
    """Aware UTC datetime; naive input is taken as UTC, like the records do."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def utc_key(moment: datetime | None) -> str | None:
    """Fixed-width UTC text that sorts like the instant it names (SQLite column values)."""
    moment = as_utc(moment)
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def document_from_fields(fields: dict[str, Any]) -> Review | Mention:
    """Build a Review or Mention from stored fields, ignoring backend-only extras.

    Backends add their own fields (folded search text, ``doc_id``); only the model's own fields
    are passed on, so a stored record keeps loading when a backend adds another helper field.
    """
    model = DOCUMENT_MODELS[fields.get("kind", "review")]
    return model.model_validate({key: value for key, value in fields.items() if key in model.model_fields})


def aspect_scores(record: Review | Mention) -> list[tuple[str, float | None]]:
    """Each aspect once, with its own sentiment when the analysis scored it, else the record's.

    Both backends store these pairs so that "sentiment per aspect" means the same everywhere.
    """
    own = getattr(record, "aspect_sentiments", None) or {}
    return [(aspect, own.get(aspect, record.sentiment_score)) for aspect in dict.fromkeys(record.aspects)]
