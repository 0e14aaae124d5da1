from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from omniportal.models import IntegrationToken, Role, hash_token_key

pytestmark = pytest.mark.django_db


def test_create_user_gives_role_group_and_stores(store_milano, store_roma):
    call_command(
        "create_user",
        "sara",
        "--role",
        "manager",
        "--store",
        "MI01",
        "--store",
        "RM01",
        "--password",
        "pw-Long-enough-1",
        stdout=StringIO(),
    )
    user = get_user_model().objects.get(username="sara")
    assert user.staff_profile.role == Role.MANAGER
    assert set(user.staff_profile.stores.values_list("code", flat=True)) == {"MI01", "RM01"}
    assert list(user.groups.values_list("name", flat=True)) == ["Store managers"]
    assert user.check_password("pw-Long-enough-1")
    assert not user.is_staff


def test_create_user_for_head_office_opens_the_admin(db):
    call_command("create_user", "hq", "--role", "headoffice", stdout=StringIO())
    assert get_user_model().objects.get(username="hq").is_staff


def test_create_user_refuses_an_unknown_store_and_writes_nothing(store_milano):
    with pytest.raises(CommandError, match="No store with code XX99"):
        call_command(
            "create_user", "sara", "--role", "associate", "--store", "MI01", "--store", "XX99", stdout=StringIO()
        )
    assert not get_user_model().objects.filter(username="sara").exists()


def test_create_user_needs_a_store_for_an_associate(db):
    with pytest.raises(CommandError, match="at least one --store"):
        call_command("create_user", "sara", "--role", "associate", stdout=StringIO())


def test_create_user_refuses_a_pin_that_is_not_digits(store_milano):
    with pytest.raises(CommandError, match="--pin"):
        call_command(
            "create_user", "sara", "--role", "associate", "--store", "MI01", "--pin", "12a4", stdout=StringIO()
        )


def test_create_user_refuses_an_unknown_role(db):
    with pytest.raises(CommandError):
        call_command("create_user", "sara", "--role", "ceo")


def test_create_integration_token_prints_the_key_last_and_stores_only_its_hash(db):
    out = StringIO()
    call_command("create_integration_token", "webshop", "--scopes", "catalog,events", stdout=out, stderr=StringIO())
    key = out.getvalue().strip().splitlines()[-1]
    token = IntegrationToken.objects.get(name="webshop")
    assert token.scopes == ["catalog", "events"]
    assert token.key_hash == hash_token_key(key)
    assert key not in {token.key_hash, token.prefix}
    assert key.startswith(token.prefix)


def test_create_integration_token_refuses_an_unknown_scope(db):
    with pytest.raises(CommandError, match="Unknown scope"):
        call_command("create_integration_token", "webshop", "--scopes", "catalog,everything", stdout=StringIO())
    assert not IntegrationToken.objects.exists()


def test_create_integration_token_refuses_a_duplicate_name(db):
    call_command("create_integration_token", "webshop", "--scopes", "read", stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_integration_token", "webshop", "--scopes", "read", stdout=StringIO())
