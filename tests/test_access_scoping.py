from __future__ import annotations

import pytest
from django.urls import reverse

from clienteling.factories import VisitFactory
from clienteling.models import Visit
from omniportal.access import scope_to_stores, user_stores
from omniportal.factories import LocationFactory, staff
from omniportal.models import Role

pytestmark = pytest.mark.django_db


def test_an_associate_sees_only_their_stores_data(associate_milano, store_milano, store_roma):
    VisitFactory(store=store_milano)
    VisitFactory(store=store_roma)
    visible = scope_to_stores(Visit.objects.all(), associate_milano)
    assert [visit.store.code for visit in visible] == ["MI01"]


def test_head_office_sees_every_store(head_office, store_milano, store_roma):
    assert set(user_stores(head_office).values_list("code", flat=True)) == {"MI01", "RM01"}


def test_a_person_without_a_profile_sees_nothing(django_user_model, store_milano):
    nobody = django_user_model.objects.create_user("nobody", password="x")
    VisitFactory(store=store_milano)
    assert not scope_to_stores(Visit.objects.all(), nobody).exists()
    assert not user_stores(nobody).exists()


def test_a_person_without_a_role_cannot_open_the_portal(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody", password="x"))
    assert client.get(reverse("home")).status_code == 403


def test_a_manager_of_two_stores_can_switch_the_current_store(client, store_milano, store_roma):
    manager = staff("dario_two_stores", Role.MANAGER, store_milano, store_roma)
    client.force_login(manager)
    assert "Milano Duomo" in client.get(reverse("home")).content.decode()
    response = client.post(reverse("choose-store"), {"store": store_roma.pk, "next": "/"})
    assert response.status_code == 302
    assert "Today at Roma Corso" in client.get(reverse("home")).content.decode()


def test_switching_to_a_store_you_are_not_assigned_to_is_refused(client, associate_milano, store_roma):
    client.force_login(associate_milano)
    client.post(reverse("choose-store"), {"store": store_roma.pk})
    assert "Today at Milano Duomo" in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("value", ["", "abc", "99999999999999999999999", "-1", "²", "١٢"])
def test_switching_store_with_garbage_is_a_message_not_an_error(client, associate_milano, value):
    client.force_login(associate_milano)
    response = client.post(reverse("choose-store"), {"store": value, "next": "https://evil.example.com/"})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_stores_are_locations_of_kind_store_only(head_office, warehouse_bologna):
    LocationFactory(code="MI02")
    assert list(user_stores(head_office).values_list("code", flat=True)) == ["MI02"]
