"""Quick person switch on a shared store tablet.

Each associate signs in once a day with their password on the tablet; the device remembers that in a signed
cookie (who, when). For the next `STAFF_PIN_HOURS` of that day, anyone remembered can take the tablet back
with their personal PIN in a few seconds. The switch is a real `login()`, so every order, note and profile
view that follows is attributed to the person who typed the PIN. Five wrong PINs lock that person's PIN
everywhere (omniportal.throttle) until the lock expires or they sign in with their password.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.hashers import check_password
from django.core import signing
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .access import user_stores
from .auth_views import SignInView
from .language import remember_language
from .middleware import SESSION_STORE_KEY
from .pins import validate_pin_format
from .throttle import MAX_FAILURES, PIN_SCOPE, is_locked_out, record_failure, reset_failures

DEVICE_COOKIE = "omniportal_device"
_COOKIE_SALT = "omniportal.switch-person"
_MAX_PEOPLE = 30


def _window_seconds() -> int:
    return settings.STAFF_PIN_HOURS * 3600


def device_signins(request: HttpRequest) -> dict[int, float]:
    """People who did a full sign-in on this device today, within the PIN window: {user id: when (epoch)}."""
    try:
        raw = request.get_signed_cookie(DEVICE_COOKIE, salt=_COOKIE_SALT, max_age=_window_seconds())
        entries = json.loads(raw)
    except (KeyError, signing.BadSignature, ValueError, TypeError):
        return {}
    now = time.time()
    today = timezone.localdate()
    valid: dict[int, float] = {}
    if not isinstance(entries, list):
        return {}
    for entry in entries[:_MAX_PEOPLE]:
        if not isinstance(entry, dict):
            continue
        user_pk, at = entry.get("u"), entry.get("t")
        if not isinstance(user_pk, int) or not isinstance(at, int | float):
            continue
        if not 0 <= now - at <= _window_seconds():
            continue
        if timezone.localtime(datetime.fromtimestamp(at, tz=UTC)).date() == today:
            valid[user_pk] = at
    return valid


def _remember_full_signin(request: HttpRequest, response: HttpResponse, user_pk: int) -> None:
    entries = device_signins(request)
    entries[user_pk] = time.time()
    newest = sorted(entries.items(), key=lambda item: item[1], reverse=True)[:_MAX_PEOPLE]
    response.set_signed_cookie(
        DEVICE_COOKIE,
        json.dumps([{"u": pk, "t": at} for pk, at in newest]),
        salt=_COOKIE_SALT,
        max_age=_window_seconds(),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


class DeviceSignInView(SignInView):
    """The password sign-in; it also remembers the person on this device for PIN switching."""

    def form_valid(self, form: forms.Form) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        reset_failures(PIN_SCOPE, str(user.pk))  # a password sign-in unlocks the PIN
        _remember_full_signin(self.request, response, user.pk)
        return _in_their_language(response, user)


def _in_their_language(response: HttpResponse, user) -> HttpResponse:
    """After a sign-in: the person's own language, when they chose one (the redirect goes to it)."""
    profile = getattr(user, "staff_profile", None)
    language = profile.language if profile is not None else ""
    if not language or not isinstance(response, HttpResponseRedirect):
        return response
    target = response["Location"]
    for code, _name in settings.LANGUAGES:
        if target.startswith(f"/{code}/"):
            target = target[len(code) + 1 :]
    if language != settings.LANGUAGE_CODE:
        target = f"/{language}{target}"
    response["Location"] = target
    return remember_language(response, language)


class SwitchForm(forms.Form):
    person = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    # The format only: create_user and the demo may set an easy PIN (1234), and it must still switch.
    pin = forms.CharField(label=gettext_lazy("PIN"), strip=True, validators=[validate_pin_format])


def _switch_to(request: HttpRequest, user) -> None:
    store_pk = request.session.get(SESSION_STORE_KEY)
    login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
    # Keep the tablet on its store when the new person works there too.
    if store_pk is not None and user_stores(user).filter(pk=store_pk).exists():
        request.session[SESSION_STORE_KEY] = store_pk


@require_http_methods(["GET", "POST"])
@never_cache
def switch_person(request: HttpRequest) -> HttpResponse:
    signins = device_signins(request)
    people = list(
        get_user_model()
        .objects.filter(pk__in=signins, is_active=True, staff_profile__isnull=False)
        .select_related("staff_profile")
        .order_by("first_name", "last_name", "username")
    )
    form = SwitchForm(request.POST or None)
    if request.method == "POST":
        chosen = None
        if form.is_valid():
            chosen = next((person for person in people if person.pk == form.cleaned_data["person"]), None)
        if chosen is None:
            messages.error(request, _("Choose yourself from the list, then type your PIN."))
        else:
            ident = str(chosen.pk)
            if is_locked_out(PIN_SCOPE, ident):
                messages.error(
                    request, _("Your PIN is locked after too many wrong attempts. Sign in with your password.")
                )
                return redirect("login")
            pin_hash = chosen.staff_profile.pin_hash
            if pin_hash and check_password(form.cleaned_data["pin"], pin_hash):
                reset_failures(PIN_SCOPE, ident)
                _switch_to(request, chosen)
                language = chosen.staff_profile.language
                with translation.override(language or translation.get_language()):
                    messages.success(request, _("Signed in as %(name)s.") % {"name": chosen.get_full_name() or chosen})
                    return remember_language(redirect("home"), language)
            left = MAX_FAILURES - record_failure(PIN_SCOPE, ident)
            if left <= 0:
                messages.error(
                    request, _("Your PIN is locked after too many wrong attempts. Sign in with your password.")
                )
                return redirect("login")
            messages.error(request, _("Wrong PIN. %(left)d attempts left.") % {"left": left})
        status = 400
    else:
        status = 200
    return render(
        request,
        "registration/switch.html",
        {"people": people, "form": form, "pin_hours": settings.STAFF_PIN_HOURS},
        status=status,
    )
