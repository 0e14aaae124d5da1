"""A signed-in person sets their own PIN for switching person on a shared tablet (omniportal.views_switch).

The current password is asked first, so a colleague at a tablet left signed in cannot choose someone else's
PIN. Wrong passwords count towards the same lockout as the sign-in page: this form must not be a way round it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from .auth_views import ThrottledAuthenticationForm
from .pins import PIN_MAX_LENGTH, PIN_MIN_LENGTH, validate_new_pin
from .services import staff_pin_set
from .throttle import SIGNIN_SCOPE, is_locked_out, record_failure, reset_failures

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

_PIN_INPUT = {
    "inputmode": "numeric",
    "autocomplete": "new-password",
    "minlength": PIN_MIN_LENGTH,
    "maxlength": PIN_MAX_LENGTH,
}


class SetPinForm(forms.Form):
    current_password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_pin = forms.CharField(
        label=gettext_lazy("New PIN"),
        validators=[validate_new_pin],
        widget=forms.PasswordInput(attrs=_PIN_INPUT),
        help_text=format_lazy(
            gettext_lazy("{min} to {max} digits. Not one digit repeated (0000) and not a run (1234, 4321)."),
            min=PIN_MIN_LENGTH,
            max=PIN_MAX_LENGTH,
        ),
    )
    new_pin_again = forms.CharField(label=gettext_lazy("New PIN again"), widget=forms.PasswordInput(attrs=_PIN_INPUT))

    error_messages = {
        "wrong_password": gettext_lazy("That is not your password. Please try again."),
        "locked_out": ThrottledAuthenticationForm.error_messages["locked_out"],
        "mismatch": gettext_lazy("The two PINs do not match."),
    }

    def __init__(self, *args: object, user: AbstractBaseUser, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_current_password(self) -> str:
        password = self.cleaned_data["current_password"]
        ident = self.user.get_username().lower()
        if is_locked_out(SIGNIN_SCOPE, ident):
            raise forms.ValidationError(self.error_messages["locked_out"], code="locked_out")
        if not self.user.check_password(password):
            record_failure(SIGNIN_SCOPE, ident)
            raise forms.ValidationError(self.error_messages["wrong_password"], code="wrong_password")
        return password

    def clean(self) -> dict:
        cleaned = super().clean()
        pin, again = cleaned.get("new_pin"), cleaned.get("new_pin_again")
        if pin and again and pin != again:
            self.add_error("new_pin_again", forms.ValidationError(self.error_messages["mismatch"], code="mismatch"))
        return cleaned


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("current_password", "new_pin", "new_pin_again")
@never_cache
@login_required
def set_pin(request: HttpRequest) -> HttpResponse:
    user = request.user
    if getattr(user, "staff_profile", None) is None:
        raise Http404  # no staff profile, nobody to switch to: the PIN would be of no use
    form = SetPinForm(request.POST if request.method == "POST" else None, user=user)
    if form.is_valid():
        staff_pin_set(user=user, pin=form.cleaned_data["new_pin"])
        reset_failures(SIGNIN_SCOPE, user.get_username().lower())  # the password was right, as at sign-in
        messages.success(request, _("Your PIN is set. Use it to switch person on a shared tablet."))
        return redirect("home")
    return render(request, "registration/set_pin.html", {"form": form}, status=400 if request.method == "POST" else 200)
