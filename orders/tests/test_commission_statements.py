from __future__ import annotations

import datetime as dt

import pytest

from omniportal.models import Role
from orders.commissions.statements import (
    STATEMENT_MOVES,
    StatementAction,
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


# ── The transition table, exhausted ──

S = StatementStatus
A = StatementAction
PEOPLE = ["associate_milano", "manager_milano", "head_office"]
MAY_TAKE = {Role.MANAGER: {"manager_milano", "head_office"}, Role.HEAD_OFFICE: {"head_office"}}
TAKE = {
    A.APPROVE: lambda statement, actor: statement_approve(statement_id=statement.pk, actor=actor),
    A.DISPUTE: lambda statement, actor: statement_dispute(statement_id=statement.pk, actor=actor, comment="OP-12"),
    A.FINALISE: lambda statement, actor: statement_finalise(statement_id=statement.pk, actor=actor),
}


def test_the_statement_moves_are_the_specified_ones():
    assert {action: (set(move.sources), move.target, move.by) for action, move in STATEMENT_MOVES.items()} == {
        A.CLOSE: ({S.OPEN}, S.CLOSED, None),
        A.APPROVE: ({S.CLOSED, S.DISPUTED}, S.APPROVED, Role.MANAGER),
        A.DISPUTE: ({S.CLOSED, S.APPROVED, S.DISPUTED}, S.DISPUTED, Role.MANAGER),
        A.FINALISE: ({S.CLOSED, S.APPROVED, S.DISPUTED}, S.FINALISED, Role.HEAD_OFFICE),
    }
    assert set(TAKE) | {A.CLOSE} == set(StatementAction)


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("status", S.values)
@pytest.mark.parametrize("action", list(TAKE))
def test_every_action_from_every_state_moves_or_is_refused_as_the_table_says(
    request, store_milano, action, status, who
):
    actor = request.getfixturevalue(who)
    statement = Statement.objects.create(store=store_milano, period=OCTOBER, status=status)
    move = STATEMENT_MOVES[action]
    if who in MAY_TAKE[move.by] and status in move.sources:
        assert TAKE[action](statement, actor).status == move.target
    else:
        with pytest.raises(StatementTransitionRefused) as refused:
            TAKE[action](statement, actor)
        assert str(refused.value) == str(move.refused if who in MAY_TAKE[move.by] else move.forbidden)
    statement.refresh_from_db()
    assert statement.status == (move.target if who in MAY_TAKE[move.by] and status in move.sources else status)


@pytest.mark.parametrize("status", S.values)
def test_beat_closes_an_ended_month_only_from_the_states_the_table_says(store_milano, status):
    statement = Statement.objects.create(store=store_milano, period=OCTOBER, status=status)
    statements_close_ended_months(now=dt.datetime(2026, 11, 2, tzinfo=dt.UTC))
    statement.refresh_from_db()
    close = STATEMENT_MOVES[A.CLOSE]
    assert statement.status == (close.target if status in close.sources else status)
