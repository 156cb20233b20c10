"""Test-only Celery entry point: the production app, plus a pause at the start of every task.

``test_celery_worker.py`` starts a worker with ``-A paused_worker_app`` so that it can kill the
worker while a task is in progress. The hook lives here, in the tests, so that no production
code path reads a test switch. Environment read (set by the test only):
- ``STARWATCH_TEST_TASK_STARTED_FILE``: a file written with the task id when a task starts;
- ``STARWATCH_TEST_TASK_PAUSE_SECONDS``: how long the task then waits before doing its work.
"""

import os
import time
from pathlib import Path

from celery import signals

from workers.celery_app import app  # noqa: F401 - the app this module exposes to `celery -A`


@signals.task_prerun.connect
def _announce_and_pause(task_id=None, **_):
    started_file = os.environ.get("STARWATCH_TEST_TASK_STARTED_FILE")
    if started_file:
        Path(started_file).write_text(str(task_id), encoding="utf-8")
    time.sleep(float(os.environ.get("STARWATCH_TEST_TASK_PAUSE_SECONDS", "0")))
