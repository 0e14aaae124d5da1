from __future__ import annotations

import re

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz", "/accounts/login/", "/api/v1/stores/", "/no-such-page/"])
def test_every_response_says_how_long_django_spent_on_it(client, path):
    response = client.get(path)
    timing = re.fullmatch(r"app;dur=(\d+\.\d{2})", response["Server-Timing"])
    assert timing is not None, response["Server-Timing"]
    assert float(timing.group(1)) > 0
