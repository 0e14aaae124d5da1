"""Commission statements: one per store per month, and the moves between their states (SPEC 2.5).

A month is open while it runs; beat closes it once it has ended; the store's manager approves it or disputes
it; head office finalises it, which locks it. Head office finalises a month the store approved; one the store
has not approved (closed or disputed) only with an override whose written reason is kept on the statement.
An entry that arrives later for a finalised month lands in the store's next month that is not final
(`entry_periods`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from omniportal.access import scope_to_stores, user_role
from omniportal.models import Location, LocationKind, Role

from ..models import CommissionEntry, Statement, StatementStatus
from .periods import current_period, next_month, previous_month

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


class StatementNotFound(Exception):
    """No such statement among the stores the person works for."""


class StatementTransitionRefused(Exception):
    """The statement is not in a state that allows this action (or the person's role does not)."""


class StatementOverrideNeeded(StatementTransitionRefused):
    """The store has not approved the statement: head office may still finalise it, with a written reason."""


# The longest comment or reason a person may write on a statement.
STATEMENT_TEXT_MAX = 2000


class StatementAction(StrEnum):
    CLOSE = "close"
    APPROVE = "approve"
    DISPUTE = "dispute"
    FINALISE = "finalise"


@dataclass(frozen=True)
class StatementMove:
    """The states an action may start from, the state it leads to, and who may take it."""

    sources: frozenset[StatementStatus]
    target: StatementStatus
    # The one role that may take it. A review is the store's own word, so head office cannot approve or dispute
    # for a store (it overrides instead, below); a manager acts on their own stores' statements only.
    # None: only beat's monthly close takes it, never a person.
    by: Role | None
    refused: Promise | None = None  # why a person is refused in any other state
    forbidden: Promise | None = None  # why a person of another role is refused
    # States it may also start from when the person overrides the store's review with a written reason.
    override_sources: frozenset[StatementStatus] = frozenset()
    override_needed: Promise | None = None  # why it is refused from those states without a reason


S = StatementStatus
STATEMENT_MOVES: dict[StatementAction, StatementMove] = {
    StatementAction.CLOSE: StatementMove(frozenset({S.OPEN}), S.CLOSED, by=None),
    StatementAction.APPROVE: StatementMove(
        frozenset({S.CLOSED, S.DISPUTED}),
        S.APPROVED,
        by=Role.MANAGER,
        refused=gettext_lazy("Only a closed or disputed statement can be approved."),
        forbidden=gettext_lazy("Only the store's manager can approve its statement."),
    ),
    StatementAction.DISPUTE: StatementMove(
        frozenset({S.CLOSED, S.APPROVED, S.DISPUTED}),
        S.DISPUTED,
        by=Role.MANAGER,
        refused=gettext_lazy("Only a closed statement can be disputed."),
        forbidden=gettext_lazy("Only the store's manager can dispute its statement."),
    ),
    StatementAction.FINALISE: StatementMove(
        frozenset({S.APPROVED}),
        S.FINALISED,
        by=Role.HEAD_OFFICE,
        refused=gettext_lazy("Only a month that has ended and is not final yet can be finalised."),
        forbidden=gettext_lazy("Only head office can finalise a statement."),
        override_sources=frozenset({S.CLOSED, S.DISPUTED}),
        override_needed=gettext_lazy(
            "The store has not approved this statement: finalising it anyway needs head office's reason."
        ),
    ),
}


def _may_take(actor: AbstractBaseUser, move: StatementMove) -> bool:
    return move.by is not None and user_role(actor) == move.by


@dataclass(frozen=True)
class StatementOffer:
    """What a person may do with a statement now, as the table says: the buttons its pages show."""

    approve: bool = False
    dispute: bool = False
    finalise: bool = False  # the store approved it
    finalise_override: bool = False  # the store has not: finalising needs a reason

    def __bool__(self) -> bool:
        return self.approve or self.dispute or self.finalise or self.finalise_override


def statement_offer(statement: Statement, *, actor: AbstractBaseUser) -> StatementOffer:
    """The moves `actor` may take on `statement` (one of their stores': the caller scoped it)."""

    def offered(action: StatementAction, sources: str = "sources") -> bool:
        move = STATEMENT_MOVES[action]
        return _may_take(actor, move) and statement.status in getattr(move, sources)

    return StatementOffer(
        approve=offered(StatementAction.APPROVE),
        dispute=offered(StatementAction.DISPUTE),
        finalise=offered(StatementAction.FINALISE),
        finalise_override=offered(StatementAction.FINALISE, "override_sources"),
    )


def _written(text: str | None, *, missing: str, too_long: str) -> str:
    """A comment or reason as kept: trimmed, present, not too long (StatementTransitionRefused otherwise)."""
    text = (text or "").strip()
    if not text:
        raise StatementTransitionRefused(missing)
    if len(text) > STATEMENT_TEXT_MAX:
        raise StatementTransitionRefused(too_long)
    return text


def _statement_for(*, statement_id: int, actor: AbstractBaseUser) -> Statement:
    """The statement locked for update, if it belongs to one of the actor's stores."""
    statement = (
        scope_to_stores(Statement.objects.select_for_update(), actor)
        .filter(pk=statement_id)
        .select_related("store")
        .first()
    )
    if statement is None:
        raise StatementNotFound(statement_id)
    return statement


def _move(
    action: StatementAction, *, statement_id: int, actor: AbstractBaseUser, override: bool = False
) -> tuple[Statement, bool]:
    """The statement moved to the action's target state (not saved yet), and whether that took the override.

    `override`: the person gave a reason to move from the table's override states. Refused moves raise
    StatementTransitionRefused (StatementOverrideNeeded when only the reason is missing).
    """
    move = STATEMENT_MOVES[action]
    if not _may_take(actor, move):
        raise StatementTransitionRefused(str(move.forbidden))
    statement = _statement_for(statement_id=statement_id, actor=actor)
    overridden = False
    if statement.status in move.override_sources:
        if not override:
            raise StatementOverrideNeeded(str(move.override_needed))
        overridden = True
    elif statement.status not in move.sources:
        raise StatementTransitionRefused(str(move.refused))
    statement.status = move.target
    return statement, overridden


@transaction.atomic
def statement_approve(*, statement_id: int, actor: AbstractBaseUser) -> Statement:
    statement, _overridden = _move(StatementAction.APPROVE, statement_id=statement_id, actor=actor)
    statement.reviewed_by = actor
    statement.reviewed_at = timezone.now()
    statement.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    return statement


@transaction.atomic
def statement_dispute(*, statement_id: int, actor: AbstractBaseUser, comment: str) -> Statement:
    comment = _written(
        comment,
        missing=_("Say what is wrong: a dispute needs a comment."),
        too_long=_("The comment is too long (2,000 characters at most)."),
    )
    statement, _overridden = _move(StatementAction.DISPUTE, statement_id=statement_id, actor=actor)
    statement.comment = comment
    statement.reviewed_by = actor
    statement.reviewed_at = timezone.now()
    statement.save(update_fields=["status", "comment", "reviewed_by", "reviewed_at"])
    return statement


@transaction.atomic
def statement_finalise(*, statement_id: int, actor: AbstractBaseUser, override_reason: str = "") -> Statement:
    """Lock the month (head office). Later entries for it land in the store's next month that is not final.

    A month the store approved is finalised as it is. One it has not approved (closed or disputed) is refused
    with StatementOverrideNeeded unless `override_reason` says why head office finalises it anyway; the reason
    is kept on the statement. A reason given for an approved month is not kept: nothing was overridden.
    """
    reason = (override_reason or "").strip()
    if len(reason) > STATEMENT_TEXT_MAX:
        raise StatementTransitionRefused(_("The reason is too long (2,000 characters at most)."))
    statement, overridden = _move(
        StatementAction.FINALISE, statement_id=statement_id, actor=actor, override=bool(reason)
    )
    statement.finalised_by = actor
    statement.finalised_at = timezone.now()
    statement.override_reason = reason if overridden else ""
    statement.save(update_fields=["status", "finalised_by", "finalised_at", "override_reason"])
    return statement


@transaction.atomic
def statements_close_ended_months(*, now: datetime | None = None) -> int:
    """Give every commission-eligible store a statement for last month, and close every open past month."""
    now = now or timezone.now()
    current = current_period(now)
    last = previous_month(current)
    store_ids = set(
        Location.objects.filter(kind=LocationKind.STORE, active=True, commission_eligible=True).values_list(
            "pk", flat=True
        )
    )
    store_ids |= set(CommissionEntry.objects.filter(period=last).values_list("store_id", flat=True).distinct())
    Statement.objects.bulk_create([Statement(store_id=pk, period=last) for pk in store_ids], ignore_conflicts=True)
    close = STATEMENT_MOVES[StatementAction.CLOSE]
    return Statement.objects.filter(status__in=close.sources, period__lt=current).update(
        status=close.target, closed_at=now
    )


# ── Where an entry lands ────────────────────────────────────────────────────────────────────────────


def _statement_statuses(pairs: Iterable[tuple[int, date]]) -> dict[tuple[int, date], str]:
    """Statuses of the statements for (store, period) pairs, share-locked on PostgreSQL.

    The lock makes finalising wait for a crediting transaction that is writing into that month, and makes
    a crediting transaction that waited for a finalisation see it (and move on to the next month).
    """
    pairs = sorted(set(pairs))
    if not pairs:
        return {}
    if connection.vendor == "postgresql":
        table = Statement._meta.db_table
        values = ", ".join(["(%s, %s::date)"] * len(pairs))
        sql = (
            f"SELECT store_id, period, status FROM {table} WHERE (store_id, period) IN ({values}) "
            "ORDER BY store_id, period FOR SHARE"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [item for pair in pairs for item in pair])
            return {(store_id, period): status for store_id, period, status in cursor.fetchall()}
    condition = Q()
    for store_id, period in pairs:
        condition |= Q(store_id=store_id, period=period)
    return {
        (store_id, period): status
        for store_id, period, status in Statement.objects.filter(condition).values_list("store_id", "period", "status")
    }


def entry_periods(pairs: Iterable[tuple[int, date]]) -> dict[tuple[int, date], date]:
    """Where each (store, event month) lands: that month, or the next one not finalised (call inside atomic).

    Creates the statements it lands in, so a month that receives entries always has one.
    """
    target = {pair: pair[1] for pair in set(pairs)}
    pending = set(target)
    while pending:
        Statement.objects.bulk_create(
            [Statement(store_id=store_id, period=target[(store_id, origin)]) for store_id, origin in pending],
            ignore_conflicts=True,
        )
        statuses = _statement_statuses((store_id, target[(store_id, origin)]) for store_id, origin in pending)
        still = set()
        for store_id, origin in pending:
            if statuses.get((store_id, target[(store_id, origin)])) == StatementStatus.FINALISED:
                target[(store_id, origin)] = next_month(target[(store_id, origin)])
                still.add((store_id, origin))
        pending = still
    return target
