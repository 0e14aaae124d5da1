"""Helpers for tests of shared tablets (sign-in, person switch, PIN)."""

from __future__ import annotations

PASSWORD = "correct-horse-battery"  # every named person's password (conftest.py)


def full_sign_in(client, user) -> None:
    """Sign out whoever is on the tablet, then sign in with the password (the device remembers the person)."""
    client.post("/accounts/logout/")
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content
