from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from inventory.factories import CategoryFactory
from orders.commissions.ledger import commission_credit_order
from orders.models import CommissionEntry, CommissionPolicy, Statement, StatementStatus

from .commission_support import default_policy, order_with_lines

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(store_milano):
    default_policy()
    order = order_with_lines((1, "100.00", "0"), delivery_lat=45.466, delivery_lon=9.186)
    commission_credit_order(order_id=order.pk)
    return CommissionEntry.objects.get(order=order)


def policy_form(**overrides):
    data = {
        "name": "Christmas",
        "effective_from": "2026-12-01",
        "effective_to": "2026-12-31",
        "default_rate": "0.08",
        "assisted_share": "0.5",
        "category_rates-TOTAL_FORMS": "0",
        "category_rates-INITIAL_FORMS": "0",
        "category_rates-MIN_NUM_FORMS": "0",
        "category_rates-MAX_NUM_FORMS": "1000",
    }
    return {**data, **overrides}


def test_head_office_cannot_add_a_policy_overlapping_the_one_in_force(client, head_office):
    default_policy()
    client.force_login(head_office)
    response = client.post(reverse("admin:orders_commissionpolicy_add"), policy_form())
    assert response.status_code == 200
    assert "Only one policy may be in force" in response.content.decode()
    assert CommissionPolicy.objects.count() == 1


def test_head_office_adds_a_policy_with_category_rates_after_ending_the_current_one(client, head_office):
    current = default_policy()
    current.effective_to = dt.date(2026, 11, 30)
    current.save()
    shoes = CategoryFactory(code="shoes")
    client.force_login(head_office)
    response = client.post(
        reverse("admin:orders_commissionpolicy_add"),
        policy_form(
            **{
                "category_rates-TOTAL_FORMS": "1",
                "category_rates-0-category": str(shoes.pk),
                "category_rates-0-rate": "0.12",
            }
        ),
    )
    assert response.status_code == 302
    assert CommissionPolicy.objects.get(name="Christmas").category_rates.get().category == shoes


def test_a_policy_that_credited_orders_keeps_its_terms(client, head_office, entry):
    client.force_login(head_office)
    response = client.get(reverse("admin:orders_commissionpolicy_change", args=[entry.policy_id]))
    assert 'name="default_rate"' not in response.content.decode()
    assert client.post(reverse("admin:orders_commissionpolicy_delete", args=[entry.policy_id])).status_code == 403


def test_the_ledger_is_read_only_in_the_admin(client, head_office, entry):
    client.force_login(head_office)
    assert client.get(reverse("admin:orders_commissionentry_changelist")).status_code == 200
    page = client.get(reverse("admin:orders_commissionentry_change", args=[entry.pk])).content.decode()
    assert 'name="amount"' not in page
    assert (
        client.post(reverse("admin:orders_commissionentry_change", args=[entry.pk]), {"amount": "1"}).status_code == 403
    )
    assert client.post(reverse("admin:orders_commissionentry_delete", args=[entry.pk])).status_code == 403
    assert client.get(reverse("admin:orders_commissionentry_add")).status_code == 403
    assert CommissionEntry.objects.get(pk=entry.pk).amount == entry.amount


def test_head_office_finalises_statements_with_the_admin_action(client, head_office, store_milano, store_roma):
    approved = Statement.objects.create(
        store=store_milano, period=dt.date(2026, 10, 1), status=StatementStatus.APPROVED
    )
    closed = Statement.objects.create(store=store_roma, period=dt.date(2026, 10, 1), status=StatementStatus.CLOSED)
    still_open = Statement.objects.create(store=store_roma, period=dt.date(2026, 11, 1))
    client.force_login(head_office)
    response = client.post(
        reverse("admin:orders_statement_changelist"),
        {"action": "finalise", "_selected_action": [approved.pk, closed.pk, still_open.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "not approved by its store" in response.content.decode()
    for statement in (approved, closed, still_open):
        statement.refresh_from_db()
    # The same rule as the network page: only what the store approved is finalised without a reason.
    assert (approved.status, closed.status, still_open.status) == (
        StatementStatus.FINALISED,
        StatementStatus.CLOSED,
        StatementStatus.OPEN,
    )


def test_the_admin_override_asks_for_the_reason_and_records_it(client, head_office, store_milano, store_roma):
    disputed = Statement.objects.create(
        store=store_milano, period=dt.date(2026, 10, 1), status=StatementStatus.DISPUTED, comment="OP-12 is ours"
    )
    closed = Statement.objects.create(store=store_roma, period=dt.date(2026, 10, 1), status=StatementStatus.CLOSED)
    client.force_login(head_office)
    selected = {"action": "finalise_with_override", "_selected_action": [disputed.pk, closed.pk]}

    asked = client.post(reverse("admin:orders_statement_changelist"), selected)
    assert asked.status_code == 200 and 'name="override_reason"' in asked.content.decode()
    disputed.refresh_from_db()
    assert disputed.status == StatementStatus.DISPUTED  # nothing happens before the reason is given

    empty = client.post(reverse("admin:orders_statement_changelist"), {**selected, "apply": "1", "override_reason": ""})
    assert 'name="override_reason"' in empty.content.decode()  # asked again
    closed.refresh_from_db()
    assert closed.status == StatementStatus.CLOSED

    done = client.post(
        reverse("admin:orders_statement_changelist"),
        {**selected, "apply": "1", "override_reason": "Audit deadline; OP-12 checked by finance."},
        follow=True,
    )
    assert "2 statements finalised." in done.content.decode()
    for statement in (disputed, closed):
        statement.refresh_from_db()
        assert statement.status == StatementStatus.FINALISED
        assert statement.override_reason == "Audit deadline; OP-12 checked by finance."
    change_page = client.get(reverse("admin:orders_statement_change", args=[closed.pk])).content.decode()
    assert "Audit deadline; OP-12 checked by finance." in change_page
