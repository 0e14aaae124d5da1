"""Without clienteling consent the portal shows contact and orders only, on every surface it serves."""

from __future__ import annotations

import pytest
from django.utils import timezone

from clienteling.factories import BrowsingEventFactory, CartFactory, CartLineFactory, FollowUpTaskFactory, NoteFactory
from clienteling.models import Note, ProfileAccess
from clienteling.services import ConsentMissing, note_create
from orders.factories import OrderFactory

pytestmark = pytest.mark.django_db

SECRET_PRODUCT = "Borsa segreta"


@pytest.fixture
def bruno_online(bruno, giacca, store_milano):
    giacca.name = SECRET_PRODUCT
    giacca.save()
    for _ in range(12):
        BrowsingEventFactory(customer=bruno, product=giacca, sku=giacca.sku, device="SecretPhone")
    CartLineFactory(cart=CartFactory(customer=bruno), product=giacca, sku=giacca.sku)
    NoteFactory(customer=bruno, body="Secret note about Bruno")
    FollowUpTaskFactory(customer=bruno, store=store_milano, title="Secret task for Bruno")
    bruno.sizes = {"shoe": "SECRET-SIZE"}
    bruno.save()
    OrderFactory(customer=bruno, number="OP-BRUNO01")
    return bruno


def test_profile_shows_contact_and_orders_and_says_why_the_rest_is_hidden(client, associate_milano, bruno_online):
    client.force_login(associate_milano)
    body = client.get(f"/customers/{bruno_online.pk}/").content.decode()
    assert bruno_online.email in body and "OP-BRUNO01" in body
    assert 'data-testid="consent-hidden"' in body
    for secret in [
        SECRET_PRODUCT,
        "SecretPhone",
        "Secret note",
        "Secret task",
        "SECRET-SIZE",
        "Lifetime value",
        "Gold",
    ]:
        assert secret not in body, secret


def test_access_log_records_only_the_sections_shown(client, associate_milano, bruno_online):
    client.force_login(associate_milano)
    client.get(f"/customers/{bruno_online.pk}/")
    assert ProfileAccess.objects.get().shown == ["contact", "orders"]


def test_older_events_partial_is_404(client, associate_milano, bruno_online):
    client.force_login(associate_milano)
    response = client.get(
        f"/customers/{bruno_online.pk}/events/?before={timezone.now().isoformat()}&before_id=999999",
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 404 and SECRET_PRODUCT not in response.content.decode()


def test_notes_cannot_be_added_or_read_through_the_notes_partial(client, associate_milano, bruno_online):
    client.force_login(associate_milano)
    response = client.post(f"/customers/{bruno_online.pk}/notes/", {"body": "hello"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 404 and "Secret note" not in response.content.decode()
    assert Note.objects.filter(customer=bruno_online).count() == 1


def test_note_service_refuses_without_consent(associate_milano, bruno, store_milano):
    with pytest.raises(ConsentMissing):
        note_create(customer=bruno, author=associate_milano, store=store_milano, body="x")


def test_tasks_cannot_be_added_completed_or_read_through_the_tasks_partial(client, associate_milano, bruno_online):
    client.force_login(associate_milano)
    task = bruno_online.tasks.get()
    created = client.post(f"/customers/{bruno_online.pk}/tasks/", {"title": "x"}, HTTP_HX_REQUEST="true")
    completed = client.post(f"/customers/{bruno_online.pk}/tasks/{task.pk}/complete/", HTTP_HX_REQUEST="true")
    assert created.status_code == completed.status_code == 404
    assert "Secret task" not in created.content.decode() + completed.content.decode()
    task.refresh_from_db()
    assert task.status == "open" and bruno_online.tasks.count() == 1


def test_search_results_show_contact_only(client, associate_milano, bruno_online):
    client.force_login(associate_milano)
    body = client.get("/customers/", {"q": "neri"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Bruno Neri" in body and SECRET_PRODUCT not in body and "SECRET-SIZE" not in body
    # The loyalty tier is a preference of the profile (hidden there without consent), not contact.
    assert "tag-gold" not in body and "Gold" not in body


def test_consent_withdrawn_hides_what_was_shown_before(client, associate_milano, giulia_online):
    client.force_login(associate_milano)
    assert "Giacca lana" in client.get(f"/customers/{giulia_online.pk}/").content.decode()
    giulia_online.consent_clienteling = False
    giulia_online.save()
    assert "Giacca lana" not in client.get(f"/customers/{giulia_online.pk}/").content.decode()
