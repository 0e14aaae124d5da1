"""Text keys shared by search and ingestion: one definition of "the same name" and "the same phone"."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers

_NON_DIGITS = re.compile(r"\D+")
_SPACES = re.compile(r"\s+")


# Apostrophes as keyboards type them: a tablet's smart punctuation turns D'Amico into D’Amico.
_APOSTROPHES = str.maketrans(dict.fromkeys("’‘ʼ´`", "'"))


def fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced, one apostrophe: 'Élodie  D’Amico' → "elodie d'amico"."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def fold_name(text: str) -> str:
    """A person's name as search keys it: folded, apostrophes dropped ("D’Amico", "d'amico" → "damico")."""
    return fold(text).replace("'", "")


def name_key(first_name: str, last_name: str) -> str:
    return fold_name(f"{first_name} {last_name}")


def digits(text: str) -> str:
    return _NON_DIGITS.sub("", text)


def to_e164(phone: str, country: str = "IT") -> str:
    """Parse a phone number in any common format into E.164; ValueError when it is not a valid number."""
    try:
        parsed = phonenumbers.parse(phone, (country or "IT").upper())
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"'{phone}' is not a phone number.") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError(f"'{phone}' is not a valid phone number.")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def initials(*names: str) -> str:
    """The first letter of each of up to two names, for an avatar: ("Giulia", "Verdi") → "GV", ("Élodie",
    "de Jong") → "ÉD", ("", "Neri") → "N"; "?" when no name has a letter (an erased customer)."""
    letters = [next((ch for ch in name if ch.isalpha()), "") for name in names[:2]]
    return "".join(letters).upper() or "?"
