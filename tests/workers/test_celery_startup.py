"""A broken configuration never breaks an import, and stops a worker at start with its message."""

import subprocess
import sys

from worker_support import worker_environment


def run(command, environment, workdir):
    return subprocess.run(command, cwd=workdir, env=environment, capture_output=True, text=True, timeout=60)


def broken_environment(tmp_path):
    return worker_environment("redis://127.0.0.1:1/0", tmp_path / "s.sqlite", STARWATCH_TASKS__MODE="bogus")


def test_importing_the_app_and_tasks_survives_a_broken_config(tmp_path):
    completed = run([sys.executable, "-c", "import workers.celery_app, workers.tasks, workers.dispatch"],
                    broken_environment(tmp_path), tmp_path)
    assert completed.returncode == 0, completed.stderr


def test_a_worker_with_a_broken_config_stops_with_the_config_error(tmp_path):
    completed = run([sys.executable, "-m", "celery", "-A", "workers.celery_app", "worker", "-P", "solo"],
                    broken_environment(tmp_path), tmp_path)
    assert completed.returncode != 0
    output = completed.stdout + completed.stderr
    assert "starwatch: cannot start Celery: invalid configuration" in output
    assert "STARWATCH_TASKS__MODE" in output and "'inprocess' or 'celery'" in output
    assert "amqp://" not in output  # never falls back to Celery's built-in broker
