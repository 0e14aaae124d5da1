from __future__ import annotations

import pytest
from django.conf import settings
from django.test import override_settings

pytestmark = pytest.mark.django_db


@override_settings(REDIS_URL="")
def test_healthz_answers_ok_without_a_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "not configured"}


@override_settings(REDIS_URL="redis://127.0.0.1:1/0")
def test_healthz_is_503_and_names_the_broker_when_redis_does_not_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "error"}


@pytest.mark.redis
def test_healthz_reports_the_real_broker_ok(client):
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL (CI runs it against real Redis)")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["broker"] == "ok"
