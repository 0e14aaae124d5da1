"""Customers and their online life: events, carts, wishlists, visits; notes, tasks and the access log."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from omniportal.text import initials


class LoyaltyTier(models.TextChoices):
    NONE = "", _("None")
    SILVER = "silver", _("Silver")
    GOLD = "gold", _("Gold")
    PLATINUM = "platinum", _("Platinum")


class Customer(models.Model):
    external_id = models.CharField(_("external id"), max_length=64, unique=True, null=True, blank=True)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone (E.164)"), max_length=20, blank=True)
    loyalty_number = models.CharField(_("loyalty number"), max_length=32, unique=True, null=True, blank=True)
    loyalty_tier = models.CharField(_("loyalty tier"), max_length=16, choices=LoyaltyTier.choices, blank=True)
    address_line1 = models.CharField(_("address"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    consent_clienteling = models.BooleanField(_("clienteling consent"), default=False)
    consent_marketing = models.BooleanField(_("marketing consent"), default=False)
    sizes = models.JSONField(_("sizes"), default=dict, blank=True)
    preferences = models.JSONField(_("preferences"), default=dict, blank=True)
    # Derived search keys, kept in step by services: accent-free lower-case name, phone digits.
    search_name = models.CharField(max_length=210, blank=True, editable=False)
    phone_digits = models.CharField(max_length=20, blank=True, editable=False)
    nearest_store = models.ForeignKey(
        "omniportal.Location", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    nearest_store_km = models.FloatField(_("distance to nearest store (km)"), null=True, blank=True)
    source_updated_at = models.DateTimeField(_("source updated at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            models.Index(fields=["search_name"], name="customer_search_name"),
            models.Index(fields=["phone_digits"], name="customer_phone_digits", condition=~Q(phone_digits="")),
            models.Index(fields=["email"], name="customer_email", condition=~Q(email="")),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def initials(self) -> str:
        """The letters of the customer's avatar: "Giulia Verdi" → "GV", "Nicola D'Angelo" → "ND"."""
        return initials(self.first_name, self.last_name)


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    APP = "app", _("App")


class EventType(models.TextChoices):
    PRODUCT_VIEW = "product_view", _("Product view")
    ADD_TO_CART = "add_to_cart", _("Added to cart")
    REMOVE_FROM_CART = "remove_from_cart", _("Removed from cart")
    WISHLIST_ADD = "wishlist_add", _("Added to wishlist")
    WISHLIST_REMOVE = "wishlist_remove", _("Removed from wishlist")
    SEARCH = "search", _("Search")
    LOGIN = "login", _("Login")


class BrowsingEvent(models.Model):
    """An online event. Kept even when its customer or SKU is not known yet; linked when it arrives."""

    event_id = models.UUIDField(unique=True)
    type = models.CharField(max_length=20, choices=EventType.choices)
    occurred_at = models.DateTimeField()
    session_id = models.CharField(max_length=100)
    # No index of its own: event_customer_time starts with customer_id (one index less to write per event).
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, null=True, blank=True, related_name="events", db_index=False
    )
    customer_external_id = models.CharField(max_length=64, blank=True)
    product = models.ForeignKey("inventory.Product", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    sku = models.CharField(max_length=64, blank=True)
    quantity = models.IntegerField(null=True, blank=True)
    query = models.CharField(max_length=200, blank=True)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    device = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = _("browsing event")
        verbose_name_plural = _("browsing events")
        indexes = [
            models.Index(fields=["customer", "-occurred_at", "-id"], name="event_customer_time"),
            models.Index(fields=["session_id"], name="event_session"),
            models.Index(
                fields=["customer_external_id"],
                name="event_unlinked_customer",
                condition=Q(customer__isnull=True) & ~Q(customer_external_id=""),
            ),
            models.Index(fields=["sku"], name="event_unlinked_sku", condition=Q(product__isnull=True) & ~Q(sku="")),
            # The wishlist is replayed from these few events per (customer, SKU): a small index, not 20M rows.
            models.Index(
                fields=["customer", "sku", "occurred_at"],
                include=["type", "product"],
                name="event_wishlist",
                condition=Q(type__in=["wishlist_add", "wishlist_remove"]),
            ),
            # Whose is an anonymous wishlist event? Whoever that session's other wishlist events belong to.
            models.Index(
                fields=["session_id"],
                include=["customer"],
                name="event_wishlist_session",
                condition=Q(type__in=["wishlist_add", "wishlist_remove"], customer__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.sku or self.query} @ {self.occurred_at:%Y-%m-%d %H:%M}"


class CartStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ORDERED = "ordered", _("Ordered")
    ABANDONED = "abandoned", _("Abandoned")


class Cart(models.Model):
    """The latest snapshot of an online cart, replaced whole by the e-commerce site."""

    cart_id = models.CharField(max_length=100, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, null=True, blank=True, related_name="carts")
    customer_external_id = models.CharField(max_length=64, blank=True)
    session_id = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=16, choices=CartStatus.choices)
    currency = models.CharField(max_length=3)
    source_updated_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("online cart")
        verbose_name_plural = _("online carts")
        indexes = [
            models.Index(fields=["customer", "-source_updated_at"], name="cart_customer_time"),
            models.Index(fields=["status", "source_updated_at"], name="cart_status_time"),
            models.Index(
                fields=["customer_external_id"],
                name="cart_unlinked_customer",
                condition=Q(customer__isnull=True) & ~Q(customer_external_id=""),
            ),
        ]

    def __str__(self) -> str:
        return f"cart {self.cart_id} ({self.status})"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("inventory.Product", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    sku = models.CharField(max_length=64)
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("cart line")
        verbose_name_plural = _("cart lines")
        indexes = [
            models.Index(fields=["sku"], name="cartline_unlinked_sku", condition=Q(product__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.sku}"


class WishlistItem(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="wishlist")
    product = models.ForeignKey("inventory.Product", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    sku = models.CharField(max_length=64)
    added_at = models.DateTimeField()

    class Meta:
        verbose_name = _("wishlist item")
        verbose_name_plural = _("wishlist items")
        constraints = [models.UniqueConstraint(fields=["customer", "sku"], name="wishlist_unique_customer_sku")]

    def __str__(self) -> str:
        return f"{self.customer_id} ♥ {self.sku}"


class VisitSource(models.TextChoices):
    WIFI = "wifi", _("Store Wi-Fi")
    APP = "app", _("App check-in")
    LOYALTY_SCAN = "loyalty_scan", _("Loyalty scan")


class Visit(models.Model):
    store = models.ForeignKey("omniportal.Location", on_delete=models.CASCADE, related_name="visits")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, null=True, blank=True, related_name="visits")
    customer_external_id = models.CharField(max_length=64, blank=True)
    loyalty_number = models.CharField(max_length=32, blank=True)
    seen_at = models.DateTimeField()
    source = models.CharField(max_length=16, choices=VisitSource.choices)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [
            models.Index(fields=["store", "-seen_at"], name="visit_store_time"),
            models.Index(
                fields=["customer_external_id"],
                name="visit_unlinked_customer",
                condition=Q(customer__isnull=True) & ~Q(customer_external_id=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} @ {self.store_id} {self.seen_at:%H:%M}"


class Note(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    store = models.ForeignKey("omniportal.Location", on_delete=models.PROTECT, null=True, related_name="+")
    body = models.TextField(_("note"), max_length=2000)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        verbose_name = _("associate note")
        verbose_name_plural = _("associate notes")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["customer", "-created_at"], name="note_customer_time")]

    def __str__(self) -> str:
        return self.body[:50]


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class FollowUpTask(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="tasks")
    store = models.ForeignKey("omniportal.Location", on_delete=models.PROTECT, related_name="tasks")
    title = models.CharField(_("task"), max_length=200)
    due_on = models.DateField(_("due"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="assigned_tasks"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Why the task exists when the portal made it ("order:OP-000123" for an after-sales call).
    reference = models.CharField(max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("follow-up task")
        verbose_name_plural = _("follow-up tasks")
        indexes = [
            models.Index(fields=["store", "status", "due_on"], name="task_store_status_due"),
            models.Index(fields=["customer", "status"], name="task_customer_status"),
        ]
        constraints = [
            # An automatic task (after-sales call for an order) is created once, however often it is triggered.
            models.UniqueConstraint(fields=["reference"], condition=~Q(reference=""), name="task_unique_reference"),
        ]

    def __str__(self) -> str:
        return self.title


class AccessVia(models.TextChoices):
    PROFILE = "profile", _("Profile opened")
    SEARCH = "search", _("Opened from search")
    SCAN = "scan", _("Opened from a scan")
    IN_STORE = "in_store", _("Opened from in store now")
    EXPORT = "export", _("Data export")
    ERASURE = "erasure", _("Data erased")


class ProfileSection(models.TextChoices):
    """What an access row says was shown (ProfileAccess.shown), in the words of the profile's own headings."""

    CONTACT = "contact", _("Contact")
    ORDERS = "orders", _("Orders and purchases")
    PREFERENCES = "preferences", _("Sizes and preferences")
    LOYALTY = "loyalty", _("Loyalty")
    VALUE = "value", _("Lifetime value")
    EVENTS = "events", _("Recently viewed online")
    VISITS = "visits", _("Store visits")
    CART = "cart", _("Online cart")
    WISHLIST = "wishlist", _("Wishlist")
    NOTES = "notes", _("Associate notes")
    TASKS = "tasks", _("Follow-up tasks")
    EXPORT = "export", _("Data export")
    ERASURE = "erasure", _("Data erased")


# Every profile shows these; the rest only with clienteling consent.
ALWAYS_SHOWN = [ProfileSection.CONTACT, ProfileSection.ORDERS]
CONSENTED_SECTIONS = [
    ProfileSection.PREFERENCES,
    ProfileSection.LOYALTY,
    ProfileSection.VALUE,
    ProfileSection.EVENTS,
    ProfileSection.VISITS,
    ProfileSection.CART,
    ProfileSection.WISHLIST,
    ProfileSection.NOTES,
    ProfileSection.TASKS,
]


class ProfileAccess(models.Model):
    """Who looked at which customer, where, when and what they were shown. Never edited."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    store = models.ForeignKey("omniportal.Location", on_delete=models.PROTECT, null=True, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="accesses")
    accessed_at = models.DateTimeField(auto_now_add=True, db_index=True)
    via = models.CharField(max_length=16, choices=AccessVia.choices, default=AccessVia.PROFILE)
    shown = models.JSONField(default=list, help_text=_("Sections of the profile that were shown."))

    class Meta:
        verbose_name = _("profile access")
        verbose_name_plural = _("profile access log")
        indexes = [
            models.Index(fields=["customer", "-accessed_at"], name="access_customer_time"),
            models.Index(fields=["store", "-accessed_at"], name="access_store_time"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.customer_id} ({self.via})"

    def shown_labels(self) -> list[str]:
        """The sections shown, in words (a key recorded before it had a label stays as it was)."""
        labels = dict(ProfileSection.choices)
        return [str(labels.get(key, key)) for key in (self.shown if isinstance(self.shown, list) else [])]
