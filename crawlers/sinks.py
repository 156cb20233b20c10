"""Sinks other than the task queue: where batches go when a crawl is run on its own.

``JsonlFileSink(path)`` appends each batch as one JSON line. The runner's ``--output FILE`` uses
it to crawl without workers (inspecting a new source, the demo, the crawler tests). A sink is any
callable taking the batch dict; see ``crawlers.pipelines.handoff``. No settings are read.
"""

from __future__ import annotations

import json
from pathlib import Path


class JsonlFileSink:
    """Append each batch to a JSON Lines file (one batch per line)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def __call__(self, batch: dict) -> None:
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(batch, ensure_ascii=False) + "\n")

    def __repr__(self) -> str:
        return f"JsonlFileSink({str(self.path)!r})"


def read_batches(path: str | Path) -> list[dict]:
    """The batches a ``JsonlFileSink`` wrote, in order."""
    with Path(path).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]
