"""The platform's own rows: the network's locations (the stores are the tenants), who may do what (staff profiles
with a role and stores) and integration tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class LocationKind(models.TextChoices):
    STORE = "store", _("Store")
    WAREHOUSE = "warehouse", _("Warehouse")


class Location(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=LocationKind.choices)
    address_line1 = models.CharField(_("address"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=2)
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    ships_to_home = models.BooleanField(_("ships to home"), default=True)
    offers_pickup = models.BooleanField(_("offers pickup"), default=False)
    commission_eligible = models.BooleanField(_("commission eligible"), default=True)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # Created by the inventory app before the platform owned it: the table keeps its name.
        db_table = "inventory_location"
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(lat__gte=-90, lat__lte=90), name="location_lat_range"),
            models.CheckConstraint(condition=Q(lon__gte=-180, lon__lte=180), name="location_lon_range"),
        ]
        indexes = [models.Index(fields=["kind", "active"], name="location_kind_active")]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    @property
    def is_store(self) -> bool:
        return self.kind == LocationKind.STORE


class Role(models.TextChoices):
    ASSOCIATE = "associate", _("Store associate")
    MANAGER = "manager", _("Store manager")
    HEAD_OFFICE = "headoffice", _("Head office")


class StaffProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.ASSOCIATE)
    stores = models.ManyToManyField(
        Location,
        verbose_name=_("stores"),
        blank=True,
        related_name="staff",
        limit_choices_to={"kind": "store"},
    )
    # A short personal PIN, hashed like a password, for switching person on a shared tablet.
    pin_hash = models.CharField(_("PIN (hashed)"), max_length=128, blank=True)
    # The language the person chose (empty: none yet, the browser's); restored at each sign-in on any tablet.
    language = models.CharField(
        _("language"), max_length=8, blank=True, default="", db_default="", choices=settings.LANGUAGES
    )

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class TokenScope(models.TextChoices):
    CATALOG = "catalog", "catalog"
    CUSTOMERS = "customers", "customers"
    EVENTS = "events", "events"
    CARTS = "carts", "carts"
    ORDERS = "orders", "orders"
    STOCK = "stock", "stock"
    SALES = "sales", "sales"
    VISITS = "visits", "visits"
    READ = "read", "read"


def hash_token_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class IntegrationToken(models.Model):
    """A server-to-server API key. Only its SHA-256 is stored; the key is shown once."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    prefix = models.CharField(_("key prefix"), max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("integration token")
        verbose_name_plural = _("integration tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def generate_key() -> str:
        return "op_" + secrets.token_urlsafe(32)

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes
