from __future__ import annotations

import datetime as dt

import pytest

from omniportal.models import Role
from orders.commissions.statements import (
    STATEMENT_MOVES,
    StatementAction,
    StatementNotFound,
    StatementOverrideNeeded,
    StatementTransitionRefused,
    statement_approve,
    statement_dispute,
    statement_finalise,
    statement_offer,
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


# ── Finalise only after the store approved, or with head office's override and its reason ──


@pytest.mark.parametrize("status", [StatementStatus.CLOSED, StatementStatus.DISPUTED])
def test_a_month_the_store_has_not_approved_is_not_finalised_without_a_reason(store_milano, head_office, status):
    statement = Statement.objects.create(store=store_milano, period=OCTOBER, status=status, comment="OP-12")
    for reason in ("", "   \n "):
        with pytest.raises(StatementOverrideNeeded, match="needs head office's reason"):
            statement_finalise(statement_id=statement.pk, actor=head_office, override_reason=reason)
    statement.refresh_from_db()
    assert (statement.status, statement.override_reason, statement.finalised_by) == (status, "", None)


@pytest.mark.parametrize("status", [StatementStatus.CLOSED, StatementStatus.DISPUTED])
def test_head_office_finalises_a_month_the_store_has_not_approved_with_its_reason_recorded(
    store_milano, head_office, status
):
    statement = Statement.objects.create(store=store_milano, period=OCTOBER, status=status)
    finalised = statement_finalise(
        statement_id=statement.pk, actor=head_office, override_reason="  Store closed for works; agreed by phone.  "
    )
    statement.refresh_from_db()
    assert statement.status == StatementStatus.FINALISED and finalised.finalised_by == head_office
    assert statement.override_reason == "Store closed for works; agreed by phone."
    assert statement.overridden


@pytest.mark.parametrize("status", [StatementStatus.CLOSED, StatementStatus.DISPUTED, StatementStatus.APPROVED])
def test_only_head_office_may_override_even_with_a_reason(store_milano, manager_milano, associate_milano, status):
    statement = Statement.objects.create(store=store_milano, period=OCTOBER, status=status)
    for person in (manager_milano, associate_milano):
        with pytest.raises(StatementTransitionRefused, match="Only head office"):
            statement_finalise(statement_id=statement.pk, actor=person, override_reason="I say so")
    statement.refresh_from_db()
    assert (statement.status, statement.override_reason) == (status, "")


def test_an_approved_month_is_finalised_as_it_is_and_keeps_no_reason(store_milano, manager_milano, head_office):
    statement = closed(store_milano)
    statement_approve(statement_id=statement.pk, actor=manager_milano)
    statement_finalise(statement_id=statement.pk, actor=head_office, override_reason="nothing to override")
    statement.refresh_from_db()
    assert (statement.status, statement.override_reason, statement.overridden) == (StatementStatus.FINALISED, "", False)


def test_an_override_reason_that_is_too_long_is_refused(store_milano, head_office):
    statement = closed(store_milano)
    with pytest.raises(StatementTransitionRefused, match="too long"):
        statement_finalise(statement_id=statement.pk, actor=head_office, override_reason="x" * 2001)
    statement.refresh_from_db()
    assert statement.status == StatementStatus.CLOSED


def test_an_open_or_final_month_is_refused_even_with_a_reason(store_milano, head_office):
    for status in (StatementStatus.OPEN, StatementStatus.FINALISED):
        statement = Statement.objects.create(store=store_milano, period=OCTOBER, status=status)
        with pytest.raises(StatementTransitionRefused) as refused:
            statement_finalise(statement_id=statement.pk, actor=head_office, override_reason="because")
        assert not isinstance(refused.value, StatementOverrideNeeded)
        statement.delete()


def test_head_office_cannot_approve_or_dispute_for_a_store(store_milano, head_office):
    """Otherwise head office could approve a month itself and finalise it with no override and no reason."""
    statement = closed(store_milano)
    with pytest.raises(StatementTransitionRefused, match="store's manager"):
        statement_approve(statement_id=statement.pk, actor=head_office)
    with pytest.raises(StatementTransitionRefused, match="store's manager"):
        statement_dispute(statement_id=statement.pk, actor=head_office, comment="on their behalf")
    statement.refresh_from_db()
    assert statement.status == StatementStatus.CLOSED


@pytest.mark.parametrize(
    ("who", "status", "offered"),
    [
        ("manager_milano", StatementStatus.CLOSED, {"approve", "dispute"}),
        ("manager_milano", StatementStatus.APPROVED, {"dispute"}),
        ("manager_milano", StatementStatus.DISPUTED, {"approve", "dispute"}),
        ("manager_milano", StatementStatus.OPEN, set()),
        ("head_office", StatementStatus.CLOSED, {"finalise_override"}),
        ("head_office", StatementStatus.DISPUTED, {"finalise_override"}),
        ("head_office", StatementStatus.APPROVED, {"finalise"}),
        ("head_office", StatementStatus.FINALISED, set()),
        ("associate_milano", StatementStatus.CLOSED, set()),
    ],
)
def test_the_pages_offer_what_the_table_allows(request, store_milano, who, status, offered):
    statement = Statement(store=store_milano, period=OCTOBER, status=status)
    offer = statement_offer(statement, actor=request.getfixturevalue(who))
    names = ("approve", "dispute", "finalise", "finalise_override")
    assert {name for name in names if getattr(offer, name)} == offered


def test_an_open_month_cannot_be_finalised(store_milano, head_office):
    with pytest.raises(StatementTransitionRefused):
        statement_finalise(
            statement_id=Statement.objects.create(store=store_milano, period=NOVEMBER).pk, actor=head_office
        )


# ── The transition table, exhausted ──

S = StatementStatus
A = StatementAction
PEOPLE = ["associate_milano", "manager_milano", "head_office"]
# Exactly one role per move: head office does not review for a store, a manager does not finalise.
MAY_TAKE = {Role.MANAGER: {"manager_milano"}, Role.HEAD_OFFICE: {"head_office"}}
TAKE = {
    A.APPROVE: lambda statement, actor, reason: statement_approve(statement_id=statement.pk, actor=actor),
    A.DISPUTE: lambda statement, actor, reason: statement_dispute(
        statement_id=statement.pk, actor=actor, comment="OP-12"
    ),
    A.FINALISE: lambda statement, actor, reason: statement_finalise(
        statement_id=statement.pk, actor=actor, override_reason=reason
    ),
}


def test_the_statement_moves_are_the_specified_ones():
    moves = {
        action: (set(move.sources), set(move.override_sources), move.target, move.by)
        for action, move in STATEMENT_MOVES.items()
    }
    assert moves == {
        A.CLOSE: ({S.OPEN}, set(), S.CLOSED, None),
        A.APPROVE: ({S.CLOSED, S.DISPUTED}, set(), S.APPROVED, Role.MANAGER),
        A.DISPUTE: ({S.CLOSED, S.APPROVED, S.DISPUTED}, set(), S.DISPUTED, Role.MANAGER),
        # Finalise after the store approved; from closed or disputed only with head office's reason.
        A.FINALISE: ({S.APPROVED}, {S.CLOSED, S.DISPUTED}, S.FINALISED, Role.HEAD_OFFICE),
    }
    assert set(TAKE) | {A.CLOSE} == set(StatementAction)


@pytest.mark.parametrize("reason", ["", "Agreed with the store by phone"], ids=["no reason", "with a reason"])
@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("status", S.values)
@pytest.mark.parametrize("action", list(TAKE))
def test_every_action_from_every_state_moves_or_is_refused_as_the_table_says(
    request, store_milano, action, status, who, reason
):
    actor = request.getfixturevalue(who)
    statement = Statement.objects.create(store=store_milano, period=OCTOBER, status=status)
    move = STATEMENT_MOVES[action]
    allowed = who in MAY_TAKE[move.by]
    moves = allowed and (status in move.sources or (status in move.override_sources and bool(reason)))
    if moves:
        assert TAKE[action](statement, actor, reason).status == move.target
    else:
        with pytest.raises(StatementTransitionRefused) as refused:
            TAKE[action](statement, actor, reason)
        if not allowed:
            expected = move.forbidden
        elif status in move.override_sources:
            expected = move.override_needed
        else:
            expected = move.refused
        assert str(refused.value) == str(expected)
    statement.refresh_from_db()
    assert statement.status == (move.target if moves else status)
    assert statement.override_reason == (reason if moves and status in move.override_sources else "")


@pytest.mark.parametrize("status", S.values)
def test_beat_closes_an_ended_month_only_from_the_states_the_table_says(store_milano, status):
    statement = Statement.objects.create(store=store_milano, period=OCTOBER, status=status)
    statements_close_ended_months(now=dt.datetime(2026, 11, 2, tzinfo=dt.UTC))
    statement.refresh_from_db()
    close = STATEMENT_MOVES[A.CLOSE]
    assert statement.status == (close.target if status in close.sources else status)
