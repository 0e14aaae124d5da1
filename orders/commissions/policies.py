"""Commission policies: the rates in force on a date (only one policy is in force on any date)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.db import transaction

from ..models import CommissionPolicy


class NoPolicyInForce(Exception):
    """No commission policy covers the order's date: head office must add one; the sweep retries."""


def policy_in_force(*, on: date, policies: Sequence[CommissionPolicy] | None = None) -> CommissionPolicy:
    """The one policy in force on `on` (category rates prefetched)."""
    if policies is None:
        policies = policies_with_rates()
    for policy in policies:
        if policy.effective_from <= on and (policy.effective_to is None or on <= policy.effective_to):
            return policy
    raise NoPolicyInForce(f"no commission policy is in force on {on.isoformat()}")


def policies_with_rates() -> list[CommissionPolicy]:
    return list(CommissionPolicy.objects.prefetch_related("category_rates"))


def category_rates(policy: CommissionPolicy) -> dict[int, Decimal]:
    """Category id → rate (needs `category_rates` prefetched, as `policies_with_rates` does)."""
    return {rate.category_id: rate.rate for rate in policy.category_rates.all()}


@transaction.atomic
def commission_policy_save(*, policy: CommissionPolicy) -> CommissionPolicy:
    """Validate (one policy in force per date, rates within 0..1) and save. The database refuses overlaps too."""
    policy.full_clean()
    policy.save()
    return policy
