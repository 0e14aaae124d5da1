"""Pages carry a Content Security Policy without unsafe-inline scripts, and cookies suit shared tablets."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from omniportal.session_timeout import SEEN_KEY, STARTED_KEY

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def _nonce(response) -> str:
    (source,) = [value for value in _policy(response)["script-src"] if value.startswith("'nonce-")]
    return source.removeprefix("'nonce-").removesuffix("'")


def test_a_page_policy_allows_only_our_own_scripts_and_this_response_nonce(client, associate_milano):
    client.force_login(associate_milano)
    response = client.get(reverse("home"))
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"][0] == "'self'"
    assert len(policy["script-src"]) == 2
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]  # not for scripts, styles nor attributes
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]


def test_htmx_script_tag_carries_the_nonce_of_the_header(client, associate_milano):
    client.force_login(associate_milano)
    response = client.get(reverse("home"))
    assert f'src="/static/django_htmx/htmx-2.min.js" defer nonce="{_nonce(response)}"' in response.content.decode()


def test_each_response_gets_a_new_nonce(client):
    assert _nonce(client.get(reverse("login"))) != _nonce(client.get(reverse("login")))


def test_htmx_runs_without_eval_or_injected_styles(client):
    body = client.get(reverse("login")).content.decode()
    assert """<meta name="htmx-config" content='{"allowEval": false, "includeIndicatorStyles": false}'>""" in body


def test_inline_style_blocks_carry_the_nonce(client, manager_milano):
    client.force_login(manager_milano)
    response = client.get(reverse("api-docs"))  # the one page left with a style block (drf-spectacular's)
    assert response.status_code == 200
    styles = re.findall(r"<style[^>]*>", response.content.decode())
    assert styles
    assert all(tag == f'<style nonce="{_nonce(response)}">' for tag in styles)


@pytest.mark.parametrize("url_name", ["insights", "commissions", "commissions-network"])
def test_pages_take_their_styles_from_our_stylesheets(client, head_office, store_milano, url_name):
    """Issue 15 moved the commission and insight pages' style blocks into static/css/portal.css."""
    client.force_login(head_office)
    body = client.get(reverse(url_name)).content.decode()
    assert "<style" not in body
    assert 'href="/static/css/portal.css"' in body


def test_no_template_has_an_inline_script_or_event_handler():
    root = Path(settings.BASE_DIR)
    templates = [
        path
        for pattern in ("templates/**/*.html", "*/templates/**/*.html")
        for path in root.glob(pattern)
        if ".venv" not in path.parts
    ]
    assert templates
    offenders = []
    for path in templates:
        text = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and "nonce=" not in tag:
                offenders.append(f"{path}: {tag}")
        offenders += [f"{path}: {m}" for m in re.findall(r"\s(on[a-z]+|hx-on[:\w-]*)=[\"']", text)]
        offenders += [f"{path}: {tag}" for tag in re.findall(r"<style\b[^>]*>", text) if "nonce=" not in tag]
    assert offenders == []


def test_api_docs_serve_their_script_from_our_origin_and_style_with_the_nonce(client):
    response = client.get(reverse("api-docs"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<script>" not in body
    assert f'<style nonce="{_nonce(response)}">' in body
    script = client.get(reverse("api-docs") + "?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")


def test_admin_has_the_same_policy(client, head_office):
    client.force_login(head_office)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "'unsafe-inline'" not in _policy(response)["script-src"]


def test_session_and_csrf_cookies_are_httponly_and_same_site_lax(client, associate_milano):
    response = client.post(reverse("login"), {"username": "anna_milano", "password": PASSWORD})
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["httponly"] and session["samesite"] == "Lax"
    assert session["max-age"] == settings.SESSION_HOURS * 3600
    client.get(reverse("login"))
    csrf = client.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["httponly"] and csrf["samesite"] == "Lax"


def test_referrer_and_opener_policies(client):
    response = client.get(reverse("login"))
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def _age_session(client, *, idle_seconds: float, signed_in_seconds: float) -> None:
    session = client.session
    now = time.time()
    session[SEEN_KEY] = now - idle_seconds
    session[STARTED_KEY] = now - signed_in_seconds
    session.save()


def test_an_idle_tablet_is_signed_out(client, associate_milano):
    client.post(reverse("login"), {"username": "anna_milano", "password": PASSWORD})
    _age_session(client, idle_seconds=settings.SESSION_IDLE_MINUTES * 60 + 1, signed_in_seconds=3600)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_active_tablet_stays_signed_in_and_its_last_activity_moves(client, associate_milano):
    client.post(reverse("login"), {"username": "anna_milano", "password": PASSWORD})
    _age_session(client, idle_seconds=settings.SESSION_IDLE_MINUTES * 60 - 60, signed_in_seconds=3600)
    assert client.get(reverse("home")).status_code == 200
    assert time.time() - client.session[SEEN_KEY] < 60


def test_background_polling_is_not_activity(client, associate_milano):
    client.post(reverse("login"), {"username": "anna_milano", "password": PASSWORD})
    _age_session(client, idle_seconds=600, signed_in_seconds=3600)
    client.get(reverse("home") + "?part=in-store-now", headers={"HX-Request": "true", "X-Omniportal-Background": "1"})
    assert time.time() - client.session[SEEN_KEY] >= 600


def test_an_idle_htmx_request_reloads_the_page_to_the_sign_in(client, associate_milano):
    client.post(reverse("login"), {"username": "anna_milano", "password": PASSWORD})
    _age_session(client, idle_seconds=settings.SESSION_IDLE_MINUTES * 60 + 1, signed_in_seconds=3600)
    response = client.get(reverse("home") + "?part=in-store-now", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Refresh"] == "true"


def test_a_shift_ends_after_session_hours_even_when_active(client, associate_milano):
    client.post(reverse("login"), {"username": "anna_milano", "password": PASSWORD})
    _age_session(client, idle_seconds=61, signed_in_seconds=settings.SESSION_HOURS * 3600 + 1)
    assert client.get(reverse("home")).status_code == 302
