from __future__ import annotations

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from .throttle import SIGNIN_SCOPE as SCOPE
from .throttle import is_locked_out, record_failure, reset_failures


class ThrottledAuthenticationForm(AuthenticationForm):
    """Five wrong passwords for one username lock that username for 15 minutes, from any device."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Your username and password didn't match. Please try again."),
        "locked_out": _("Too many wrong attempts. Wait 15 minutes or ask your manager to reset your password."),
    }

    def clean(self) -> dict:
        username = (self.cleaned_data.get("username") or "").strip().lower()
        if username and is_locked_out(SCOPE, username):
            raise forms.ValidationError(self.error_messages["locked_out"], code="locked_out")
        try:
            return super().clean()
        except forms.ValidationError:
            if username:
                record_failure(SCOPE, username)
            raise


class SignInView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True
    form_class = ThrottledAuthenticationForm

    def form_valid(self, form: ThrottledAuthenticationForm) -> HttpResponse:
        reset_failures(SCOPE, form.get_user().get_username().lower())
        return super().form_valid(form)
