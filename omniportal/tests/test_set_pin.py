"""Setting a personal PIN: the signed-in person on "Set my PIN", head office in the admin, both through one rule."""

from __future__ import annotations

from io import StringIO

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.urls import reverse

from omniportal.models import StaffProfile
from omniportal.pins import InvalidPin, is_guessable_pin, validate_new_pin, validate_pin_format
from omniportal.services import staff_pin_set
from omniportal.tests.tablet_support import PASSWORD, full_sign_in
from omniportal.throttle import MAX_FAILURES, PIN_SCOPE, SIGNIN_SCOPE, is_locked_out, record_failure

pytestmark = pytest.mark.django_db


SET_PIN = "/accounts/pin/"
SWITCH = "/accounts/switch/"


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def set_pin(client, pin: str, *, again: str | None = None, password: str = PASSWORD):
    return client.post(
        SET_PIN, {"current_password": password, "new_pin": pin, "new_pin_again": pin if again is None else again}
    )


def pin_hash(user) -> str:
    user.staff_profile.refresh_from_db()
    return user.staff_profile.pin_hash


def signed_in_user_pk(client):
    return client.session.get("_auth_user_id")


# The rule ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("pin", ["0000", "1111", "99999999", "1234", "4321", "3456", "98765", "7890", "0987"])
def test_guessable_pins(pin):
    assert is_guessable_pin(pin)
    with pytest.raises(InvalidPin):
        validate_new_pin(pin)


@pytest.mark.parametrize("pin", ["2580", "1357", "1231", "90210", "12345670", "1122"])
def test_pins_that_are_not_guessable(pin):
    assert not is_guessable_pin(pin)
    validate_new_pin(pin)


@pytest.mark.parametrize("pin", ["", "123", "123456789", "12a4", " 2580", "2580\n", "²²²²", "١٢٣٤", "12.5"])
def test_malformed_pins(pin):
    with pytest.raises(InvalidPin):
        validate_pin_format(pin)


def test_create_user_keeps_the_format_rule_only_so_the_demo_pin_still_works(store_milano):
    call_command("create_user", "sara", "--role", "associate", "--store", "MI01", "--pin", "1234", stdout=StringIO())
    assert check_password("1234", get_user_model().objects.get(username="sara").staff_profile.pin_hash)


def test_create_user_refuses_a_malformed_pin_and_writes_nothing(store_milano):
    with pytest.raises(CommandError, match="--pin: A PIN is 4 to 8 digits"):
        call_command(
            "create_user", "sara", "--role", "associate", "--store", "MI01", "--pin", "١٢٣٤", stdout=StringIO()
        )
    assert not get_user_model().objects.filter(username="sara").exists()


def test_the_service_refuses_a_person_without_a_staff_profile(db):
    user = get_user_model().objects.create_user("walter", password=PASSWORD)
    with pytest.raises(StaffProfile.DoesNotExist):
        staff_pin_set(user=user, pin="2580")


# Set my PIN ----------------------------------------------------------------------------------------------------


def test_the_page_needs_a_sign_in(client, associate_milano):
    response = client.get(SET_PIN)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")


def test_the_header_links_to_the_page(client, associate_milano):
    client.force_login(associate_milano)
    body = client.get("/").content.decode()
    assert f'href="{reverse("set-pin")}" data-testid="set-pin-link"' in body


def test_the_page_asks_for_the_password_and_the_pin_twice(client, associate_milano):
    client.force_login(associate_milano)
    response = client.get(SET_PIN)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="current_password"' in body and 'name="new_pin"' in body and 'name="new_pin_again"' in body


def test_a_person_without_a_staff_profile_gets_no_page_and_no_link(client, db):
    superuser = get_user_model().objects.create_superuser("root", password=PASSWORD)  # sees pages, has no profile
    client.force_login(superuser)
    assert client.get(SET_PIN).status_code == 404
    body = client.get("/").content.decode()
    assert 'data-testid="signed-in-as"' in body and 'data-testid="set-pin-link"' not in body


def test_a_new_pin_is_stored_hashed_and_said_so(client, associate_milano):
    client.force_login(associate_milano)
    response = set_pin(client, "2580")
    assert response.status_code == 302 and response["Location"] == "/"
    assert check_password("2580", pin_hash(associate_milano))
    assert "Your PIN is set." in client.get("/").content.decode()


def test_a_wrong_current_password_is_refused_and_the_pin_is_unchanged(client, associate_milano):
    before = pin_hash(associate_milano)
    client.force_login(associate_milano)
    response = set_pin(client, "2580", password="not-my-password")
    assert response.status_code == 400 and "That is not your password." in response.content.decode()
    assert pin_hash(associate_milano) == before


def test_wrong_current_passwords_lock_the_password_sign_in_like_the_sign_in_page(client, associate_milano):
    before = pin_hash(associate_milano)
    client.force_login(associate_milano)
    for _ in range(MAX_FAILURES):
        set_pin(client, "2580", password="not-my-password")
    assert is_locked_out(SIGNIN_SCOPE, "anna_milano")
    response = set_pin(client, "2580")  # the right password no longer helps
    assert response.status_code == 400 and "Too many wrong attempts." in response.content.decode()
    assert pin_hash(associate_milano) == before


def test_a_right_password_resets_the_count_of_wrong_ones(client, associate_milano):
    client.force_login(associate_milano)
    for _ in range(MAX_FAILURES - 1):
        set_pin(client, "2580", password="not-my-password")
    set_pin(client, "2580")
    set_pin(client, "2581", password="not-my-password")
    assert not is_locked_out(SIGNIN_SCOPE, "anna_milano")


def test_pins_that_do_not_match_are_refused(client, associate_milano):
    before = pin_hash(associate_milano)
    client.force_login(associate_milano)
    response = set_pin(client, "2580", again="2581")
    assert response.status_code == 400 and "The two PINs do not match." in response.content.decode()
    assert pin_hash(associate_milano) == before


@pytest.mark.parametrize("pin", ["0000", "1111", "1234", "4321", "5678"])
def test_a_guessable_pin_is_refused(client, associate_milano, pin):
    before = pin_hash(associate_milano)
    client.force_login(associate_milano)
    response = set_pin(client, pin)
    assert response.status_code == 400 and "This PIN is too easy to guess." in response.content.decode()
    assert pin_hash(associate_milano) == before


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", "١٢٣٤"])
def test_a_malformed_pin_is_refused(client, associate_milano, pin):
    before = pin_hash(associate_milano)
    client.force_login(associate_milano)
    response = set_pin(client, pin)
    assert response.status_code == 400 and "A PIN is 4 to 8 digits." in response.content.decode()
    assert pin_hash(associate_milano) == before


def test_typed_secrets_are_not_echoed_back(client, associate_milano):
    client.force_login(associate_milano)
    body = set_pin(client, "25802580", again="86428642", password="typed-secret").content.decode()
    assert "25802580" not in body and "86428642" not in body and "typed-secret" not in body


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"current_password": PASSWORD},
        {"current_password": PASSWORD, "new_pin": "2580"},
        {"current_password": "\x00", "new_pin": "2580", "new_pin_again": "2580"},
        {"current_password": PASSWORD, "new_pin": "25\x0080", "new_pin_again": "25\x0080"},
        {"current_password": "x" * 100_000, "new_pin": "9" * 100_000, "new_pin_again": "9"},
        {"current_password": [PASSWORD, "other"], "new_pin": ["2580", "1"], "new_pin_again": "1"},
    ],
)
def test_malformed_posts_never_fail(client, associate_milano, data):
    before = pin_hash(associate_milano)
    client.force_login(associate_milano)
    assert client.post(SET_PIN, data).status_code == 400
    assert pin_hash(associate_milano) == before


def test_only_get_and_post(client, associate_milano):
    client.force_login(associate_milano)
    assert client.put(SET_PIN).status_code == 405


def test_the_new_pin_switches_person_and_the_old_one_no_longer_does(client, associate_milano, manager_milano):
    full_sign_in(client, associate_milano)
    assert set_pin(client, "2580").status_code == 302
    full_sign_in(client, manager_milano)
    response = client.post(SWITCH, {"person": associate_milano.pk, "pin": "1234"})
    assert response.status_code == 400 and signed_in_user_pk(client) == str(manager_milano.pk)
    response = client.post(SWITCH, {"person": associate_milano.pk, "pin": "2580"})
    assert response.status_code == 302 and signed_in_user_pk(client) == str(associate_milano.pk)


def test_setting_a_pin_lifts_the_pin_lockout(client, associate_milano, manager_milano):
    full_sign_in(client, associate_milano)
    full_sign_in(client, manager_milano)
    for _ in range(MAX_FAILURES):
        client.post(SWITCH, {"person": associate_milano.pk, "pin": "0000"})
    assert is_locked_out(PIN_SCOPE, str(associate_milano.pk))
    client.force_login(associate_milano)  # e.g. on another tablet, without the sign-in that unlocks anyway
    set_pin(client, "2580")
    assert not is_locked_out(PIN_SCOPE, str(associate_milano.pk))
    client.force_login(manager_milano)
    client.post(SWITCH, {"person": associate_milano.pk, "pin": "2580"})
    assert signed_in_user_pk(client) == str(associate_milano.pk)


# The admin -----------------------------------------------------------------------------------------------------


def _change_url(user) -> str:
    return reverse("admin:auth_user_change", args=[user.pk])


def _admin_form_data(response) -> dict[str, object]:
    """What the change form would post untouched: the user form, the inline's management form and its forms."""
    every_form = [response.context["adminform"].form]
    data: dict[str, object] = {}
    for inline in response.context["inline_admin_formsets"]:
        every_form += inline.formset.forms
        data.update({field.html_name: field.value() for field in inline.formset.management_form})
    for form in every_form:
        for field in form:
            value = field.value()
            if field.field.disabled or value is None or value is False:
                continue
            if isinstance(field.field.widget, forms.MultiWidget):
                parts = field.field.widget.decompress(value)
                data.update({f"{field.html_name}_{i}": part for i, part in enumerate(parts) if part is not None})
            else:
                data[field.html_name] = "on" if value is True else value
    return data


def admin_save(client, user, **pin_fields: str):
    data = _admin_form_data(client.get(_change_url(user)))
    data.update({f"staff_profile-0-{name}": value for name, value in pin_fields.items()})
    return client.post(_change_url(user), data)


def _admin_errors(response) -> object:
    if response.status_code != 200 or response.context is None:
        return None
    return [inline.formset.errors for inline in response.context["inline_admin_formsets"]]


def test_head_office_sets_a_pin_in_the_admin(client, head_office, associate_milano):
    client.force_login(head_office)
    response = admin_save(client, associate_milano, new_pin="2580")
    assert response.status_code == 302, _admin_errors(response)
    assert check_password("2580", pin_hash(associate_milano))
    assert associate_milano.staff_profile.role == "associate"
    assert list(associate_milano.staff_profile.stores.values_list("code", flat=True)) == ["MI01"]


def test_a_blank_new_pin_leaves_the_pin_unchanged(client, head_office, associate_milano):
    before = pin_hash(associate_milano)
    client.force_login(head_office)
    response = admin_save(client, associate_milano, new_pin="")
    assert response.status_code == 302, _admin_errors(response)
    assert pin_hash(associate_milano) == before


def test_head_office_clears_a_pin_and_the_person_can_no_longer_switch(
    client, head_office, associate_milano, manager_milano
):
    client.force_login(head_office)
    response = admin_save(client, associate_milano, clear_pin="on")
    assert response.status_code == 302, _admin_errors(response)
    assert pin_hash(associate_milano) == ""
    full_sign_in(client, associate_milano)
    full_sign_in(client, manager_milano)
    assert client.post(SWITCH, {"person": associate_milano.pk, "pin": "1234"}).status_code == 400


@pytest.mark.parametrize(
    ("pin_fields", "error"),
    [
        ({"new_pin": "1111"}, "This PIN is too easy to guess."),
        ({"new_pin": "12a4"}, "A PIN is 4 to 8 digits."),
        ({"new_pin": "2580", "clear_pin": "on"}, "Type a new PIN or clear the PIN, not both."),
    ],
)
def test_the_admin_refuses_a_pin_against_the_rule(client, head_office, associate_milano, pin_fields, error):
    before = pin_hash(associate_milano)
    client.force_login(head_office)
    response = admin_save(client, associate_milano, **pin_fields)
    assert response.status_code == 200 and error in response.content.decode()
    assert pin_hash(associate_milano) == before


def test_the_admin_never_shows_the_pin_hash(client, head_office, associate_milano):
    stored = pin_hash(associate_milano)
    client.force_login(head_office)
    body = client.get(_change_url(associate_milano)).content.decode()
    assert stored and stored not in body and stored.rsplit("$", 1)[-1] not in body
    assert 'name="staff_profile-0-new_pin"' in body and 'name="staff_profile-0-pin_hash"' not in body


def test_the_admin_does_not_echo_a_refused_pin(client, head_office, associate_milano):
    client.force_login(head_office)
    response = admin_save(client, associate_milano, new_pin="13571357", clear_pin="on")
    assert response.status_code == 200 and "13571357" not in response.content.decode()


def test_the_admin_gives_a_pin_to_a_person_created_there_without_a_profile(
    client, head_office, associate_milano, manager_milano
):
    walter = get_user_model().objects.create_user("walter", password=PASSWORD, first_name="Walter")
    client.force_login(head_office)
    response = admin_save(client, walter, role="associate", new_pin="2580")
    assert response.status_code == 302, _admin_errors(response)
    assert check_password("2580", pin_hash(walter))
    full_sign_in(client, walter)
    full_sign_in(client, manager_milano)
    client.post(SWITCH, {"person": walter.pk, "pin": "2580"})
    assert signed_in_user_pk(client) == str(walter.pk)


def test_a_pin_set_in_the_admin_lifts_the_pin_lockout(client, head_office, associate_milano):
    for _ in range(MAX_FAILURES):
        record_failure(PIN_SCOPE, str(associate_milano.pk))
    client.force_login(head_office)
    admin_save(client, associate_milano, new_pin="2580")
    assert not is_locked_out(PIN_SCOPE, str(associate_milano.pk))
