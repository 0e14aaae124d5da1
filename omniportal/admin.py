from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import IntegrationToken, StaffProfile, TokenScope
from .services import integration_token_create

User = get_user_model()


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    fields = ("role", "stores")
    filter_horizontal = ("stores",)
    verbose_name_plural = _("role and stores")


admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    inlines = [StaffProfileInline]
    list_display = ("username", "first_name", "last_name", "role", "store_codes", "is_active", "last_login")
    list_filter = ("staff_profile__role", "is_active", "staff_profile__stores")
    list_select_related = ("staff_profile",)

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).prefetch_related("staff_profile__stores")

    @admin.display(description=_("role"), ordering="staff_profile__role")
    def role(self, user) -> str:
        profile = getattr(user, "staff_profile", None)
        return profile.get_role_display() if profile else "—"

    @admin.display(description=_("stores"))
    def store_codes(self, user) -> str:
        profile = getattr(user, "staff_profile", None)
        return ", ".join(store.code for store in profile.stores.all()) if profile else "—"


class IntegrationTokenForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(choices=TokenScope.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = IntegrationToken
        fields = ("name", "scopes", "active")


@admin.register(IntegrationToken)
class IntegrationTokenAdmin(admin.ModelAdmin):
    form = IntegrationTokenForm
    list_display = ("name", "prefix", "scope_list", "active", "created_at", "last_used_at")
    list_filter = ("active",)
    search_fields = ("name", "prefix")
    readonly_fields = ("prefix", "created_at", "last_used_at")
    fields = ("name", "scopes", "active", "prefix", "created_at", "last_used_at")
    actions = ["revoke"]

    @admin.display(description=_("scopes"))
    def scope_list(self, token: IntegrationToken) -> str:
        return ", ".join(token.scopes)

    def save_model(self, request: HttpRequest, obj: IntegrationToken, form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        # New tokens come from the one service that makes keys; the key is shown once, here.
        token, key = integration_token_create(name=obj.name, scopes=form.cleaned_data["scopes"])
        obj.pk, obj.prefix, obj.key_hash, obj.created_at = token.pk, token.prefix, token.key_hash, token.created_at
        messages.warning(
            request, _("Copy this key now; it is stored only as a hash and will not be shown again: %s") % key
        )

    @admin.action(description=_("Revoke selected tokens"))
    def revoke(self, request: HttpRequest, queryset) -> None:
        updated = queryset.update(active=False)
        messages.success(request, _("%d token(s) revoked.") % updated)
