"""Head office sees who is locked out after too many wrong attempts and lets them back in."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.urls import reverse

from omniportal.throttle import MAX_FAILURES, PIN_SCOPE, SIGNIN_SCOPE, is_locked_out, lockouts, record_failure

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def _lock(scope: str, ident: str) -> None:
    for _ in range(MAX_FAILURES):
        record_failure(scope, ident)


def _wrong_passwords(client, username: str) -> None:
    for _ in range(MAX_FAILURES):
        client.post(reverse("login"), {"username": username, "password": "nope"})


def test_a_locked_identity_is_listed_and_one_with_fewer_failures_is_not():
    _lock(SIGNIN_SCOPE, "anna_milano")
    record_failure(SIGNIN_SCOPE, "marco_roma")
    assert [(lock.scope, lock.ident) for lock in lockouts()] == [(SIGNIN_SCOPE, "anna_milano")]


def test_a_lock_that_expired_drops_out_of_the_list():
    _lock(SIGNIN_SCOPE, "anna_milano")
    cache.delete(f"omniportal:fail:{SIGNIN_SCOPE}:anna_milano")  # what the counter's timeout does
    assert lockouts() == []


def test_head_office_sees_the_locked_associate(client, head_office, associate_milano):
    _wrong_passwords(client, "anna_milano")
    client.force_login(head_office)
    response = client.get(reverse("lockouts"))
    assert response.status_code == 200
    assert "anna_milano" in response.content.decode()


def test_head_office_unlock_lets_the_associate_sign_in_again(client, head_office, associate_milano):
    _wrong_passwords(client, "anna_milano")
    associate_milano.staff_profile.pin_hash = make_password("2468")
    associate_milano.staff_profile.save()
    _lock(PIN_SCOPE, str(associate_milano.pk))
    client.force_login(head_office)

    response = client.post(reverse("lockouts"), {"scope": SIGNIN_SCOPE, "ident": "anna_milano"})

    assert response.status_code == 302
    assert not is_locked_out(SIGNIN_SCOPE, "anna_milano")
    assert not is_locked_out(PIN_SCOPE, str(associate_milano.pk))  # the whole person, PIN included
    assert lockouts() == []
    client.logout()
    signed_in = client.post(reverse("login"), {"username": "anna_milano", "password": PASSWORD})
    assert signed_in.status_code == 302


def test_head_office_can_unlock_a_pin_alone(client, head_office, associate_milano):
    _lock(PIN_SCOPE, str(associate_milano.pk))
    client.force_login(head_office)
    client.post(reverse("lockouts"), {"scope": PIN_SCOPE, "ident": str(associate_milano.pk)})
    assert not is_locked_out(PIN_SCOPE, str(associate_milano.pk))


@pytest.mark.parametrize("person", ["associate_milano", "manager_milano"])
def test_store_staff_cannot_see_or_clear_lockouts(client, request, person):
    _lock(SIGNIN_SCOPE, "someone")
    client.force_login(request.getfixturevalue(person))
    assert client.get(reverse("lockouts")).status_code == 403
    assert client.post(reverse("lockouts"), {"scope": SIGNIN_SCOPE, "ident": "someone"}).status_code == 403
    assert is_locked_out(SIGNIN_SCOPE, "someone")


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse("lockouts"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_unlock_user_command_clears_password_and_pin(associate_milano):
    _lock(SIGNIN_SCOPE, "anna_milano")
    _lock(PIN_SCOPE, str(associate_milano.pk))
    call_command("unlock_user", "Anna_Milano")
    assert not is_locked_out(SIGNIN_SCOPE, "anna_milano")
    assert not is_locked_out(PIN_SCOPE, str(associate_milano.pk))


def test_unlock_user_command_refuses_an_unknown_name(db):
    with pytest.raises(CommandError):
        call_command("unlock_user", "nobody")


def test_lockouts_page_in_italian(client, head_office):
    client.force_login(head_office)
    body = client.get("/it/accounts/lockouts/").content.decode()
    assert "Blocchi accesso" in body
    assert "Nessun accesso bloccato." in body
