from __future__ import annotations

from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AccessVia


class CustomerSearchForm(forms.Form):
    q = forms.CharField(label=_("Name, email, phone or loyalty number"), max_length=100, required=False, strip=True)
    # "scan": the text came from the camera; a loyalty number that matches opens the profile at once.
    via = forms.ChoiceField(choices=[("", ""), ("scan", "scan")], required=False)


class ProfileViaForm(forms.Form):
    via = forms.ChoiceField(choices=AccessVia.choices, required=False)

    def cleaned_via(self) -> str:
        if self.is_valid() and self.cleaned_data["via"] and self.cleaned_data["via"] != AccessVia.EXPORT:
            return self.cleaned_data["via"]
        return AccessVia.PROFILE


class EventsCursorForm(forms.Form):
    """The keyset cursor of the "older" link: the time and id of the last event already shown."""

    before = forms.DateTimeField(required=True)
    before_id = forms.IntegerField(required=True, min_value=1, max_value=2**63 - 1)

    def cursor(self) -> tuple[datetime, int] | None:
        if not self.is_valid():
            return None
        at = self.cleaned_data["before"]
        if timezone.is_naive(at):
            at = timezone.make_aware(at)
        return at, self.cleaned_data["before_id"]


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Note"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200)
    due_on = forms.DateField(label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    assigned_to = forms.ModelChoiceField(label=_("Assign to"), queryset=None, required=False, empty_label=_("Anyone"))

    def __init__(self, *args, colleagues=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = colleagues
        self.fields["assigned_to"].label_from_instance = lambda user: user.get_full_name() or user.username
