from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from clienteling.models import Customer

from .models import DeliveryMethod, OrderStatus
from .services.placing import DeliveryAddress


class AddressForm(forms.Form):
    """How an endless-aisle order reaches the customer: home delivery to an address, or pickup at a store. The
    service validates them (one rule for every caller)."""

    delivery = forms.ChoiceField(
        label=_("Delivery"), choices=DeliveryMethod.choices, required=False, widget=forms.RadioSelect
    )
    pickup_store = forms.IntegerField(label=_("Pickup store"), min_value=1, max_value=2**63 - 1, required=False)
    name = forms.CharField(label=_("Recipient"), max_length=200, required=False)
    line1 = forms.CharField(label=_("Address"), max_length=200, required=False)
    line2 = forms.CharField(label=_("Address line 2"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    country = forms.CharField(label=_("Country (ISO code)"), max_length=2, required=False)

    ADDRESS_FIELDS = ("name", "line1", "line2", "postal_code", "city", "country")

    @staticmethod
    def initial_for(customer: Customer, *, pickup_store: int | None = None) -> dict[str, str | int | None]:
        """The form filled with the customer's home address (the default delivery)."""
        home = DeliveryAddress.from_customer(customer)
        return {
            "delivery": DeliveryMethod.HOME,
            "pickup_store": pickup_store,
            **{name: getattr(home, name) for name in AddressForm.ADDRESS_FIELDS},
        }

    def clean_delivery(self) -> str:
        return self.cleaned_data["delivery"] or DeliveryMethod.HOME

    @property
    def is_pickup(self) -> bool:
        return self.cleaned_data.get("delivery") == DeliveryMethod.PICKUP

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

    def query(self) -> dict[str, str]:
        """The delivery as the checkout's query string carries it (so a change to a line keeps it)."""
        values = ((name, self.data.get(name)) for name in AddressForm.base_fields)
        return {name: str(value) for name, value in values if value not in (None, "")}


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
