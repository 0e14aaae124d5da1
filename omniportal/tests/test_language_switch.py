"""The footer's language switcher takes the person to the same page in the other language."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def _next_field(body: str) -> str:
    return re.search(r'<input name="next" type="hidden" value="([^"]*)"', body).group(1).replace("&amp;", "&")


@pytest.mark.parametrize(
    ("page", "language", "lands_on"),
    [
        ("/customers/?q=ros", "it", "/it/customers/?q=ros"),
        ("/it/customers/?q=ros", "en", "/customers/?q=ros"),
        ("/inventory/", "it", "/it/inventory/"),
        ("/", "it", "/it/"),
    ],
)
def test_switching_language_keeps_the_page(client, associate_milano, page, language, lands_on):
    client.force_login(associate_milano)
    next_url = _next_field(client.get(page).content.decode())
    response = client.post("/i18n/setlang/", {"next": next_url, "language": language})
    assert response.status_code == 302 and response["Location"] == lands_on
    assert client.get(lands_on).status_code == 200
