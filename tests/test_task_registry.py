"""A worker knows every task it may be sent: those of the beat schedule and those the apps
queue, under the names that messages already queued carry (some tasks live outside the
`tasks` modules autodiscovery finds, and reach the worker through CELERY_IMPORTS)."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
# A fresh interpreter, as a worker starts: nothing that another test imported counts.
WORKER = """
import json, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cobudget.settings")
import django
django.setup()
from cobudget.celery import app
app.loader.import_default_modules()
print(json.dumps(sorted(app.tasks)))
"""

QUEUED = {
    "allocations.tasks.send_closing_reminder",
    "allocations.tasks.send_round_results",
    "integrations.tasks.deliver",
    "notifications.tasks.notify_invitations",
    "notifications.tasks.send_batch",
    "notifications.tasks.send_notification_mail",
    "proposals.tasks.notify_closed",
    "proposals.tasks.notify_opened",
    "proposals.tasks.notify_opened_many",
    "proposals.tasks.send_reminder",
}


def test_the_worker_registers_every_scheduled_and_queued_task():
    out = subprocess.run([sys.executable, "-c", WORKER], cwd=ROOT, env={**os.environ, "REDIS_URL": ""},
                         capture_output=True, text=True, timeout=60, check=True).stdout
    registered = set(json.loads(out.splitlines()[-1]))
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled == {"allocations.tasks.sweep", "notifications.tasks.flush_batches", "notifications.tasks.send_digests",
                         "integrations.tasks.send_due_deliveries"}
    missing = (scheduled | QUEUED) - registered
    assert not missing, f"not registered in the worker: {sorted(missing)}"
