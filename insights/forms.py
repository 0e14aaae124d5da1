"""The insight page's query string, read through a form: a malformed value is a 400 with the form's message."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from omniportal.access import is_head_office, user_stores

from .facts import MAX_PERIOD_DAYS, local_today, max_window_days

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

DEFAULT_PERIOD_DAYS = 90
ISO_DATE = "%Y-%m-%d"


class InsightsForm(forms.Form):
    date_from = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        input_formats=[ISO_DATE],
        widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
    )
    date_to = forms.DateField(
        label=gettext_lazy("To"),
        required=False,
        input_formats=[ISO_DATE],
        widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
    )
    window = forms.IntegerField(
        label=gettext_lazy("Store purchase within (days)"),
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    store = forms.ModelChoiceField(label=gettext_lazy("Store"), queryset=None, required=False, to_field_name="code")
    export = forms.ChoiceField(required=False, choices=[("", ""), ("csv", "CSV")], widget=forms.HiddenInput)

    def __init__(self, query: QueryDict, *, user: AbstractBaseUser) -> None:
        data = query.copy()
        # Missing or empty fields take the defaults, and the form shows the values the report used.
        date_to = local_today() - timedelta(days=1)
        defaults = {
            "date_to": date_to.strftime(ISO_DATE),
            "date_from": (date_to - timedelta(days=DEFAULT_PERIOD_DAYS - 1)).strftime(ISO_DATE),
            "window": str(settings.ROPO_WINDOW_DAYS),
        }
        for name, value in defaults.items():
            if not data.get(name, "").strip():
                data[name] = value
        super().__init__(data)
        self.user = user
        self.fields["window"].validators.append(MaxValueValidator(max_window_days()))
        self.fields["window"].widget.attrs["max"] = max_window_days()
        stores = user_stores(user).order_by("code")
        self.fields["store"].queryset = stores
        self.fields["store"].empty_label = _("Whole network") if is_head_office(user) else _("All my stores")
        self.show_store = is_head_office(user) or stores.count() > 1

    def clean(self) -> dict:
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to:
            if date_from > date_to:
                self.add_error("date_to", _("The end of the period must not be before its start."))
            elif date_to > local_today():
                self.add_error("date_to", _("The period cannot end after today."))
            elif (date_to - date_from).days + 1 > MAX_PERIOD_DAYS:
                self.add_error("date_from", _("Choose a period of at most %(days)s days.") % {"days": MAX_PERIOD_DAYS})
        return cleaned
