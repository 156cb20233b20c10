"""Typed settings for every starwatch process, and the only module that reads the environment.

Precedence, lowest to highest (Scrapy's settings priorities, flattened):
1. defaults in this module;
2. a YAML file: ``--config FILE``, else ``$STARWATCH_CONFIG``, else ``config/starwatch.yaml`` in
   the working directory when it exists;
3. ``STARWATCH_*`` environment variables, nested with ``__`` (``STARWATCH_STORE__BACKEND=elasticsearch``);
4. command-line flags, passed to ``load_settings(overrides=...)``.

Secrets (SMTP password, Elasticsearch credentials, the author-hash salt) are read from the
environment only: a YAML file that contains one is refused, so config files can be committed.

An invalid file stops the program at start with ``ConfigError``, whose message names the file,
the key and what was expected.
"""

from __future__ import annotations

import os
import secrets
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, EmailStr, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from search.documents import Entity

DEFAULT_CONFIG_PATH = Path("config") / "starwatch.yaml"
CONFIG_ENV_VAR = "STARWATCH_CONFIG"

# Dotted keys that may only come from the environment, with the variable to use instead.
SECRET_KEYS = {
    "smtp.password": "STARWATCH_SMTP__PASSWORD",
    "smtp.username": "STARWATCH_SMTP__USERNAME",
    "elasticsearch.password": "STARWATCH_ELASTICSEARCH__PASSWORD",
    "elasticsearch.api_key": "STARWATCH_ELASTICSEARCH__API_KEY",
    "privacy.author_salt": "STARWATCH_PRIVACY__AUTHOR_SALT",
}


class ConfigError(Exception):
    """Configuration cannot be used; the message names the file, the key and the fix."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CrawlSettings(_Section):
    """Politeness defaults follow Scrapy's current project template; identify ourselves."""

    user_agent: str = "starwatch/0.1 (reputation monitoring; +https://github.com/starwatch-oss/starwatch)"
    obey_robots_txt: bool = True
    download_delay_seconds: float = Field(default=1.0, ge=0)
    concurrent_requests_per_domain: int = Field(default=1, ge=1, le=4)
    autothrottle: bool = True
    download_timeout_seconds: float = Field(default=30, gt=0)
    allow_loopback: bool = Field(
        default=False, description="allow 127.0.0.0/8 and ::1 URLs (tests and the demo only)"
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="log level of a crawl (Scrapy installs it for the whole process)"
    )


class StoreSettings(_Section):
    backend: Literal["sqlite", "elasticsearch"] = "sqlite"
    sqlite_path: Path = Path("starwatch.sqlite")


class ElasticsearchSettings(_Section):
    url: str = "http://127.0.0.1:9200"
    index_prefix: str = Field(default="starwatch", pattern=r"^[a-z0-9][a-z0-9_-]{0,40}$")
    request_timeout_seconds: float = Field(default=10, gt=0)
    # How long a search's point in time outlives its last page read (deep pages read one
    # snapshot; see search.backends.es_point_in_time); null pages on the live index instead.
    point_in_time_keep_alive: str | None = Field(
        default="1m", pattern=r"^[1-9][0-9]{0,5}(ms|s|m|h)$",
        description="an Elasticsearch duration such as 5m, 30s or 1h; null: no point in time",
    )
    username: str | None = None
    password: SecretStr | None = None
    api_key: SecretStr | None = None


class TaskSettings(_Section):
    """``inprocess`` runs every task in the calling process (no broker); ``celery`` uses Redis."""

    mode: Literal["inprocess", "celery"] = "inprocess"
    broker_url: str = "redis://127.0.0.1:6379/0"
    batch_size: int = Field(default=50, ge=1, le=1000)
    publish_retry_seconds: float = Field(
        default=90, ge=0, description="how long a producer keeps retrying an unreachable broker"
    )
    visibility_timeout_seconds: float = Field(
        default=300,
        ge=1,
        description="how long Redis waits for an unacknowledged task before giving it to another "
        "worker; keep it above the longest task (a batch ingest takes seconds)",
    )


class SmtpSettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(default=25, ge=1, le=65535)
    security: Literal["none", "starttls", "ssl"] = "none"
    sender: str = "starwatch <alerts@starwatch.invalid>"
    timeout_seconds: float = Field(default=10, gt=0)
    username: str | None = None
    password: SecretStr | None = None


class PrivacySettings(_Section):
    """Reviewer names are stored only as salted hashes; the salt never leaves the environment."""

    author_salt: SecretStr | None = None
    salt_file: Path = Field(
        default=Path("starwatch.salt"),
        description="where a generated salt is kept when STARWATCH_PRIVACY__AUTHOR_SALT is unset",
    )


class RatingDropRule(_Section):
    """Average rating of the last ``recent_days`` against the ``baseline_days`` before them."""

    id: str = Field(default="rating-drop", pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")
    type: Literal["rating_drop"] = "rating_drop"
    recent_days: int = Field(default=7, ge=1, le=365)
    baseline_days: int = Field(default=30, ge=1, le=3650)
    min_recent_reviews: int = Field(default=5, ge=1)
    min_baseline_reviews: int = Field(default=5, ge=1)
    min_drop: float = Field(default=0.3, gt=0, le=5, description="stars, on the 0-5 scale")
    entities: list[str] | None = Field(default=None, description="entity ids; default all")


class DigestRecipient(_Section):
    """A recipient who gets one summary per day or week instead of one email per alert."""

    address: EmailStr
    every: Literal["daily", "weekly"] = "daily"
    hour_utc: int = Field(default=8, ge=0, le=23, description="when the summary is due (UTC hour)")
    weekday: Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] = "monday"
    language: Literal["en", "fr"] | None = Field(default=None, description="default: their entities' language")


class AlertSettings(_Section):
    evaluate_every_minutes: float = Field(default=5, gt=0)
    rules: list[RatingDropRule] = Field(default_factory=lambda: [RatingDropRule()])
    # Alerting (issue 7); see workers/alerts/ and config/rules/examples/.
    rule_files: list[str] = Field(
        default_factory=list, description="rule files or glob patterns, e.g. config/rules/*.yaml (relative to the "
        "working directory); each file holds one rule validated against config/rules.schema.json",
    )
    operators: list[EmailStr] = Field(
        default_factory=list, description="who gets operator alerts (source_silent: crawling fails), never customers",
    )
    operators_language: Literal["en", "fr"] = "en"
    search_base_url: str | None = Field(
        default=None, pattern=r"^https?://[^\s]+$",
        description="links in emails open searches here, e.g. https://starwatch.example.org/search",
    )
    max_emails_per_run: int = Field(
        default=10, ge=1, description="per recipient and evaluation; the rest go into one overflow summary",
    )
    backfill_days: int = Field(
        default=30, ge=0, le=3650,
        description="on a rule's first run, record this much history as historical incidents (no email)",
    )
    delivery_claim_seconds: float = Field(
        default=120, gt=0, description="a send claimed longer ago than this is taken over (its worker died)",
    )
    digests: list[DigestRecipient] = Field(default_factory=list)


class CompareSettings(_Section):
    """How ``starwatch compare`` smooths, adjusts and forecasts ratings (issue 6)."""

    prior_reviews: float = Field(
        default=7, ge=0, description="Bayesian prior: every average counts this many extra reviews of prior_mean "
        "stars, so a 5.0 from two reviews does not outrank a 4.8 from four hundred (Trustpilot uses 7)",
    )
    prior_mean: float = Field(default=3.5, ge=0, le=5, description="stars of the prior reviews (Trustpilot: 3.5)")
    displayed_step: float = Field(
        default=0.5, gt=0, le=1, description="platforms round the displayed rating to this step (0.5 = half stars)",
    )
    authenticity_exclude_flags: list[str] = Field(
        default_factory=list, description="reviews carrying one of these flags weigh 0 in authenticity-adjusted averages",
    )
    trend_interval: Literal["day", "week", "month"] = "week"


class AnalysisSettings(_Section):
    """How workers understand texts (issue 4); see workers/analysis/scorers.py."""

    sentiment_model: Literal["stars", "lexicon", "huggingface", "encoder"] = Field(
        default="stars", description="stars: the trained star model shipped with starwatch (offline, numpy only); "
        "lexicon: VADER / French lexicon; huggingface: huggingface_model (needs the 'huggingface' extra); "
        "encoder: English through multilingual-e5-small + a trained head, slower, other languages through stars "
        "(needs the 'encoder' extra)",
    )
    star_model_path: Path | None = Field(default=None, description="another star model file (default: the shipped one)")
    huggingface_model: str | None = Field(
        default=None, description="a text-classification model id or local folder, e.g. nlptown/bert-base-multilingual-uncased-sentiment",
    )
    huggingface_device: str = Field(default="cpu", description="cpu, cuda, cuda:0...")
    batch_size: int = Field(default=64, ge=1, le=4096, description="texts scored per model call")
    aspects_dir: Path | None = Field(default=None, description="folder of aspect/flag YAML files (default: config/aspects/ shipped)")
    aspect_verticals: list[str] | None = Field(
        default=None, description="domain verticals to tag (e.g. [general, restaurant]); default all; cx criteria always on",
    )


class Group(_Section):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")
    name: str


class Settings(BaseSettings):
    """Everything configurable, as typed attributes (``settings.crawl.download_delay_seconds``)."""

    model_config = SettingsConfigDict(
        env_prefix="STARWATCH_", env_nested_delimiter="__", extra="forbid", case_sensitive=False
    )

    crawl: CrawlSettings = Field(default_factory=CrawlSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    elasticsearch: ElasticsearchSettings = Field(default_factory=ElasticsearchSettings)
    tasks: TaskSettings = Field(default_factory=TaskSettings)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    compare: CompareSettings = Field(default_factory=CompareSettings)
    analysis: AnalysisSettings = Field(default_factory=AnalysisSettings)
    groups: list[Group] = Field(default_factory=list)
    entities: list[Entity] = Field(default_factory=list)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _YamlDataSource(settings_cls))

    @model_validator(mode="after")
    def _references_exist(self) -> "Settings":
        seen_entities: set[str] = set()
        seen_sources: set[str] = set()
        for entity in self.entities:
            if entity.id in seen_entities:
                raise ValueError(f"entity id {entity.id!r} is used twice; entity ids must be unique")
            seen_entities.add(entity.id)
            for source in entity.sources:
                if source.id in seen_sources:
                    raise ValueError(f"source id {source.id!r} is used twice; source ids must be unique")
                seen_sources.add(source.id)
        for rule in self.alerts.rules:
            unknown = sorted(set(rule.entities or []) - seen_entities)
            if unknown:
                raise ValueError(f"alert rule {rule.id!r} names unknown entities {unknown}")
        return self

    # -- lookups used across stages ---------------------------------------------------------
    def entity(self, entity_id: str) -> Entity:
        for entity in self.entities:
            if entity.id == entity_id:
                return entity
        known = ", ".join(e.id for e in self.entities) or "none configured"
        raise ConfigError(f"unknown entity {entity_id!r} (known: {known})")

    def group_members(self, group_id: str) -> list[Entity]:
        members = [e for e in self.entities if e.group == group_id]
        if not members:
            known = ", ".join(sorted({e.group for e in self.entities if e.group})) or "none configured"
            raise ConfigError(f"unknown competitor group {group_id!r} (known: {known})")
        return members

    def group_name(self, group_id: str) -> str:
        for group in self.groups:
            if group.id == group_id:
                return group.name
        return group_id

    def author_salt(self) -> str:
        """The salt for reviewer-name hashes: from the environment, else a generated local file.

        A generated salt is kept in ``privacy.salt_file`` so that the same reviewer hashes the
        same way on every crawl of this installation.
        """
        if self.privacy.author_salt is not None:
            return self.privacy.author_salt.get_secret_value()
        path = self.privacy.salt_file
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        salt = secrets.token_hex(16)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(salt)
        return salt


_yaml_data: ContextVar[dict[str, Any]] = ContextVar("starwatch_yaml_data", default={})


class _YamlDataSource(PydanticBaseSettingsSource):
    """Feeds the already-parsed YAML document to pydantic-settings, below the environment."""

    def get_field_value(self, field, field_name):  # pragma: no cover - unused by __call__
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        return _yaml_data.get()


def resolve_config_path(config_path: Path | str | None) -> Path | None:
    """``--config`` wins, then ``$STARWATCH_CONFIG``, then ``config/starwatch.yaml`` if present."""
    if config_path:
        return Path(config_path)
    from_env = os.environ.get(CONFIG_ENV_VAR)
    if from_env:
        return Path(from_env)
    return DEFAULT_CONFIG_PATH if DEFAULT_CONFIG_PATH.is_file() else None


def read_yaml_config(path: Path) -> dict[str, Any]:
    """Parse one config file, refusing secrets; errors name the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist (pass --config FILE or create it)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {path} cannot be read: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{path}{where}: invalid YAML: {problem}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings at the top level, got {type(data).__name__}")
    for dotted, env_var in SECRET_KEYS.items():
        section, _, key = dotted.partition(".")
        if isinstance(data.get(section), dict) and key in data[section]:
            raise ConfigError(
                f"{path}: key '{dotted}' is a secret and is read only from the environment; "
                f"remove it from the file and set {env_var}"
            )
    return data


def _present_in(data: Any, loc: tuple) -> bool:
    for part in loc:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return False
    return True


def _describe_errors(exc: ValidationError, path: Path | None, yaml_data: dict[str, Any]) -> str:
    lines = []
    for error in exc.errors():
        loc = tuple(error.get("loc", ()))
        key = ".".join(str(part) for part in loc) or "(top level)"
        message = error.get("msg", "invalid value")
        if error.get("type") == "extra_forbidden":
            message = "unknown key (check its spelling against the configuration reference in README.md)"
        elif "input" in error and error.get("type") != "missing":
            shown = repr(error["input"])
            message += f" (got {shown[:80]})"
        if path is not None and loc and _present_in(yaml_data, loc[:1]):
            origin = str(path)
        elif loc:
            origin = "environment/flags (STARWATCH_" + "__".join(str(p).upper() for p in loc[:2]) + ")"
        else:
            origin = str(path) if path else "settings"
        lines.append(f"{origin}: {key}: {message}")
    return "invalid configuration:\n  " + "\n  ".join(lines)


def load_settings(
    config_path: Path | str | None = None, overrides: dict[str, Any] | None = None
) -> Settings:
    """Build the settings for this process; raises ``ConfigError`` with a fixable message.

    :param config_path: explicit YAML file (``--config``); see module docstring for the fallbacks.
    :param overrides: values from command-line flags, nested like the YAML file.

    Example::

        settings = load_settings("config/starwatch.yaml", {"store": {"backend": "sqlite"}})
        settings.store.sqlite_path
    """
    path = resolve_config_path(config_path)
    yaml_data = read_yaml_config(path) if path else {}
    token = _yaml_data.set(yaml_data)
    try:
        return Settings(**(overrides or {}))
    except ValidationError as exc:
        raise ConfigError(_describe_errors(exc, path, yaml_data)) from None
    finally:
        _yaml_data.reset(token)
