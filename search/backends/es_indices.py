"""Index lifecycle of ``ElasticsearchReviewStore``: aliases, index templates, first creation.

A mixin: the store supplies ``alias``, ``index_name``, ``definition``, ``index_prefix``,
``_calling`` and ``_ready``. Every index is reached through its alias ``<prefix>-<name>``; its
template ``<prefix>-<name>`` (pattern ``<prefix>-<name>-*``) holds the definition this store
creates, so an index made by hand or by a migration gets the same mapping. Reads no settings.
"""

from __future__ import annotations

from search.mappings import MAPPING_NAMES


class ElasticsearchIndicesMixin:
    """Creating what is missing, and nothing more: see ``ensure_ready``."""

    def ensure_ready(self) -> None:
        """Create the missing indices (latest version, behind their aliases) in one check (idempotent).

        An alias that already exists is left alone, even on an older version: the store keeps
        working on it, and ``starwatch index migrate`` moves it to the latest version. Existing
        aliases cost one request here, not a template write each, because every capability call
        opens a store and cluster-state writes are slow.
        """
        with self._calling("checking indices") as client:
            present = client.options(ignore_status=404).indices.get_alias(name=f"{self.index_prefix}-*").body
        aliases = {alias for body in present.values() if isinstance(body, dict) for alias in body.get("aliases", {})}
        for name in MAPPING_NAMES:
            if self.alias(name) in aliases:
                self._ready.add(name)
            else:
                self._create(name)

    def _create(self, name: str) -> None:
        """Make sure ``name``'s alias exists, creating the index, its template and its alias if not."""
        alias = self.alias(name)
        with self._calling(f"checking {alias}") as client:
            exists = client.indices.exists_alias(name=alias)
        if not exists:
            self.put_template(name)
            self._create_index(name)
        self._ready.add(name)

    def put_template(self, name: str) -> None:
        """Install the definition this store creates as the index template of ``<prefix>-<name>-*``."""
        definition = self.definition(name)
        alias = self.alias(name)
        with self._calling(f"installing the index template {alias}") as client:
            client.indices.put_index_template(
                name=alias,
                index_patterns=[f"{alias}-*"],
                template={"settings": definition["settings"], "mappings": definition["mappings"]},
                priority=200,
                meta={**definition.get("_meta", {}), "managed_by": "starwatch"},
            )

    def _create_index(self, name: str) -> None:
        from elasticsearch import BadRequestError

        alias, index = self.alias(name), self.index_name(name)
        with self._calling(f"creating index {index}") as client:
            try:
                client.indices.create(index=index, aliases={alias: {"is_write_index": True}})
            except BadRequestError as exc:  # another process created it first
                if exc.error != "resource_already_exists_exception":
                    raise
                client.indices.put_alias(index=index, name=alias, is_write_index=True)
