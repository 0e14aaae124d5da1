from __future__ import annotations

import pytest

from clienteling.models import ProfileAccess
from clienteling.services import profile_access_record

pytestmark = pytest.mark.django_db
URL = "/customers/access-log/"


@pytest.fixture
def milano_look(associate_milano, store_milano, giulia):
    return profile_access_record(
        user=associate_milano, store=store_milano, customer=giulia, via="search", shown=["contact"]
    )


@pytest.fixture
def roma_look(associate_roma, store_roma, bruno):
    return profile_access_record(user=associate_roma, store=store_roma, customer=bruno, via="scan", shown=["contact"])


def test_manager_sees_their_stores_access_log(client, manager_milano, milano_look, roma_look):
    client.force_login(manager_milano)
    body = client.get(URL).content.decode()
    assert "Giulia Verdi" in body and "Anna Test" in body
    assert "Bruno Neri" not in body


def test_other_stores_manager_sees_none_of_this_stores_access_log(client, manager_roma, milano_look):
    client.force_login(manager_roma)
    response = client.get(URL)
    assert response.status_code == 200
    assert "Giulia Verdi" not in response.content.decode()
    assert 'data-testid="access-row"' not in response.content.decode()


def test_associates_cannot_read_the_access_log(client, associate_milano, milano_look):
    client.force_login(associate_milano)
    assert client.get(URL).status_code == 403


def test_head_office_sees_every_store(client, head_office, milano_look, roma_look):
    client.force_login(head_office)
    body = client.get(URL).content.decode()
    assert "Giulia Verdi" in body and "Bruno Neri" in body


def test_admin_access_log_is_read_only(client, head_office, milano_look):
    client.force_login(head_office)
    assert client.get("/admin/clienteling/profileaccess/").status_code == 200
    assert client.get("/admin/clienteling/profileaccess/add/").status_code == 403
    change = client.get(f"/admin/clienteling/profileaccess/{milano_look.pk}/change/")
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()
    assert client.post(f"/admin/clienteling/profileaccess/{milano_look.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ProfileAccess.objects.filter(pk=milano_look.pk).exists()


@pytest.mark.parametrize(
    "path",
    [
        "/admin/clienteling/customer/",
        "/admin/clienteling/browsingevent/",
        "/admin/clienteling/cart/",
        "/admin/clienteling/wishlistitem/",
        "/admin/clienteling/visit/",
        "/admin/clienteling/note/",
        "/admin/clienteling/followuptask/",
        "/admin/clienteling/customer/?q=verdi&consent_clienteling__exact=1",
    ],
)
def test_admin_lists_work_with_search_and_filters(client, head_office, giulia_online, path):
    client.force_login(head_office)
    assert client.get(path).status_code == 200


def test_managers_find_the_access_log_from_the_customer_search(client, manager_milano, associate_milano):
    client.force_login(manager_milano)
    assert URL in client.get("/customers/").content.decode()
    client.force_login(associate_milano)
    assert URL not in client.get("/customers/").content.decode()
