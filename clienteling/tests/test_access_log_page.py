"""The access log page: where a look is recorded, who sees it, and paging and filtering a long log."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clienteling.factories import CustomerFactory
from clienteling.models import ProfileAccess
from omniportal.factories import staff
from omniportal.models import Role

pytestmark = pytest.mark.django_db
URL = "/customers/access-log/"
ROME = ZoneInfo("Europe/Rome")  # the portal's TIME_ZONE
START = datetime(2026, 3, 10, 12, 0, tzinfo=ROME)


def _looks(count: int, *, people, stores, customers, start=START, shown=("contact",)) -> list[ProfileAccess]:
    """`count` looks one minute apart (the newest at `start`), cycling through people, stores and customers."""
    rows = ProfileAccess.objects.bulk_create(
        ProfileAccess(
            user=people[i % len(people)],
            store=stores[i % len(stores)],
            customer=customers[i % len(customers)],
            via="search",
            shown=list(shown),
        )
        for i in range(count)
    )
    for i, row in enumerate(rows):
        row.accessed_at = start - timedelta(minutes=i)
    ProfileAccess.objects.bulk_update(rows, ["accessed_at"])  # auto_now_add would stamp them all "now"
    return rows


def _row_ids(response) -> list:
    return [row["entry"].pk for row in response.context["rows"]]


def _link(response, testid: str) -> str:
    body = response.content.decode()
    marker = f'data-testid="{testid}"'
    assert marker in body, f"no {testid} link"
    return response.context[f"{testid}_url"]


# --- where a look is recorded ------------------------------------------------------------------------------


def test_head_office_look_is_recorded_at_no_store(client, head_office, store_milano, store_roma, giulia):
    client.force_login(head_office)
    assert client.get(f"/customers/{giulia.pk}/").status_code == 200
    assert ProfileAccess.objects.get().store is None


def test_head_office_look_is_recorded_at_the_store_they_chose(client, head_office, store_milano, store_roma, giulia):
    client.force_login(head_office)
    client.post("/store/", {"store": store_roma.pk})
    client.get(f"/customers/{giulia.pk}/")
    assert ProfileAccess.objects.get().store == store_roma


def test_head_office_older_events_are_recorded_at_no_store(client, head_office, store_milano, giulia):
    client.force_login(head_office)
    cursor = {"before": timezone.now().isoformat(), "before_id": 1}
    assert client.get(f"/customers/{giulia.pk}/events/", cursor, headers={"HX-Request": "true"}).status_code == 200
    assert ProfileAccess.objects.get().store is None


def test_associate_look_is_still_recorded_at_their_store(client, associate_milano, giulia, store_milano):
    client.force_login(associate_milano)
    client.get(f"/customers/{giulia.pk}/")
    assert ProfileAccess.objects.get().store == store_milano


def test_head_office_works_for_the_network_until_they_choose_a_store(client, head_office, store_milano, store_roma):
    client.force_login(head_office)
    badge = client.get("/customers/").content.decode().split('data-testid="current-store">')[1]
    assert '<span class="chip-label">Whole network</span>' in badge[:400]
    client.post("/store/", {"store": store_milano.pk, "next": "/customers/"})
    badge = client.get("/customers/").content.decode().split('data-testid="current-store">')[1]
    assert '<span class="chip-label">Milano Duomo</span>' in badge[:400]


# --- who sees what -----------------------------------------------------------------------------------------


def test_milano_manager_does_not_see_head_office_looks(client, head_office, manager_milano, store_milano, giulia):
    client.force_login(head_office)
    client.get(f"/customers/{giulia.pk}/")
    client.force_login(manager_milano)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert "Giulia Verdi" not in response.content.decode()


def test_milano_manager_sees_head_office_looks_made_at_milano(
    client, head_office, manager_milano, store_milano, giulia
):
    client.force_login(head_office)
    client.post("/store/", {"store": store_milano.pk})
    client.get(f"/customers/{giulia.pk}/")
    client.force_login(manager_milano)
    assert "Helena Test" in client.get(URL).content.decode()


def test_milano_manager_does_not_see_another_stores_looks(
    client, manager_milano, associate_milano, associate_roma, store_milano, store_roma, giulia, bruno
):
    _looks(3, people=[associate_roma], stores=[store_roma], customers=[bruno])
    milano = _looks(2, people=[associate_milano], stores=[store_milano], customers=[giulia])
    client.force_login(manager_milano)
    response = client.get(URL)
    assert _row_ids(response) == [row.pk for row in milano]
    assert "Bruno Neri" not in response.content.decode()


def test_head_office_sees_looks_made_at_no_store(client, head_office, associate_milano, giulia):
    _looks(1, people=[head_office], stores=[None], customers=[giulia])
    client.force_login(head_office)
    assert len(client.get(URL).context["rows"]) == 1


# --- pages -------------------------------------------------------------------------------------------------


@pytest.fixture
def long_log(associate_milano, manager_milano, store_milano, giulia):
    return _looks(120, people=[associate_milano], stores=[store_milano], customers=[giulia])


def test_first_page_shows_the_newest_fifty(client, manager_milano, long_log):
    client.force_login(manager_milano)
    response = client.get(URL)
    assert _row_ids(response) == [row.pk for row in long_log[:50]]
    assert response.context["newer_url"] is None


def test_older_link_shows_the_next_fifty_then_the_rest(client, manager_milano, long_log):
    client.force_login(manager_milano)
    second = client.get(URL + _link(client.get(URL), "older"))
    assert _row_ids(second) == [row.pk for row in long_log[50:100]]
    third = client.get(URL + _link(second, "older"))
    assert _row_ids(third) == [row.pk for row in long_log[100:]]
    assert third.context["older_url"] is None


def test_newer_link_goes_back_a_page(client, manager_milano, long_log):
    client.force_login(manager_milano)
    third = client.get(URL + _link(client.get(URL + _link(client.get(URL), "older")), "older"))
    second = client.get(URL + _link(third, "newer"))
    assert _row_ids(second) == [row.pk for row in long_log[50:100]]
    first = client.get(URL + _link(second, "newer"))
    assert _row_ids(first) == [row.pk for row in long_log[:50]]
    assert first.context["newer_url"] is None


def test_rows_with_the_same_time_are_neither_lost_nor_repeated(client, manager_milano, long_log):
    ProfileAccess.objects.update(accessed_at=START)
    client.force_login(manager_milano)
    seen, url = [], URL
    while url:
        response = client.get(url)
        seen += _row_ids(response)
        url = URL + response.context["older_url"] if response.context["older_url"] else None
    assert sorted(seen) == sorted(row.pk for row in long_log) and len(seen) == len(set(seen))


def test_page_links_keep_the_filters(client, manager_milano, associate_milano, store_milano, giulia, bruno):
    anna_giulia = _looks(60, people=[associate_milano], stores=[store_milano], customers=[giulia])
    _looks(60, people=[manager_milano], stores=[store_milano], customers=[bruno], start=START - timedelta(seconds=30))
    client.force_login(manager_milano)
    first = client.get(URL, {"person": associate_milano.pk, "date_from": "2026-03-09"})
    older = _link(first, "older")
    assert parse_qs(urlsplit(older).query)["person"] == [str(associate_milano.pk)]
    second = client.get(URL + older)
    assert _row_ids(second) == [row.pk for row in anna_giulia[50:]]
    assert 'value="2026-03-09"' in second.content.decode()


def test_page_size_and_query_count_do_not_grow_with_the_log(
    client, manager_milano, associate_milano, store_milano, django_assert_max_num_queries
):
    people = [associate_milano, *(staff(f"p{i}_milano", Role.ASSOCIATE, store_milano) for i in range(3))]
    customers = CustomerFactory.create_batch(5)
    _looks(10, people=people, stores=[store_milano], customers=customers)
    client.force_login(manager_milano)
    with CaptureQueriesContext(connection) as few:
        client.get(URL, {"person": associate_milano.pk, "customer": "a"})
    _looks(110, people=people, stores=[store_milano], customers=customers, start=START - timedelta(days=1))
    with CaptureQueriesContext(connection) as many:
        client.get(URL, {"person": associate_milano.pk, "customer": "a"})
    assert len(many) == len(few)
    with django_assert_max_num_queries(len(few)):
        response = client.get(URL)
    assert len(response.context["rows"]) == 50


def test_htmx_page_link_returns_only_the_entries(client, manager_milano, long_log):
    client.force_login(manager_milano)
    older = _link(client.get(URL), "older")
    body = client.get(URL + older, headers={"HX-Request": "true"}).content.decode()
    assert body.lstrip().startswith('<div id="access-entries">') and "<form" not in body


# --- filters -----------------------------------------------------------------------------------------------


def test_date_range_keeps_whole_days_in_the_portal_time_zone(
    client, manager_milano, associate_milano, store_milano, giulia
):
    days = _looks(5, people=[associate_milano], stores=[store_milano], customers=[giulia])
    # 23:30 on 9 March and 00:30 on 10 March in Rome, and one each side of the range.
    moments = [(3, 8, 12, 0), (3, 9, 0, 0), (3, 9, 23, 30), (3, 10, 0, 30), (3, 11, 0, 0)]
    for row, (month, day, hour, minute) in zip(days, moments, strict=True):
        row.accessed_at = datetime(2026, month, day, hour, minute, tzinfo=ROME)
    ProfileAccess.objects.bulk_update(days, ["accessed_at"])
    client.force_login(manager_milano)
    response = client.get(URL, {"date_from": "2026-03-09", "date_to": "2026-03-10"})
    assert set(_row_ids(response)) == {days[1].pk, days[2].pk, days[3].pk}


def test_person_filter_shows_only_their_looks(client, manager_milano, associate_milano, store_milano, giulia):
    anna = _looks(2, people=[associate_milano], stores=[store_milano], customers=[giulia])
    _looks(2, people=[manager_milano], stores=[store_milano], customers=[giulia], start=START - timedelta(hours=1))
    client.force_login(manager_milano)
    assert _row_ids(client.get(URL, {"person": associate_milano.pk})) == [row.pk for row in anna]


def test_person_choices_are_the_stores_people_and_head_office(client, manager_milano, associate_roma, head_office):
    client.force_login(manager_milano)
    people = set(client.get(URL).context["form"].fields["person"].queryset)
    assert manager_milano in people and head_office in people and associate_roma not in people


@pytest.mark.parametrize("text", ["verdi", "Giu", "giulia ver", "L000000042", "l000000042", "giulia.id"])
def test_customer_filter_by_name_loyalty_number_or_id(
    client, manager_milano, associate_milano, store_milano, giulia, bruno, text
):
    giulia_look = _looks(1, people=[associate_milano], stores=[store_milano], customers=[giulia])
    _looks(1, people=[associate_milano], stores=[store_milano], customers=[bruno], start=START - timedelta(hours=1))
    client.force_login(manager_milano)
    query = str(giulia.pk) if text == "giulia.id" else text
    assert _row_ids(client.get(URL, {"customer": query})) == [giulia_look[0].pk]


def test_customer_filter_folds_the_name_as_the_search_keys_do(client, manager_milano, associate_milano, store_milano):
    elodie = CustomerFactory(first_name="Élodie", last_name="Müller")
    look = _looks(1, people=[associate_milano], stores=[store_milano], customers=[elodie])
    client.force_login(manager_milano)
    assert _row_ids(client.get(URL, {"customer": "MULLER elo"})) == [look[0].pk]


def test_customer_filter_matches_the_start_of_words_only(
    client, manager_milano, associate_milano, store_milano, giulia
):
    _looks(1, people=[associate_milano], stores=[store_milano], customers=[giulia])
    client.force_login(manager_milano)
    response = client.get(URL, {"customer": "erdi"})
    assert response.context["rows"] == []
    assert "No profile access matches these filters." in response.content.decode()


# --- bad input ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date_from": "yesterday"}, "Enter a valid date."),
        ({"date_to": "2026-13-01"}, "Enter a valid date."),
        ({"date_from": "0001-01-01"}, "Ensure this value is greater than or equal to"),
        ({"date_to": "9999-12-31"}, "Ensure this value is less than or equal to"),
        ({"date_from": "2026-03-10", "date_to": "2026-03-01"}, "The end date is before the start date."),
        ({"person": "999999"}, "Select a valid choice."),
        ({"person": "anna"}, "Select a valid choice."),
        ({"customer": "x" * 500}, "Ensure this value has at most 100 characters"),
        ({"before": "soon", "before_id": "not-a-uuid"}, "That page link is not valid"),
        ({"before": "2026-03-10T12:00:00"}, "That page link is not valid"),
        ({"after_id": "00000000-0000-0000-0000-000000000000"}, "That page link is not valid"),
        (
            {"before": "9999-12-31T23:59:59-05:00", "before_id": "00000000-0000-0000-0000-000000000000"},
            "That page link is not valid",
        ),
    ],
)
def test_malformed_input_is_reported_not_a_server_error(client, manager_milano, long_log, params, message):
    client.force_login(manager_milano)
    response = client.get(URL, params)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert len(response.context["rows"]) == 50  # the bad part is left out, the log is still shown


def test_person_of_another_store_is_refused(client, manager_milano, associate_roma, long_log):
    client.force_login(manager_milano)
    response = client.get(URL, {"person": associate_roma.pk})
    assert "Select a valid choice." in response.content.decode()


def test_unknown_parameters_are_ignored(client, manager_milano, long_log):
    client.force_login(manager_milano)
    response = client.get(URL, {"page": "two", "sort": "'; drop table"})
    assert response.status_code == 200 and len(response.context["rows"]) == 50


# --- what was shown ----------------------------------------------------------------------------------------


def test_shown_sections_read_as_words_and_an_unknown_key_stays_as_recorded():
    access = ProfileAccess(shown=["contact", "events", "erasure", "retired-key"])
    assert access.shown_labels() == ["Contact", "Recently viewed online", "Data erased", "retired-key"]
    assert ProfileAccess(shown={"not": "a list"}).shown_labels() == []


def test_the_admin_lists_sections_in_words(client, head_office, associate_milano, store_milano, giulia):
    ProfileAccess.objects.create(user=associate_milano, store=store_milano, customer=giulia, shown=["contact", "cart"])
    client.force_login(head_office)
    body = client.get("/admin/clienteling/profileaccess/").content.decode()
    assert "Contact, Online cart" in body and "[&#x27;contact&#x27;" not in body


def test_sections_are_shown_by_label_not_by_key(client, manager_milano, associate_milano, store_milano, giulia):
    _looks(1, people=[associate_milano], stores=[store_milano], customers=[giulia], shown=("contact", "orders", "cart"))
    client.force_login(manager_milano)
    body = client.get(URL).content.decode()
    assert 'data-testid="access-sections">Contact, Orders and purchases, Online cart</td>' in body


def test_sections_are_translated_on_italian_pages(client, manager_milano, associate_milano, store_milano, giulia):
    _looks(1, people=[associate_milano], stores=[store_milano], customers=[giulia], shown=("contact", "orders"))
    client.force_login(manager_milano)
    body = client.get("/it" + URL).content.decode()
    assert 'data-testid="access-sections">Recapiti, Ordini e acquisti</td>' in body


def test_a_section_without_a_label_is_shown_as_recorded(client, manager_milano, associate_milano, store_milano, giulia):
    _looks(1, people=[associate_milano], stores=[store_milano], customers=[giulia], shown=("contact", "retired"))
    client.force_login(manager_milano)
    assert 'data-testid="access-sections">Contact, retired</td>' in client.get(URL).content.decode()


@pytest.mark.parametrize("text", ["²", "١٢٣", "٣"])
def test_digits_of_other_scripts_in_the_customer_filter_are_a_name_not_an_error(client, manager_milano, text):
    client.force_login(manager_milano)
    assert client.get(URL, {"customer": text}).status_code == 200
