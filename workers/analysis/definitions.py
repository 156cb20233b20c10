"""Load the aspect, integrity and solicitation definitions from ``config/aspects/*.yaml``.

Definitions are data so that a customer-experience team can add a vertical, a language or a
term without a code change (see ``config/aspects/README.md`` for the format). Every file is
validated when it is loaded: a mistake stops the worker at start with the file, the entry and
what to fix, rather than silently tagging nothing.

Settings read (passed in by ``workers.analysis.scorers.build_analyzer``):
``analysis.aspects_dir`` (where the files are; the ones shipped with starwatch by default) and
``analysis.aspect_verticals`` (which domain verticals are on; the CX criteria always are).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Literal

import yaml
import config
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from workers.analysis.patterns import PatternError, fold_words
from workers.analysis.term_index import TermIndex

DEFAULT_DIRECTORY = Path(config.__file__).resolve().parent / "aspects"
ALWAYS_ON_VERTICALS = frozenset({"cx"})
_NAME = r"^[a-z][a-z0-9_]{0,40}$"


class DefinitionError(ValueError):
    """A definitions file is missing or invalid; the message names the file and the fix."""


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    description: str
    terms: dict[str, list[str]] = Field(min_length=1)
    examples: dict[str, list[str]] = Field(default_factory=dict)
    negatable: bool = True


class _AspectFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["aspects"]
    vertical: str = Field(pattern=_NAME)
    aspects: dict[str, _Entry]


class _FlagFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["flags"]
    prefix: str = Field(pattern=_NAME)
    negators: dict[str, list[str]] = Field(default_factory=dict)
    flags: dict[str, _Entry]


@dataclass
class Definitions:
    """Term indexes per language: aspects (labelled by name) and flags (labelled "prefix:name")."""

    aspects: dict[str, TermIndex] = field(default_factory=dict)  # language -> every aspect's terms
    flags: dict[str, TermIndex] = field(default_factory=dict)  # language -> every flag's terms
    negators: dict[str, dict[str, frozenset[str]]] = field(default_factory=dict)  # flag prefix -> language -> words
    examples: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # label -> language -> sentences
    verticals: list[str] = field(default_factory=list)
    not_negatable: set[str] = field(default_factory=set)  # flags whose terms carry their own negation

    @cached_property
    def matcher(self) -> TermIndex:
        """Aspects and flags of every language in one index, so a text's words are read once;
        each match carries its ``kind`` (``"aspect"``/``"flag"``) and ``language``."""
        indexes = {("aspect", language): index for language, index in self.aspects.items()}
        indexes.update({("flag", language): index for language, index in self.flags.items()})
        return TermIndex.merged(indexes)


def load_definitions(directory: Path | str | None = None, verticals: tuple[str, ...] | None = None) -> Definitions:
    """Every definitions file of ``directory``; only the listed verticals' aspects (all when ``None``)."""
    directory = Path(directory) if directory else DEFAULT_DIRECTORY
    files = sorted(directory.glob("*.yaml")) if directory.is_dir() else []
    if not files:
        raise DefinitionError(f"no aspect definitions (*.yaml) in {directory}; set analysis.aspects_dir to the "
                              "folder holding them (starwatch ships config/aspects/)")
    definitions = Definitions()
    for path in files:
        _load_file(path, definitions, verticals)
    if verticals is not None:
        missing = set(verticals) - set(definitions.verticals)
        if missing:
            raise DefinitionError(f"analysis.aspect_verticals names {sorted(missing)}, which no file in {directory} "
                                  f"defines (available: {sorted(definitions.verticals)}); fix the setting or add the file")
    return definitions


@cache
def cached_definitions(directory: str | None, verticals: tuple[str, ...] | None) -> Definitions:
    return load_definitions(directory, verticals)


def _load_file(path: Path, definitions: Definitions, verticals: tuple[str, ...] | None) -> None:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        model = (_FlagFile if isinstance(raw, dict) and raw.get("kind") == "flags" else _AspectFile).model_validate(raw)
    except yaml.YAMLError as exc:
        raise DefinitionError(f"{path}: not valid YAML ({exc}); fix the syntax") from None
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:3])
        raise DefinitionError(f"{path}: {problems} (see config/aspects/README.md for the format)") from None
    try:
        if isinstance(model, _AspectFile):
            definitions.verticals.append(model.vertical)
            if verticals is None or model.vertical in verticals or model.vertical in ALWAYS_ON_VERTICALS:
                _add_entries(definitions, definitions.aspects, model.aspects, "", path)
        else:
            _add_entries(definitions, definitions.flags, model.flags, model.prefix + ":", path)
            definitions.negators[model.prefix] = {lang: fold_words(words) for lang, words in model.negators.items()}
    except PatternError as exc:
        raise DefinitionError(str(exc)) from None


def _add_entries(definitions: Definitions, target, entries: dict[str, _Entry], prefix: str, path: Path) -> None:
    for name, entry in entries.items():
        if not name.replace("_", "").isalnum() or name != name.lower():
            raise DefinitionError(f"{path}: {name!r}: names are lowercase snake_case (e.g. hidden_fees)")
        label = prefix + name
        for language, terms in entry.terms.items():
            target.setdefault(language, TermIndex()).add(label, terms, f"{path} [{language}]")
        definitions.examples[label] = entry.examples
        if not entry.negatable:
            definitions.not_negatable.add(label)
