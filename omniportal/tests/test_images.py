from __future__ import annotations

import pytest

from omniportal.images import displayable_image


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("/static/demo/products/coat-navy.svg", True),  # our own static files
        ("https://img.example.com/p/1.jpg", True),  # the allowed image host
        ("https://IMG.example.com/p/1.jpg", True),
        ("https://elsewhere.example/p/1.jpg", False),  # the browser would refuse it
        ("//img.example.com/p/1.jpg", False),
        ("javascript:alert(1)", False),
        ("data:image/png;base64,AAAA", False),
        ("", False),
        (None, False),
    ],
)
def test_a_picture_is_shown_only_from_where_the_policy_lets_the_browser_load_it(settings, url, shown):
    settings.PRODUCT_IMAGE_ORIGINS = ["https://img.example.com"]
    assert displayable_image(url) == (url if shown else "")
