from __future__ import annotations

import json

import pytest

from clienteling.factories import FollowUpTaskFactory, NoteFactory, VisitFactory
from clienteling.models import BrowsingEvent, Cart, Customer, Note, ProfileAccess, WishlistItem
from clienteling.services import CustomerErased, customer_erase, customer_export
from orders.models import Order, Sale

pytestmark = pytest.mark.django_db


@pytest.fixture
def giulia_everything(giulia_online, store_milano, associate_milano):
    NoteFactory(customer=giulia_online, author=associate_milano, body="Likes navy")
    FollowUpTaskFactory(customer=giulia_online, store=store_milano, title="Call back")
    VisitFactory(customer=giulia_online, store=store_milano)
    ProfileAccess.objects.create(user=associate_milano, store=store_milano, customer=giulia_online, via="search")
    return giulia_online


def test_export_holds_every_kind_of_data_and_is_json(giulia_everything, head_office):
    data = customer_export(customer=giulia_everything, actor=head_office)
    json.dumps(data)
    assert data["profile"]["email"] == "giulia.verdi@example.com"
    assert len(data["events"]) == 3 and data["carts"][0]["lines"]
    assert data["wishlist"][0]["sku"] == "SCIARPA"
    assert data["orders"][0]["number"] == "OP-0000042" and data["orders"][0]["lines"]
    assert data["sales"][0]["external_id"] == "POS-42"
    assert data["notes"][0]["body"] == "Likes navy" and data["tasks"][0]["title"] == "Call back"
    assert data["visits"] and data["access_log"][0]["via"] == "search"


def test_export_is_on_the_access_record(giulia_everything, head_office):
    customer_export(customer=giulia_everything, actor=head_office)
    assert ProfileAccess.objects.filter(customer=giulia_everything, via="export", user=head_office).exists()


def test_erase_removes_personal_data_and_keeps_orders_and_sales(giulia_everything, head_office):
    customer_erase(customer=giulia_everything, actor=head_office)
    customer = Customer.objects.get(pk=giulia_everything.pk)
    assert customer.erased_at is not None
    for name in ["last_name", "email", "phone", "phone_digits", "search_name", "address_line1", "city", "postal_code"]:
        assert getattr(customer, name) == "", name
    assert customer.loyalty_number is None and customer.lat is None and customer.sizes == {}
    assert not customer.consent_clienteling
    for model in (BrowsingEvent, Cart, WishlistItem, Note):
        assert not model.objects.filter(customer=customer).exists(), model
    assert not customer.tasks.exists() and not customer.visits.exists()
    order = Order.objects.get(number="OP-0000042")
    assert order.customer_id == customer.pk and order.delivery_line1 == "" and order.delivery_postal_code == "20121"
    assert Sale.objects.filter(customer=customer).exists()


def test_erasure_is_on_the_access_record(giulia_everything, head_office):
    customer_erase(customer=giulia_everything, actor=head_office)
    erasure = ProfileAccess.objects.get(customer=giulia_everything, via="erasure")
    assert (erasure.user, erasure.store, erasure.shown) == (head_office, None, ["erasure"])


def test_erasing_twice_is_refused(giulia, head_office):
    customer_erase(customer=giulia, actor=head_office)
    with pytest.raises(CustomerErased):
        customer_erase(customer=giulia, actor=head_office)


def test_admin_export_action_downloads_one_customers_json(client, head_office, giulia_everything):
    client.force_login(head_office)
    response = client.post(
        "/admin/clienteling/customer/", {"action": "export_json", "_selected_action": [giulia_everything.pk]}
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert json.loads(response.content)["profile"]["last_name"] == "Verdi"


def test_admin_export_of_several_customers_is_refused(client, head_office, giulia, bruno):
    client.force_login(head_office)
    response = client.post(
        "/admin/clienteling/customer/",
        {"action": "export_json", "_selected_action": [giulia.pk, bruno.pk]},
        follow=True,
    )
    assert "exactly one" in response.content.decode()


def test_admin_erase_asks_for_confirmation_first(client, head_office, giulia_everything):
    client.force_login(head_office)
    response = client.post(
        "/admin/clienteling/customer/", {"action": "erase_personal_data", "_selected_action": [giulia_everything.pk]}
    )
    assert response.status_code == 200 and "cannot be undone" in response.content.decode()
    assert Customer.objects.get(pk=giulia_everything.pk).erased_at is None
    client.post(
        "/admin/clienteling/customer/",
        {"action": "erase_personal_data", "_selected_action": [giulia_everything.pk], "confirm": "yes"},
    )
    assert Customer.objects.get(pk=giulia_everything.pk).erased_at is not None


def test_store_manager_cannot_reach_the_admin_actions(client, manager_milano, giulia):
    client.force_login(manager_milano)
    response = client.post("/admin/clienteling/customer/", {"action": "export_json", "_selected_action": [giulia.pk]})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_admin_cannot_delete_a_customer(client, head_office, giulia):
    client.force_login(head_office)
    assert client.get(f"/admin/clienteling/customer/{giulia.pk}/delete/").status_code == 403


def test_erased_customer_disappears_from_the_portal(client, associate_milano, head_office, giulia):
    customer_erase(customer=giulia, actor=head_office)
    client.force_login(associate_milano)
    assert client.get(f"/customers/{giulia.pk}/").status_code == 404
    assert "Verdi" not in client.get("/customers/", {"q": "verdi"}).content.decode()
