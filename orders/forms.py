from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from clienteling.models import Customer

from .models import OrderStatus
from .services.placing import DeliveryAddress


class AddressForm(forms.Form):
    """The delivery address of an endless-aisle order; the service validates it (one rule for every caller)."""

    name = forms.CharField(label=_("Recipient"), max_length=200, required=False)
    line1 = forms.CharField(label=_("Address"), max_length=200, required=False)
    line2 = forms.CharField(label=_("Address line 2"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    country = forms.CharField(label=_("Country (ISO code)"), max_length=2, required=False)

    @staticmethod
    def initial_for(customer: Customer) -> dict[str, str]:
        """The form filled with the customer's home address (the default delivery)."""
        home = DeliveryAddress.from_customer(customer)
        return {name: getattr(home, name) for name in ("name", "line1", "line2", "postal_code", "city", "country")}

    def address(self, *, lat: float | None = None, lon: float | None = None) -> DeliveryAddress:
        data = self.cleaned_data
        return DeliveryAddress(
            name=data["name"],
            line1=data["line1"],
            line2=data["line2"],
            city=data["city"],
            postal_code=data["postal_code"],
            country=data["country"].upper(),
            lat=lat,
            lon=lon,
        )


class PlaceForm(AddressForm):
    till_receipt = forms.CharField(label=_("Till receipt reference"), max_length=64, required=False)


class BasketAddForm(forms.Form):
    customer = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    sku = forms.CharField(max_length=64)
    quantity = forms.IntegerField(min_value=1, max_value=999, required=False)


class BasketLineForm(forms.Form):
    customer = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    line = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    quantity = forms.IntegerField(min_value=0, max_value=999, required=False)
    source = forms.IntegerField(min_value=0, max_value=2**63 - 1, required=False)  # 0 = follow the plan


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(choices=OrderStatus.choices)
    # Recorded with the "shipped" move only (the order's carrier and tracking_number columns hold 100 characters).
    carrier = forms.CharField(label=_("Carrier"), max_length=100, required=False)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=100, required=False)
    # With "shipped": the parcel, by the id of the location that holds it (0: the lines no location holds);
    # empty: every parcel the person sends.
    parcel = forms.IntegerField(min_value=0, max_value=2**63 - 1, required=False)

    def tracking(self) -> dict[str, str] | None:
        """What the service records for a "shipped" move: None when neither field is filled in."""
        data = self.cleaned_data
        if data["to_status"] != OrderStatus.SHIPPED or not (data["carrier"] or data["tracking_number"]):
            return None
        return {"carrier": data["carrier"], "number": data["tracking_number"]}

    def ship_from(self, sends: set[int | None]) -> set[int | None]:
        """The parcels a "shipped" move sends: the one named, if it is among `sends`, else all of `sends`."""
        parcel = self.cleaned_data["parcel"]
        if parcel is None:
            return set(sends)
        return sends & {parcel or None}


class PageForm(forms.Form):
    """A list's page number from the query string; a malformed one shows the first page."""

    page = forms.IntegerField(required=False, min_value=1)
