from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def _sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_right_password_signs_in_and_goes_home(client, associate_milano):
    response = _sign_in(client, "anna_milano", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_wrong_password_is_explained(client, associate_milano):
    response = _sign_in(client, "anna_milano", "nope")
    assert response.status_code == 200
    assert "didn&#x27;t match" in response.content.decode()


def test_five_wrong_passwords_lock_the_username_even_for_the_right_password(client, associate_milano):
    for _ in range(5):
        _sign_in(client, "anna_milano", "nope")
    response = _sign_in(client, "Anna_Milano", PASSWORD)
    assert response.status_code == 200
    assert "Too many wrong attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_successful_sign_in_resets_the_counter(client, associate_milano):
    for _ in range(4):
        _sign_in(client, "anna_milano", "nope")
    assert _sign_in(client, "anna_milano", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        _sign_in(client, "anna_milano", "nope")
    assert _sign_in(client, "anna_milano", PASSWORD).status_code == 302


def test_lockout_of_one_person_does_not_lock_another(client, associate_milano, manager_milano):
    for _ in range(5):
        _sign_in(client, "anna_milano", "nope")
    assert _sign_in(client, "marco_milano", PASSWORD).status_code == 302
