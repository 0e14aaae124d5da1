"""Head office sees who is locked out of sign-in or PIN entry and lets them back in."""

from __future__ import annotations

from datetime import UTC, datetime

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .access import head_office_required
from .throttle import PIN_SCOPE, SIGNIN_SCOPE, lockouts_clear_for_user, reset_failures
from .throttle import lockouts as current_lockouts


class UnlockForm(forms.Form):
    scope = forms.ChoiceField(choices=[(SIGNIN_SCOPE, SIGNIN_SCOPE), (PIN_SCOPE, PIN_SCOPE)])
    ident = forms.CharField(max_length=150)


def _rows() -> list[dict[str, object]]:
    locks = current_lockouts()
    users = get_user_model().objects
    pin_people = users.in_bulk([int(lock.ident) for lock in locks if lock.scope == PIN_SCOPE and lock.ident.isdigit()])
    signin_people = {
        user.username.lower(): user
        for user in users.filter(username__in=[lock.ident for lock in locks if lock.scope == SIGNIN_SCOPE])
    }
    rows = []
    for lock in locks:
        if lock.scope == PIN_SCOPE:
            person = pin_people.get(int(lock.ident)) if lock.ident.isdigit() else None
            what = _("PIN")
        else:
            person = signin_people.get(lock.ident)
            what = _("Password sign-in")
        rows.append(
            {
                "scope": lock.scope,
                "ident": lock.ident,
                "what": what,
                "person": person,
                "locked_at": datetime.fromtimestamp(lock.locked_at, tz=UTC),
            }
        )
    return rows


@require_http_methods(["GET", "POST"])
@head_office_required
def lockouts(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = UnlockForm(request.POST)
        if form.is_valid():
            scope, ident = form.cleaned_data["scope"], form.cleaned_data["ident"]
            if scope == SIGNIN_SCOPE:
                # Unlock the whole person: their PIN too, when the username is a real one.
                user = get_user_model().objects.filter(username__iexact=ident).first()
                lockouts_clear_for_user(username=ident, user_pk=user.pk if user else None)
            else:
                reset_failures(scope, ident)
            messages.success(request, _("Unlocked."))
        return redirect("lockouts")
    return render(request, "registration/lockouts.html", {"rows": _rows()})
