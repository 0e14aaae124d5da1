from __future__ import annotations

import datetime as dt

import pytest

from orders.commissions.statements import (
    StatementNotFound,
    StatementTransitionRefused,
    statement_approve,
    statement_dispute,
    statement_finalise,
    statements_close_ended_months,
)
from orders.models import Statement, StatementStatus

pytestmark = pytest.mark.django_db
OCTOBER = dt.date(2026, 10, 1)
NOVEMBER = dt.date(2026, 11, 1)


def closed(store, period=OCTOBER):
    return Statement.objects.create(store=store, period=period, status=StatementStatus.CLOSED)


def test_beat_closes_every_ended_month_and_gives_each_store_a_statement(store_milano, store_roma):
    open_october = Statement.objects.create(store=store_milano, period=OCTOBER)
    open_november = Statement.objects.create(store=store_milano, period=NOVEMBER)
    closed_count = statements_close_ended_months(now=dt.datetime(2026, 11, 1, 0, 30, tzinfo=dt.UTC))
    assert closed_count == 2  # Milano's and Roma's (created: Roma had none)
    open_october.refresh_from_db()
    open_november.refresh_from_db()
    assert open_october.status == StatementStatus.CLOSED and open_october.closed_at is not None
    assert open_november.status == StatementStatus.OPEN
    assert Statement.objects.get(store=store_roma, period=OCTOBER).status == StatementStatus.CLOSED


def test_closing_twice_changes_nothing_more(store_milano):
    now = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
    statements_close_ended_months(now=now)
    assert statements_close_ended_months(now=now) == 0


def test_the_manager_approves_a_closed_month(store_milano, manager_milano):
    statement = statement_approve(statement_id=closed(store_milano).pk, actor=manager_milano)
    assert statement.status == StatementStatus.APPROVED and statement.reviewed_by == manager_milano


def test_the_manager_disputes_with_a_comment(store_milano, manager_milano):
    statement = statement_dispute(
        statement_id=closed(store_milano).pk, actor=manager_milano, comment="  Order OP-12 was ours  "
    )
    assert (statement.status, statement.comment) == (StatementStatus.DISPUTED, "Order OP-12 was ours")


def test_a_dispute_without_a_comment_is_refused(store_milano, manager_milano):
    statement = closed(store_milano)
    with pytest.raises(StatementTransitionRefused):
        statement_dispute(statement_id=statement.pk, actor=manager_milano, comment="   ")
    statement.refresh_from_db()
    assert statement.status == StatementStatus.CLOSED


def test_an_open_month_cannot_be_approved(store_milano, manager_milano):
    statement = Statement.objects.create(store=store_milano, period=NOVEMBER)
    with pytest.raises(StatementTransitionRefused):
        statement_approve(statement_id=statement.pk, actor=manager_milano)


def test_manager_of_milano_cannot_see_or_approve_romas_statement(store_roma, manager_milano):
    statement = closed(store_roma)
    with pytest.raises(StatementNotFound):
        statement_approve(statement_id=statement.pk, actor=manager_milano)
    with pytest.raises(StatementNotFound):
        statement_dispute(statement_id=statement.pk, actor=manager_milano, comment="not mine")
    statement.refresh_from_db()
    assert statement.status == StatementStatus.CLOSED


def test_head_office_finalises_and_then_it_is_locked(store_milano, manager_milano, head_office):
    statement = closed(store_milano)
    statement_approve(statement_id=statement.pk, actor=manager_milano)
    finalised = statement_finalise(statement_id=statement.pk, actor=head_office)
    assert finalised.status == StatementStatus.FINALISED and finalised.finalised_by == head_office
    with pytest.raises(StatementTransitionRefused):
        statement_dispute(statement_id=statement.pk, actor=manager_milano, comment="too late")
    with pytest.raises(StatementTransitionRefused):
        statement_finalise(statement_id=statement.pk, actor=head_office)


def test_a_manager_cannot_finalise(store_milano, manager_milano):
    with pytest.raises(StatementTransitionRefused):
        statement_finalise(statement_id=closed(store_milano).pk, actor=manager_milano)


def test_an_open_month_cannot_be_finalised(store_milano, head_office):
    with pytest.raises(StatementTransitionRefused):
        statement_finalise(
            statement_id=Statement.objects.create(store=store_milano, period=NOVEMBER).pk, actor=head_office
        )
