"""GET /healthz: 200 when the database (and Redis) answer, 503 naming what fails."""

import pytest
from django.db import connection


@pytest.mark.django_db
def test_it_is_ok_when_everything_answers(client, settings):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_it_is_503_naming_the_database_when_it_does_not_answer(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise connection.Database.OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "error"
    assert "refused" in response.json()["errors"]["database"]


@pytest.mark.django_db
def test_it_is_503_naming_redis_when_redis_does_not_answer(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "redis": "error"}
