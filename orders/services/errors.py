"""What order services raise: each message is safe to show to the associate or return to the integrator."""

from __future__ import annotations

from inventory.services import ShortLine


class OrderError(Exception):
    """An order rule said no; the message is safe to show to the associate."""


class BasketError(OrderError):
    pass


class AddressInvalid(OrderError):
    """`errors` maps field name → message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))


class OrderShort(OrderError):
    """Placing failed on stock: nothing was reserved. `short` lists the short lines and what is possible."""

    def __init__(self, short: list[ShortLine], message: str) -> None:
        self.short = short
        super().__init__(message)


class IllegalTransition(OrderError):
    pass


class AlreadyInStatus(IllegalTransition):
    """The order already is in the status asked for: a repeat (a retried API call, a double tap), so nothing was
    written. A caller that retries treats it as done; to any other caller it is a move that was not made."""
