from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AccessVia
from .selectors import AccessLogFilters


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


# Dates outside these bounds are typing mistakes, and near year 1 or 9999 they overflow when made UTC.
_FIRST_DAY, _LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
_DAY_BOUNDS = [MinValueValidator(_FIRST_DAY), MaxValueValidator(_LAST_DAY)]
_MOMENT_BOUNDS = [
    MinValueValidator(datetime(2000, 1, 1, tzinfo=UTC)),
    MaxValueValidator(datetime(2099, 12, 31, tzinfo=UTC)),
]


class AccessLogForm(forms.Form):
    """The access log's filters and its keyset cursor (the first or last row of the page next to this one).

    An invalid field is reported and left out; the others still apply.
    """

    date_from = forms.DateField(
        label=_("From"), required=False, validators=_DAY_BOUNDS, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, validators=_DAY_BOUNDS, widget=forms.DateInput(attrs={"type": "date"})
    )
    person = forms.ModelChoiceField(label=_("Person"), queryset=None, required=False, empty_label=_("Everyone"))
    customer = forms.CharField(
        label=_("Customer"),
        max_length=100,
        required=False,
        strip=True,
        widget=forms.TextInput(attrs={"placeholder": _("Id, loyalty number or name")}),
    )
    # Carried by the page links only: the form itself always asks for the newest page.
    before = forms.DateTimeField(required=False, validators=_MOMENT_BOUNDS, widget=forms.HiddenInput)
    before_id = forms.UUIDField(required=False, widget=forms.HiddenInput)
    after = forms.DateTimeField(required=False, validators=_MOMENT_BOUNDS, widget=forms.HiddenInput)
    after_id = forms.UUIDField(required=False, widget=forms.HiddenInput)

    FILTER_FIELDS = ("date_from", "date_to", "person", "customer")
    CURSOR_FIELDS = ("before", "before_id", "after", "after_id")

    def __init__(self, *args, people, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = lambda user: user.get_full_name() or user.username

    def clean(self) -> dict:
        cleaned = super().clean()
        since, until = cleaned.get("date_from"), cleaned.get("date_to")
        if since is not None and until is not None and since > until:
            self.add_error("date_to", _("The end date is before the start date."))
            cleaned.pop("date_from", None)
        return cleaned

    def filters(self) -> AccessLogFilters:
        """The valid filters (call after is_valid); a day runs midnight to midnight in the portal's time zone."""
        data = self.cleaned_data
        since, until = data.get("date_from"), data.get("date_to")
        return AccessLogFilters(
            since=_midnight(since) if since is not None else None,
            until=_midnight(until + timedelta(days=1)) if until is not None else None,
            person=data.get("person"),
            customer=data.get("customer") or "",
        )

    def cursor(self, name: str) -> tuple[datetime, uuid.UUID] | None:
        """The `before` or `after` cursor when both its parts are valid, else None (times come back aware)."""
        at, pk = self.cleaned_data.get(name), self.cleaned_data.get(f"{name}_id")
        if at is None or pk is None:
            return None
        return at, pk

    def cursor_refused(self) -> bool:
        """A page link was followed but its cursor cannot be read (mangled or half-copied)."""
        given = any(self.data.get(name) for name in self.CURSOR_FIELDS)
        return given and self.cursor("before") is None and self.cursor("after") is None


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
