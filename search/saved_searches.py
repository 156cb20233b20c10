"""Search specifications and saved searches: a search a user can name, keep and run again.

``SearchSpec`` is what a user asks, in the user's terms: query text plus filters, including
competitor *groups* and relative windows ("the last 7 days"). ``SavedSearch`` is a named
``SearchSpec`` kept in the store (``ReviewStore.save_search``). ``SearchSpec.to_query`` turns
either into the backend-neutral ``SearchQuery`` at run time, so a saved search follows its
group's membership and its window moves with the clock. That same call is the bridge for alert
rules: a rule can hold a saved-search name and evaluate ``saved.to_query(...)`` on each run.

Groups are resolved by a callable the caller passes (``settings.group_members``), because the
data layer does not read the configuration. Reads no settings.

Example::

    saved = SavedSearch(name="slow-service", text='"service lent" OR slow', group_ids=["cafes-lyon"],
                        within_days=7, sort="date")
    store.save_search(saved)
    query = saved.to_query(members_of_group=lambda g: [e.id for e in settings.group_members(g)])
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Callable, Literal, Sequence

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from search.backends.base import QueryError, SearchQuery
from search.documents import DocumentKind, SentimentLabel, utcnow
from search.query_text import parse_query_text

SAVED_SEARCH_NAME = r"^[a-z0-9][a-z0-9_.-]{0,63}$"
MAX_LIST_VALUES = 1000

GroupResolver = Callable[[str], Sequence[str]]


class SearchSpec(BaseModel):
    """A search in the user's terms; every filter is optional and filters combine with AND."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = ""
    entity_ids: list[str] | None = None
    group_ids: list[str] | None = None
    kinds: list[DocumentKind] | None = None
    sources: list[str] | None = None
    languages: list[str] | None = None
    sentiment_labels: list[SentimentLabel] | None = None
    aspects: list[str] | None = None
    flags: list[str] | None = None
    exclude_flags: list[str] | None = None
    min_rating: float | None = Field(default=None, ge=0, le=5)
    max_rating: float | None = Field(default=None, ge=0, le=5)
    within_days: int | None = Field(default=None, ge=1, le=3650, description="only the last N days")
    since: datetime | None = None
    until: datetime | None = None
    sort: Literal["relevance", "date"] = "relevance"

    @field_validator("text")
    @classmethod
    def _searchable_text(cls, value: str) -> str:
        try:
            parse_query_text(value)
        except QueryError as exc:
            raise ValueError(str(exc)) from None
        return value

    @field_validator("since", "until")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        """Naive datetimes are UTC, as everywhere in starwatch."""
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value

    @field_validator("entity_ids", "group_ids", "sources", "languages", "aspects", "flags", "exclude_flags")
    @classmethod
    def _bounded_list(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and len(value) > MAX_LIST_VALUES:
            raise ValueError(f"at most {MAX_LIST_VALUES} values (got {len(value)})")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> "SearchSpec":
        if self.min_rating is not None and self.max_rating is not None and self.min_rating > self.max_rating:
            raise ValueError(f"min_rating {self.min_rating} is above max_rating {self.max_rating}")
        if self.within_days is not None and self.since is not None:
            raise ValueError("give either within_days (a moving window) or since (a fixed date), not both")
        return self

    def to_query(
        self,
        *,
        members_of_group: GroupResolver | None = None,
        now: datetime | None = None,
        limit: int = 20,
        offset: int = 0,
        cursor: str | None = None,
        facets: Sequence[str] = (),
    ) -> SearchQuery:
        """The ``SearchQuery`` this spec means now.

        :param members_of_group: entity ids of a group id; required when ``group_ids`` is set.
        :param now: the clock for ``within_days`` (default: the current time).
        Entity ids from ``entity_ids`` and from the groups are united.
        """
        since = self.since
        if self.within_days is not None:
            since = (now or utcnow()) - timedelta(days=self.within_days)
        return SearchQuery(
            text=self.text, entity_ids=self._entity_ids(members_of_group), kinds=self.kinds,
            sources=self.sources, languages=self.languages, sentiment_labels=self.sentiment_labels,
            aspects=self.aspects, flags=self.flags, exclude_flags=self.exclude_flags,
            min_rating=self.min_rating, max_rating=self.max_rating, since=since, until=self.until,
            sort=self.sort if self.text.strip() else "date", limit=limit, offset=offset,
            cursor=cursor, facets=tuple(facets),
        )

    def _entity_ids(self, members_of_group: GroupResolver | None) -> list[str] | None:
        if self.group_ids is None:
            return self.entity_ids
        if members_of_group is None:
            raise QueryError("this search filters by competitor group; pass members_of_group to resolve it")
        ids = list(self.entity_ids or [])
        for group_id in self.group_ids:
            ids.extend(members_of_group(group_id))
        return list(dict.fromkeys(ids))


class SavedSearch(SearchSpec):
    """A named search kept in the store; ``name`` is its id (lowercase letters, digits, ``-_.``)."""

    name: str = Field(pattern=SAVED_SEARCH_NAME)
    description: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    def spec(self) -> SearchSpec:
        """The search alone, without its name and dates."""
        return SearchSpec(**self.model_dump(include=set(SearchSpec.model_fields)))


def load_saved_search(stored: str | dict, where: str) -> SavedSearch:
    """Load a stored saved search (JSON text or dict); a corrupt record becomes a ``QueryError``."""
    try:
        if isinstance(stored, str):
            return SavedSearch.model_validate_json(stored)
        return SavedSearch.model_validate(stored)
    except ValidationError as exc:
        raise QueryError(f"the saved search stored in {where} cannot be read ({exc.error_count()} problem(s): "
                         f"{exc.errors()[0]['msg']}); save it again with the same name") from None


def check_saved_search_name(name: str) -> str:
    """The name if it is a valid saved-search id; ``QueryError`` saying what is allowed otherwise."""
    if not isinstance(name, str) or not re.match(SAVED_SEARCH_NAME, name):
        raise QueryError(
            f"{str(name)[:80]!r} is not a valid saved-search name; use 1-64 lowercase letters, digits, "
            "'-', '_' or '.', starting with a letter or digit"
        )
    return name
