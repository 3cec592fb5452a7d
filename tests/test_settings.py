"""Production settings: `check --deploy` clean with the documented variables; HTTPS=1 turns on
the HTTPS-only settings; DEBUG=0 works on plain loopback HTTP."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DEBUG": "0",
    "HTTPS": "1",
    "SECRET_KEY": "k7Jc2vQ9pX4mZr8tLw1yN6bF3hD5sG0aE_uV-iOqR2eT9yU4iO7pA1sD3fG6hJ8k",
    "ALLOWED_HOSTS": "cobudget.example.org",
}


def run_manage(*args, env_extra):
    dropped = ("DEBUG", "HTTPS", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_reports_nothing_under_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env_extra=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_without_https_settings():
    env = dict(PRODUCTION, HTTPS="0")
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env_extra=env)
    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT" in result.stdout + result.stderr


def test_a_bad_boolean_fails_loudly_at_start_up():
    result = run_manage("check", env_extra={"DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG must be 0 or 1" in result.stderr


def test_https_settings_make_cookies_secure_and_http_only(settings):
    # The settings module is evaluated once; read what HTTPS=1 produces in a subprocess.
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SECURE_HSTS_SECONDS > 0, s.SECURE_SSL_REDIRECT)"
    )
    result = run_manage("shell", "-c", code, env_extra=PRODUCTION)
    assert result.stdout.strip().splitlines()[-1].split() == ["True", "True", "True", "True", "True"], result.stderr


def test_log_level_quiets_djangos_own_warnings():
    """LOG_LEVEL=ERROR keeps out the "Conflict: /api/…" line Django's request logger writes for
    every 409 (its logger is set to INFO by Django); the default still shows it."""
    code = (
        "import logging, django; django.setup(); "
        "logging.getLogger('django.request').warning('Conflict: /api/buckets/1/allocation/')"
    )
    for level, shown in (("ERROR", False), ("WARNING", True)):
        env = {k: v for k, v in os.environ.items() if k != "LOG_LEVEL"}
        env.update(LOG_LEVEL=level, DJANGO_SETTINGS_MODULE="cobudget.settings")
        result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                                timeout=60)
        assert result.returncode == 0, result.stderr
        assert ("Conflict" in result.stderr) is shown, (level, result.stderr)
