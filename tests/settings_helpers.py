"""Settings read in a fresh process (the settings module is evaluated once per process)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, env_extra):
    dropped = ("DJANGO_ALLOW_ASYNC_UNSAFE", "S3_BUCKET", "PRIVATE_STORAGE_ROOT")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(env_extra)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
