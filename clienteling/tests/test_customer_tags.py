from __future__ import annotations

import pytest
from django.template import Context, Template

from clienteling.factories import CustomerFactory
from clienteling.templatetags.customers import AVATAR_TONES, phone


@pytest.mark.parametrize(
    ("first", "last", "initials"),
    [
        ("Giulia", "Verdi", "GV"),
        ("Nicola", "D'Angelo", "ND"),
        ("élodie", "de Jong", "ÉD"),
        ("", "", "?"),
        ("", "Neri", "N"),
    ],
)
def test_initials_are_the_first_letter_of_each_name(first, last, initials):
    assert CustomerFactory.build(first_name=first, last_name=last).initials == initials


def test_the_avatar_is_decorative_and_keeps_its_tone_by_customer():
    customer = CustomerFactory.build(pk=AVATAR_TONES * 7 + 2, first_name="Lucia", last_name="Bianchi")
    html = Template('{% load customers %}{% avatar customer "large" %}').render(Context({"customer": customer}))
    assert html == '<span class="initials avatar-tone-2 initials-large" aria-hidden="true">LB</span>'


@pytest.mark.parametrize(
    ("stored", "shown"),
    [("+393471112233", "+39 347 111 2233"), ("+33612345678", "+33 6 12 34 56 78"), ("call me", "call me"), ("", "")],
)
def test_phone_numbers_read_in_groups(stored, shown):
    assert phone(stored) == shown
