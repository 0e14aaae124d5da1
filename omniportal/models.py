"""Who may do what: staff profiles (role + stores) and integration tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ASSOCIATE = "associate", _("Store associate")
    MANAGER = "manager", _("Store manager")
    HEAD_OFFICE = "headoffice", _("Head office")


class StaffProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.ASSOCIATE)
    stores = models.ManyToManyField(
        "inventory.Location",
        verbose_name=_("stores"),
        blank=True,
        related_name="staff",
        limit_choices_to={"kind": "store"},
    )
    # A short personal PIN, hashed like a password, for switching person on a shared tablet.
    pin_hash = models.CharField(_("PIN (hashed)"), max_length=128, blank=True)

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
