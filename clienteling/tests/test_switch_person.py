"""Shared tablets: full sign-in once a day, then a personal PIN switches person within STAFF_PIN_HOURS."""

from __future__ import annotations

import json
import time

import pytest
from django.core import signing
from django.core.cache import cache
from django.test import Client

from clienteling.factories import CustomerFactory
from clienteling.models import ProfileAccess
from omniportal.tests.tablet_support import full_sign_in
from omniportal.views_switch import _COOKIE_SALT, DEVICE_COOKIE

pytestmark = pytest.mark.django_db
SWITCH = "/accounts/switch/"


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def signed_in_user_pk(client):
    return client.session.get("_auth_user_id")


def test_switch_lists_only_people_who_signed_in_on_this_device(
    client, associate_milano, manager_milano, associate_roma
):
    full_sign_in(client, associate_milano)
    full_sign_in(client, manager_milano)
    body = client.get(SWITCH).content.decode()
    assert "Anna Test" in body and "Marco Test" in body and "Giulia Test" not in body


def test_a_fresh_device_lists_nobody(client, associate_milano):
    body = client.get(SWITCH).content.decode()
    assert 'data-testid="switch-nobody"' in body


def test_right_pin_switches_the_signed_in_person(client, associate_milano, manager_milano):
    full_sign_in(client, associate_milano)
    full_sign_in(client, manager_milano)
    response = client.post(SWITCH, {"person": associate_milano.pk, "pin": "1234"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in_user_pk(client) == str(associate_milano.pk)


def test_after_a_switch_profile_views_are_attributed_to_the_new_person(client, associate_milano, manager_milano):
    customer = CustomerFactory()
    full_sign_in(client, associate_milano)
    full_sign_in(client, manager_milano)
    client.post(SWITCH, {"person": associate_milano.pk, "pin": "1234"})
    client.get(f"/customers/{customer.pk}/")
    assert ProfileAccess.objects.get().user == associate_milano


def test_wrong_pin_does_not_switch(client, associate_milano, manager_milano):
    full_sign_in(client, associate_milano)
    full_sign_in(client, manager_milano)
    response = client.post(SWITCH, {"person": associate_milano.pk, "pin": "9999"})
    assert response.status_code == 400 and "4 attempts left" in response.content.decode()
    assert signed_in_user_pk(client) == str(manager_milano.pk)


def test_five_wrong_pins_lock_the_pin_even_for_the_right_one(client, associate_milano, manager_milano):
    full_sign_in(client, associate_milano)
    full_sign_in(client, manager_milano)
    for _ in range(5):
        client.post(SWITCH, {"person": associate_milano.pk, "pin": "0000"})
    response = client.post(SWITCH, {"person": associate_milano.pk, "pin": "1234"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert signed_in_user_pk(client) != str(associate_milano.pk)


def test_the_lock_holds_on_another_tablet(client, associate_milano):
    other_tablet = Client()
    full_sign_in(other_tablet, associate_milano)
    other_tablet.post("/accounts/logout/")
    full_sign_in(client, associate_milano)
    client.post("/accounts/logout/")
    for _ in range(5):
        client.post(SWITCH, {"person": associate_milano.pk, "pin": "0000"})
    response = other_tablet.post(SWITCH, {"person": associate_milano.pk, "pin": "1234"})
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in other_tablet.session


def test_a_password_sign_in_unlocks_the_pin(client, associate_milano, manager_milano):
    full_sign_in(client, associate_milano)
    full_sign_in(client, manager_milano)
    for _ in range(5):
        client.post(SWITCH, {"person": associate_milano.pk, "pin": "0000"})
    full_sign_in(client, associate_milano)
    full_sign_in(client, manager_milano)
    client.post(SWITCH, {"person": associate_milano.pk, "pin": "1234"})
    assert signed_in_user_pk(client) == str(associate_milano.pk)


def _device_cookie(client, entries) -> None:
    value = signing.get_cookie_signer(salt=DEVICE_COOKIE + _COOKIE_SALT).sign(json.dumps(entries))
    client.cookies[DEVICE_COOKIE] = value


def test_the_pin_expires_staff_pin_hours_after_the_full_sign_in(client, settings, associate_milano):
    settings.STAFF_PIN_HOURS = 1
    _device_cookie(client, [{"u": associate_milano.pk, "t": time.time() - 3600 - 60}])
    assert "Anna Test" not in client.get(SWITCH).content.decode()
    response = client.post(SWITCH, {"person": associate_milano.pk, "pin": "1234"})
    assert response.status_code == 400 and "_auth_user_id" not in client.session


def test_a_sign_in_within_the_window_is_still_valid(client, settings, associate_milano):
    settings.STAFF_PIN_HOURS = 1
    _device_cookie(client, [{"u": associate_milano.pk, "t": time.time() - 60}])
    client.post(SWITCH, {"person": associate_milano.pk, "pin": "1234"})
    assert signed_in_user_pk(client) == str(associate_milano.pk)


def test_a_forged_device_cookie_is_ignored(client, associate_milano):
    client.cookies[DEVICE_COOKIE] = json.dumps([{"u": associate_milano.pk, "t": time.time()}])
    response = client.post(SWITCH, {"person": associate_milano.pk, "pin": "1234"})
    assert response.status_code == 400 and "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "entries", ["not a list", [1, 2], [{"u": "x", "t": "y"}], [{"u": 1, "t": 1e300}], [{"u": 1, "t": -1e300}], [None]]
)
def test_odd_cookie_contents_never_fail(client, associate_milano, entries):
    _device_cookie(client, entries)
    assert client.get(SWITCH).status_code == 200


@pytest.mark.parametrize(
    "data", [{}, {"person": "abc", "pin": "1234"}, {"person": "1", "pin": ""}, {"person": "9" * 40, "pin": "1"}]
)
def test_malformed_switch_posts_never_fail(client, associate_milano, data):
    full_sign_in(client, associate_milano)
    assert client.post(SWITCH, data).status_code == 400


def test_a_person_without_a_pin_cannot_switch(client, associate_milano, manager_milano):
    profile = associate_milano.staff_profile
    profile.pin_hash = ""
    profile.save()
    full_sign_in(client, associate_milano)
    full_sign_in(client, manager_milano)
    assert client.post(SWITCH, {"person": associate_milano.pk, "pin": "1234"}).status_code == 400
