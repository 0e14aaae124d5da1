"""The one rule for a personal PIN, used where a PIN is typed (switch person) and where one is set.

Every PIN is 4 to 8 ASCII digits. A PIN that a person chooses (the set-PIN page, the admin) must also not be
one digit repeated or a run like 1234 or 4321: those are the first guesses of a colleague at the same tablet.
`create_user --pin` and the demo data (PIN 1234) are run by an operator and keep the format rule only.
"""

from __future__ import annotations

import re
from itertools import pairwise

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PIN_MIN_LENGTH = 4
PIN_MAX_LENGTH = 8
# [0-9], not \d: str.isdigit() and \d also accept digits of other scripts and superscripts.
_PIN_FORMAT = re.compile(f"[0-9]{{{PIN_MIN_LENGTH},{PIN_MAX_LENGTH}}}")


class InvalidPin(ValidationError):
    """A PIN that breaks the format rule or, where it applies, is too easy to guess."""


def validate_pin_format(pin: str) -> None:
    if not isinstance(pin, str) or not _PIN_FORMAT.fullmatch(pin):
        raise InvalidPin(
            _("A PIN is %(min)d to %(max)d digits."),
            code="pin_format",
            params={"min": PIN_MIN_LENGTH, "max": PIN_MAX_LENGTH},
        )


def is_guessable_pin(pin: str) -> bool:
    """One digit repeated (0000) or a run up or down, wrapping past 9 (1234, 4321, 7890)."""
    steps = {(int(after) - int(before)) % 10 for before, after in pairwise(pin)}
    return steps in ({0}, {1}, {9})


def validate_new_pin(pin: str) -> None:
    """The rule for a PIN a person chooses: the format, and not easy to guess."""
    validate_pin_format(pin)
    if is_guessable_pin(pin):
        raise InvalidPin(
            _("This PIN is too easy to guess. Avoid one digit repeated (0000) and runs (1234, 4321)."),
            code="pin_guessable",
        )
