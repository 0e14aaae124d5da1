"""What each entry says about itself: the audit record kept with it, and the sentence a manager reads.

The record (`CommissionEntry.explanation`) is for people: the ledger's own columns and the credited lines
(`CommissionCreditLine`) are what the services compute with; nothing reads this record back as data.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from ..models import CommissionEntry, CommissionPolicy, EntryKind, EntryRole, LocationSource, Order, OrderStatus
from .amounts import CommissionLine
from .beneficiary import Beneficiary


def _money(value: Decimal) -> str:
    return format(value, "f")


def credit_explanation(
    *,
    order: Order,
    point: tuple[float, float] | None,
    beneficiary: Beneficiary,
    policy: CommissionPolicy,
    lines: Sequence[CommissionLine],
    amount: Decimal,
) -> dict[str, Any]:
    """Why the order credits this store this amount: location and its source, policy, each line's rate."""
    return {
        "beneficiary": beneficiary.reason,
        "location": {"lat": point[0], "lon": point[1]} if point else None,
        "location_source": order.location_source,
        "policy": {"id": policy.pk, "name": policy.name, "effective_from": policy.effective_from.isoformat()},
        "default_rate": _money(policy.default_rate),
        "lines": [
            {"sku": line.sku, "quantity": line.quantity, "net": _money(line.net), "rate": _money(line.rate)}
            for line in lines
        ],
        "order_amount": _money(amount),
        "beneficiary_store": beneficiary.store_code,
    }


def role_explanation(explanation: dict[str, Any], *, role: EntryRole, share: Decimal) -> dict[str, Any]:
    """One store's entry of a credit: the credit's explanation, with its role and share."""
    return {**explanation, "role": role.value, "share": _money(share)}


def reversal_explanation(
    credit: CommissionEntry, *, reason: str, change_id: int, reversed_quantities: dict[str, int]
) -> dict[str, Any]:
    """A reversal repeats its credit's explanation (without the lines) and says what was taken back."""
    return {
        **{key: value for key, value in credit.explanation.items() if key != "lines"},
        "reversal": reason,
        "change": change_id,
        "reversed_quantities": reversed_quantities,
    }


def entry_reason(entry: CommissionEntry) -> str:
    """Why this store got this entry, in a sentence for the manager."""
    explanation = entry.explanation or {}
    source = LocationSource(entry.location_source).label if entry.location_source in LocationSource.values else ""
    if entry.role == EntryRole.ASSISTED:
        text = _("Selling store of an endless-aisle order (assisted share)")
    elif explanation.get("beneficiary") == "pickup":
        text = _("Pickup store chosen by the customer")
    else:
        text = _("Nearest eligible store to the delivery address (%(source)s)") % {"source": source}
    if entry.kind == EntryKind.REVERSAL:
        status = explanation.get("reversal", "")
        label = OrderStatus(status).label if status in OrderStatus.values else status
        text = _("Reversal (%(status)s) · %(reason)s") % {"status": label, "reason": text}
    return text
