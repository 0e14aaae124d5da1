"""Which picture addresses a page may show: our own static files, or the image host head office allowed.

The content security policy's img-src is 'self' plus PRODUCT_IMAGE_ORIGINS (settings). A product image from
anywhere else would be refused by the browser (a broken picture and a console error on a store tablet), so the
page shows the neutral placeholder instead.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings


def displayable_image(url: str | None) -> str:
    """`url` when the page's policy lets the browser load it, else "" (show the placeholder)."""
    if not url:
        return ""
    if url.startswith("/") and not url.startswith("//"):
        return url  # our own static files (the demo's pictures)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    origin = f"{parts.scheme}://{parts.netloc}".lower()
    return url if origin in {allowed.lower() for allowed in settings.PRODUCT_IMAGE_ORIGINS} else ""
