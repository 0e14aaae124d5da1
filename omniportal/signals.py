"""Role groups and their permissions exist after every migrate, on every database."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db.models.signals import post_migrate
from django.dispatch import receiver

from .access import ROLE_GROUPS
from .models import Role

# Model permissions per role (app_label.codename); head office gets every permission of our apps.
ASSOCIATE_PERMISSIONS = [
    "clienteling.view_customer",
    "clienteling.add_note",
    "clienteling.view_note",
    "clienteling.add_followuptask",
    "clienteling.change_followuptask",
    "clienteling.view_followuptask",
    "inventory.view_product",
    "inventory.view_stocklevel",
    "omniportal.view_location",
    "orders.add_order",
    "orders.view_order",
    "orders.change_order",
    "orders.add_basket",
    "orders.change_basket",
]
MANAGER_PERMISSIONS = [
    *ASSOCIATE_PERMISSIONS,
    "clienteling.view_profileaccess",
    "orders.view_commissionentry",
    "orders.view_statement",
    "orders.change_statement",
]
PORTAL_APPS = ("omniportal", "inventory", "clienteling", "orders", "insights")


@receiver(post_migrate)
def ensure_role_groups(sender, **kwargs) -> None:
    # post_migrate fires once per app that has models; wait for the last one so every app's permissions exist.
    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if getattr(sender, "name", None) != with_models[-1].name:
        return

    def perms(names: list[str]):
        for name in names:
            app_label, codename = name.split(".")
            yield from Permission.objects.filter(content_type__app_label=app_label, codename=codename)

    wanted = {
        Role.ASSOCIATE: list(perms(ASSOCIATE_PERMISSIONS)),
        Role.MANAGER: list(perms(MANAGER_PERMISSIONS)),
        Role.HEAD_OFFICE: list(Permission.objects.filter(content_type__app_label__in=(*PORTAL_APPS, "auth"))),
    }
    for role, permissions in wanted.items():
        group, _created = Group.objects.get_or_create(name=ROLE_GROUPS[role])
        group.permissions.set(permissions)
