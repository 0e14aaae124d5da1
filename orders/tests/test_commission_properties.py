"""Properties of the amount, the split and the reversals, over many generated orders (no database)."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from orders.commissions.amounts import CommissionLine, commission_amount, split_amount
from orders.commissions.ledger import _apply_change, _reversal_entries
from orders.models import CommissionEntry, EntryKind, EntryRole, OrderStatus, OrderStatusChange, commission_event_key

cents = st.integers(min_value=0, max_value=500_000).map(lambda n: Decimal(n) / 100)
rates = st.integers(min_value=0, max_value=10_000).map(lambda n: Decimal(n) / 10_000)
lines = st.lists(
    st.builds(
        lambda quantity, price, discount_cents, rate: CommissionLine(
            sku=f"SKU-{quantity}-{price}", quantity=quantity, net=quantity * price - discount_cents, rate=rate
        ),
        st.integers(min_value=1, max_value=20),
        cents,
        st.integers(min_value=0, max_value=100).map(lambda n: Decimal(n) / 100),
        rates,
    ),
    min_size=1,
    max_size=8,
)
currencies = st.sampled_from(["EUR", "USD", "JPY"])


@given(lines=lines, currency=currencies)
def test_the_amount_is_the_exact_sum_rounded_once_half_even(lines, currency):
    base, amount, unrounded = commission_amount(lines=lines, currency=currency)
    exact = sum(line.net * line.rate for line in lines)
    step = Decimal("1") if currency == "JPY" else Decimal("0.01")
    assert unrounded == exact
    assert amount == exact.quantize(step, rounding=ROUND_HALF_EVEN)
    assert abs(amount - exact) <= step / 2
    assert base == sum(line.net for line in lines)


@given(amount=st.integers(min_value=-(10**9), max_value=10**9).map(lambda n: Decimal(n) / 100), share=rates)
def test_the_split_always_adds_up_to_the_amount(amount, share):
    assisted, remainder = split_amount(amount=amount, share=share, currency="EUR")
    assert assisted + remainder == amount
    assert assisted == (amount * share).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
    assert assisted.as_tuple().exponent == -2


def _credited_lines(lines):
    """The lines as the credit records them (CommissionCreditLine), named L0, L1, … for the returns."""
    return [
        CommissionLine(sku=f"L{i}", quantity=line.quantity, net=line.net, rate=line.rate)
        for i, line in enumerate(lines)
    ]


def _credit(role, **fields):
    return CommissionEntry(role=role, event_key=commission_event_key(role=role, status_change_id=None), **fields)


def _credits(lines, share, currency):
    """The credit entries the service writes for an order (beneficiary, and the selling store when split)."""
    _base, amount, _ = commission_amount(lines=lines, currency=currency)
    common = {
        "order_id": 1,
        "kind": EntryKind.CREDIT,
        "currency": currency,
        "policy_id": 1,
        "rate": Decimal("0"),
        "explanation": {},
        "location_source": "given",
    }
    if share is None:
        return [_credit(EntryRole.BENEFICIARY, store_id=1, amount=amount, share=Decimal("1"), **common)]
    assisted, remainder = split_amount(amount=amount, share=share, currency=currency)
    return [
        _credit(EntryRole.BENEFICIARY, store_id=1, amount=remainder, share=1 - share, **common),
        _credit(EntryRole.ASSISTED, store_id=2, amount=assisted, share=share, **common),
    ]


@settings(max_examples=300)
@given(
    lines=lines,
    share=st.one_of(st.none(), rates),
    currency=currencies,
    returns=st.lists(
        st.tuples(st.integers(min_value=0, max_value=7), st.integers(min_value=1, max_value=25)), max_size=6
    ),
)
def test_partial_returns_followed_by_a_cancellation_cancel_every_store_exactly(lines, share, currency, returns):
    credits = _credits(lines, share, currency)
    credited_lines = _credited_lines(lines)
    key_of_role = {entry.role: entry.event_key for entry in credits}
    cumulative = [0] * len(credited_lines)
    reversed_ = {entry.event_key: Decimal("0") for entry in credits}
    events = [[{"sku": f"L{i % len(lines)}", "quantity": n}] for i, n in returns] + [[]]
    for number, event_lines in enumerate(events, start=1):
        change = OrderStatusChange(
            pk=number, to_status=OrderStatus.RETURNED, lines=event_lines, occurred_at=timezone.now()
        )
        before = list(cumulative)
        _apply_change(cumulative, credited_lines, change)
        already = {role: -reversed_[key] for role, key in key_of_role.items()}
        for entry in _reversal_entries(
            change=change,
            credits=credits,
            credited_lines=credited_lines,
            before=before,
            cumulative=cumulative,
            already=already,
        ):
            key = key_of_role[entry.role]
            reversed_[key] += entry.amount
            if all(line.net >= 0 for line in lines):
                # Returning more never gives a store money back: each step takes away, or nothing.
                assert entry.amount <= 0
    for credit in credits:
        assert credit.amount + reversed_[credit.event_key] == 0
