"""Orders from every channel, in-store sales, endless-aisle baskets, and the commission ledger."""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import ExpressionWrapper, F, Q
from django.utils.translation import gettext_lazy as _


class OrderChannel(models.TextChoices):
    WEB = "web", _("Web")
    APP = "app", _("App")
    ENDLESS_AISLE = "endless_aisle", _("Endless aisle")


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("Placed")
    READY = "ready", _("Ready for pickup")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    COLLECTED = "collected", _("Collected")
    CANCELLED = "cancelled", _("Cancelled")
    RETURNED = "returned", _("Returned")
    PARTIALLY_RETURNED = "partially_returned", _("Partially returned")
    NOT_COLLECTED = "not_collected", _("Not collected, returned to stock")


class DeliveryMethod(models.TextChoices):
    HOME = "home", _("Home delivery")
    PICKUP = "pickup", _("Pickup in store")


class LocationSource(models.TextChoices):
    GIVEN = "given", _("Coordinates given with the address")
    POSTAL_CODE = "postal_code", _("Postal-code centroid")
    CITY = "city", _("City centroid")
    MANUAL = "manual", _("Set by head office")
    UNLOCATED = "unlocated", _("Unlocated")


def new_tracking_token() -> str:
    return secrets.token_urlsafe(24)


class Order(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True)
    external_id = models.CharField(_("external id"), max_length=64, unique=True, null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=OrderChannel.choices)
    status = models.CharField(_("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.PLACED)
    customer = models.ForeignKey(
        "clienteling.Customer", on_delete=models.PROTECT, null=True, blank=True, related_name="orders"
    )
    customer_external_id = models.CharField(max_length=64, blank=True)
    selling_store = models.ForeignKey(
        "omniportal.Location", on_delete=models.PROTECT, null=True, blank=True, related_name="sold_orders"
    )
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    placed_at = models.DateTimeField(_("placed at"))
    currency = models.CharField(_("currency"), max_length=3)
    shipping_amount = models.DecimalField(_("shipping"), max_digits=12, decimal_places=2, default=Decimal("0"))
    till_receipt = models.CharField(_("till receipt"), max_length=64, blank=True)
    delivery_method = models.CharField(_("delivery"), max_length=8, choices=DeliveryMethod.choices)
    pickup_store = models.ForeignKey(
        "omniportal.Location", on_delete=models.PROTECT, null=True, blank=True, related_name="pickup_orders"
    )
    delivery_name = models.CharField(_("recipient"), max_length=200, blank=True)
    delivery_line1 = models.CharField(_("address"), max_length=200, blank=True)
    delivery_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    delivery_city = models.CharField(_("city"), max_length=100, blank=True)
    delivery_postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    delivery_country = models.CharField(_("country"), max_length=2, blank=True)
    delivery_lat = models.FloatField(_("delivery latitude"), null=True, blank=True)
    delivery_lon = models.FloatField(_("delivery longitude"), null=True, blank=True)
    location_source = models.CharField(
        _("location source"), max_length=16, choices=LocationSource.choices, default=LocationSource.UNLOCATED
    )
    tracking_token = models.CharField(max_length=40, unique=True, default=new_tracking_token, editable=False)
    carrier = models.CharField(_("carrier"), max_length=100, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=100, blank=True)
    tracking_url = models.URLField(_("carrier tracking URL"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [
            models.Index(fields=["customer", "-placed_at"], name="order_customer_time"),
            models.Index(fields=["pickup_store", "status"], name="order_pickup_queue"),
            models.Index(fields=["selling_store", "-placed_at"], name="order_selling_store"),
            models.Index(fields=["location_source"], name="order_unlocated", condition=Q(location_source="unlocated")),
            models.Index(fields=["-placed_at"], name="order_placed_at"),
            # Online orders waiting for a customer the portal does not know yet (linked when it arrives).
            models.Index(
                fields=["customer_external_id"],
                name="order_unlinked_customer",
                condition=Q(customer__isnull=True) & ~Q(customer_external_id=""),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(delivery_method="pickup") | Q(pickup_store__isnull=False), name="order_pickup_has_store"
            ),
            models.CheckConstraint(condition=Q(shipping_amount__gte=0), name="order_shipping_not_negative"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_located(self) -> bool:
        return self.delivery_lat is not None and self.delivery_lon is not None

    @property
    def carrier_link(self) -> str:
        """The carrier's tracking page, when it is a web address: only http and https become links (an
        integrator may send anything in `tracking_url`, and a javascript: link would run on our pages)."""
        url = self.tracking_url.strip()
        return url if url.lower().startswith(("http://", "https://")) else ""


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("inventory.Product", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    sku = models.CharField(_("SKU"), max_length=64)
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    discount = models.DecimalField(_("discount"), max_digits=12, decimal_places=2, default=Decimal("0"))
    source = models.ForeignKey("omniportal.Location", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reserved_quantity = models.PositiveIntegerField(default=0)
    shipped_quantity = models.PositiveIntegerField(default=0)
    cancelled_quantity = models.PositiveIntegerField(default=0)
    returned_quantity = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        # Lines waiting for an SKU the catalogue does not hold yet (linked when it arrives).
        indexes = [models.Index(fields=["sku"], name="orderline_unlinked_sku", condition=Q(product__isnull=True))]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="orderline_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="orderline_price_not_negative"),
            models.CheckConstraint(condition=Q(discount__gte=0), name="orderline_discount_not_negative"),
            models.CheckConstraint(
                condition=Q(returned_quantity__lte=models.F("quantity")), name="orderline_returned_within_quantity"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.sku}"


MONEY_FIELD = models.DecimalField(max_digits=14, decimal_places=2)


def line_net(quantity: int, unit_price: Decimal, discount: Decimal) -> Decimal:
    """What an order line sells for: quantity × unit price − the line's discount (shipping and tax apart)."""
    return quantity * unit_price - discount


def line_net_expression(prefix: str = "") -> ExpressionWrapper:
    """`line_net` in SQL, for an OrderLine queryset (`prefix` reaches the line through a relation)."""
    return ExpressionWrapper(
        F(f"{prefix}quantity") * F(f"{prefix}unit_price") - F(f"{prefix}discount"), output_field=MONEY_FIELD
    )


class OrderStatusChange(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=20, choices=OrderStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=OrderStatus.choices)
    occurred_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=100, blank=True, help_text=_("Integration token or system job."))
    lines = models.JSONField(default=list, blank=True)
    note = models.CharField(max_length=300, blank=True)
    # The integrator's own id for this move (its return number, say): the same move sent again is applied once.
    reference = models.CharField(_("reference"), max_length=100, blank=True, default="", db_default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("order status change")
        verbose_name_plural = _("order status history")
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["order", "occurred_at"], name="status_order_time")]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "reference"], condition=~Q(reference=""), name="status_change_reference_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.from_status} → {self.to_status}"


class Sale(models.Model):
    """An in-store till sale, pushed by the POS."""

    external_id = models.CharField(max_length=64, unique=True)
    store = models.ForeignKey("omniportal.Location", on_delete=models.PROTECT, related_name="sales")
    sold_at = models.DateTimeField()
    currency = models.CharField(max_length=3)
    customer = models.ForeignKey(
        "clienteling.Customer", on_delete=models.PROTECT, null=True, blank=True, related_name="sales"
    )
    customer_external_id = models.CharField(max_length=64, blank=True)
    loyalty_number = models.CharField(max_length=32, blank=True)
    total = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))

    class Meta:
        verbose_name = _("in-store sale")
        verbose_name_plural = _("in-store sales")
        indexes = [
            models.Index(fields=["customer", "-sold_at"], name="sale_customer_time"),
            models.Index(fields=["store", "-sold_at"], name="sale_store_time"),
            # Till sales waiting for a customer the portal does not know yet (linked when it arrives).
            models.Index(
                fields=["customer_external_id"],
                name="sale_unlinked_customer",
                condition=Q(customer__isnull=True) & ~Q(customer_external_id=""),
            ),
        ]

    def __str__(self) -> str:
        return self.external_id


class SaleLine(models.Model):
    sale = models.ForeignKey(Sale, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("inventory.Product", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    sku = models.CharField(max_length=64)
    quantity = models.IntegerField()
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("sale line")
        verbose_name_plural = _("sale lines")
        indexes = [models.Index(fields=["sku"], name="saleline_sku")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.sku}"


class BasketStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ORDERED = "ordered", _("Ordered")
    ABANDONED = "abandoned", _("Abandoned")


class Basket(models.Model):
    """An endless-aisle basket an associate builds for a customer before placing the order."""

    customer = models.ForeignKey("clienteling.Customer", on_delete=models.CASCADE, related_name="baskets")
    store = models.ForeignKey("omniportal.Location", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=BasketStatus.choices, default=BasketStatus.OPEN)
    from_cart = models.ForeignKey(
        "clienteling.Cart", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    order = models.OneToOneField(Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="basket")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("endless-aisle basket")
        verbose_name_plural = _("endless-aisle baskets")
        indexes = [models.Index(fields=["customer", "store", "status"], name="basket_customer_store")]

    def __str__(self) -> str:
        return f"basket {self.pk} for {self.customer_id}"


class BasketLine(models.Model):
    basket = models.ForeignKey(Basket, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("inventory.Product", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)])
    # The associate's override of the proposed fulfilment source; empty means "follow the plan".
    source = models.ForeignKey("omniportal.Location", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("basket line")
        verbose_name_plural = _("basket lines")
        constraints = [
            models.UniqueConstraint(fields=["basket", "product"], name="basketline_unique_product"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="basketline_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id}"


rate_validators = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))]


class CommissionPolicy(models.Model):
    name = models.CharField(_("name"), max_length=100)
    effective_from = models.DateField(_("in force from"))
    effective_to = models.DateField(
        _("in force until"), null=True, blank=True, help_text=_("Inclusive; empty = open-ended.")
    )
    default_rate = models.DecimalField(
        _("default rate"), max_digits=6, decimal_places=4, validators=rate_validators, help_text=_("0.05 = 5%")
    )
    assisted_share = models.DecimalField(
        _("assisted share"),
        max_digits=6,
        decimal_places=4,
        validators=rate_validators,
        help_text=_("Share of an endless-aisle order's commission that goes to the selling store."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("commission policy")
        verbose_name_plural = _("commission policies")
        ordering = ["-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")),
                name="policy_dates_ordered",
            ),
            models.CheckConstraint(condition=Q(default_rate__gte=0, default_rate__lte=1), name="policy_rate_range"),
            models.CheckConstraint(
                condition=Q(assisted_share__gte=0, assisted_share__lte=1), name="policy_share_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (from {self.effective_from})"

    def overlapping_policies(self) -> models.QuerySet[CommissionPolicy]:
        """Other policies in force on at least one day of this one's period (there may be none)."""
        others = CommissionPolicy.objects.exclude(pk=self.pk) if self.pk else CommissionPolicy.objects.all()
        others = others.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=self.effective_from))
        if self.effective_to is not None:
            others = others.filter(effective_from__lte=self.effective_to)
        return others

    def clean(self) -> None:
        super().clean()
        if self.effective_from is None:
            return
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValidationError({"effective_to": _("The end date must not be before the start date.")})
        clash = self.overlapping_policies().first()
        if clash is not None:
            raise ValidationError(
                _("Only one policy may be in force on any date: these dates overlap “%(policy)s”.") % {"policy": clash}
            )


class CategoryRate(models.Model):
    policy = models.ForeignKey(CommissionPolicy, on_delete=models.CASCADE, related_name="category_rates")
    category = models.ForeignKey("inventory.Category", on_delete=models.PROTECT, related_name="+")
    rate = models.DecimalField(_("rate"), max_digits=6, decimal_places=4, validators=rate_validators)

    class Meta:
        verbose_name = _("category rate")
        verbose_name_plural = _("category rates")
        constraints = [
            models.UniqueConstraint(fields=["policy", "category"], name="category_rate_unique"),
            models.CheckConstraint(condition=Q(rate__gte=0, rate__lte=1), name="category_rate_range"),
        ]

    def __str__(self) -> str:
        return f"{self.category_id}: {self.rate}"


class EntryKind(models.TextChoices):
    CREDIT = "credit", _("Credit")
    REVERSAL = "reversal", _("Reversal")


class EntryRole(models.TextChoices):
    """Which store's part of an order's commission an entry is."""

    BENEFICIARY = "beneficiary", _("Store serving the delivery place")
    ASSISTED = "assisted", _("Selling store (assisted share)")


def commission_event_key(*, role: str, status_change_id: int | None) -> str:
    """The one spelling of an entry's event: "credit" or "change:<status change id>", ":assisted" for the seller.

    The unique constraints decide exactly-once on this key, so it is built here alone, from the typed columns,
    and read back from them, never parsed.
    """
    event = "credit" if status_change_id is None else f"change:{status_change_id}"
    return event if role == EntryRole.BENEFICIARY else f"{event}:{role}"


class LedgerIsAppendOnly(Exception):
    """Commission entries are never changed or deleted; a correction is a new (reversal) entry."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise LedgerIsAppendOnly(f"{self.model.__name__} rows cannot be updated")

    def bulk_update(self, objs, fields, batch_size=None):
        raise LedgerIsAppendOnly(f"{self.model.__name__} rows cannot be updated")

    def delete(self):
        raise LedgerIsAppendOnly(f"{self.model.__name__} rows cannot be deleted")

    delete.queryset_only = True


class AppendOnlyModel(models.Model):
    """A ledger row: inserted once, never updated, never deleted (PostgreSQL triggers refuse it too)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise LedgerIsAppendOnly(f"{type(self).__name__} rows cannot be updated")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerIsAppendOnly(f"{type(self).__name__} rows cannot be deleted")


class CommissionEntry(AppendOnlyModel):
    """One line of the commission ledger. Append-only: never updated, never deleted."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="commission_entries")
    store = models.ForeignKey("omniportal.Location", on_delete=models.PROTECT, related_name="commission_entries")
    kind = models.CharField(_("kind"), max_length=10, choices=EntryKind.choices)
    # No database default, on purpose: a writer that does not know the column (the code before migration
    # 0009, still running while it is applied) is refused instead of filing a selling store's entry as the
    # beneficiary's; the sweep of the new code credits what it could not.
    role = models.CharField(_("role"), max_length=12, choices=EntryRole.choices, default=EntryRole.BENEFICIARY)
    # The cancellation or return a reversal takes back; empty for credits. Indexed below for reversals only.
    status_change = models.ForeignKey(
        OrderStatusChange,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,
        related_name="commission_entries",
    )
    # commission_event_key(role, status_change): the key the unique constraints decide exactly-once with.
    event_key = models.CharField(max_length=40)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    base_amount = models.DecimalField(_("base"), max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    period = models.DateField(_("period"), help_text=_("First day of the statement month."))
    distance_km = models.FloatField(_("distance (km)"), null=True, blank=True)
    location_source = models.CharField(max_length=16, choices=LocationSource.choices)
    policy = models.ForeignKey(CommissionPolicy, on_delete=models.PROTECT, related_name="+")
    rate = models.DecimalField(_("rate"), max_digits=6, decimal_places=4)
    share = models.DecimalField(_("share"), max_digits=6, decimal_places=4)
    # The human audit record (location, policy, lines, share): shown to people, never read back as data.
    explanation = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("commission entry")
        verbose_name_plural = _("commission entries")
        constraints = [
            # The database decides "exactly once": a redelivered task cannot credit twice.
            models.UniqueConstraint(fields=["order", "store", "event_key"], name="commission_entry_once"),
            # event_key names the role too ("credit", "credit:assisted"), so even two racing workers that
            # chose different stores cannot both credit one order.
            models.UniqueConstraint(fields=["order", "event_key"], name="commission_entry_one_per_event"),
        ]
        indexes = [
            # The store's statement page lists a month newest first, 50 at a time: read in index order.
            models.Index(fields=["store", "period", "-created_at", "-id"], name="entry_store_period_time"),
            models.Index(fields=["period"], name="entry_period"),
            # The sweep's "which cancellations and returns have no reversal yet" probes this; credits (most
            # of the ledger) have no status change and stay out of it.
            models.Index(
                fields=["status_change"], name="entry_status_change", condition=Q(status_change__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency} → {self.store_id}"


class CommissionCreditLine(AppendOnlyModel):
    """One order line as its credit counted it: what reversals take back, line by line. Append-only.

    Written in the transaction that writes the order's credit entries, once per order line.
    """

    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, db_index=False, related_name="commission_credit_lines"
    )  # indexed first in commission_credit_line_once
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="+")
    sku = models.CharField(_("SKU"), max_length=64)
    quantity = models.PositiveIntegerField(_("quantity"))
    net = models.DecimalField(_("net"), max_digits=12, decimal_places=2, help_text=_("quantity × price − discount"))
    rate = models.DecimalField(_("rate"), max_digits=6, decimal_places=4)

    class Meta:
        verbose_name = _("credited order line")
        verbose_name_plural = _("credited order lines")
        constraints = [
            # A redelivered or racing credit task cannot count a line twice.
            models.UniqueConstraint(fields=["order", "order_line"], name="commission_credit_line_once"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.sku} at {self.rate}"


class StatementStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed, awaiting review")
    APPROVED = "approved", _("Approved by the store")
    DISPUTED = "disputed", _("Disputed by the store")
    FINALISED = "finalised", _("Finalised")


class Statement(models.Model):
    store = models.ForeignKey("omniportal.Location", on_delete=models.PROTECT, related_name="statements")
    period = models.DateField(_("period"), help_text=_("First day of the month."))
    status = models.CharField(_("status"), max_length=10, choices=StatementStatus.choices, default=StatementStatus.OPEN)
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    finalised_at = models.DateTimeField(null=True, blank=True)
    # Head office's written reason when it finalised a month the store had not approved (closed or disputed);
    # empty when the store approved it first. Shown on the statement pages and in the admin.
    # A database default too: the previous release, still serving while `migrate` runs, inserts statements
    # without this column.
    override_reason = models.TextField(_("override reason"), blank=True, max_length=2000, default="", db_default="")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("commission statement")
        verbose_name_plural = _("commission statements")
        ordering = ["-period", "store"]
        constraints = [models.UniqueConstraint(fields=["store", "period"], name="statement_unique_store_period")]

    def __str__(self) -> str:
        return f"{self.store_id} {self.period:%Y-%m} ({self.status})"

    @property
    def overridden(self) -> bool:
        """Finalised by head office without the store's approval (its reason is recorded)."""
        return bool(self.override_reason)
