from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import IntegrationToken, Location, StaffProfile, TokenScope
from .pins import PIN_MAX_LENGTH, PIN_MIN_LENGTH, validate_new_pin
from .services import integration_token_create, staff_pin_clear, staff_pin_set

User = get_user_model()


class StaffProfileForm(forms.ModelForm):
    """Role and stores, and a write-only PIN: the hash is never a field, so it is never shown or posted."""

    new_pin = forms.CharField(
        label=_("New PIN"),
        required=False,
        validators=[validate_new_pin],
        help_text=_("Leave blank to keep the current PIN."),
        widget=forms.PasswordInput(
            attrs={
                "autocomplete": "new-password",  # not the admin's own saved password
                "inputmode": "numeric",
                "minlength": PIN_MIN_LENGTH,
                "maxlength": PIN_MAX_LENGTH,
            }
        ),
    )
    clear_pin = forms.BooleanField(
        label=_("Clear PIN"),
        required=False,
        help_text=_("The person cannot switch with a PIN until they set a new one."),
    )

    class Meta:
        model = StaffProfile
        fields = ("role", "stores")

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("new_pin") and cleaned.get("clear_pin"):
            raise forms.ValidationError(_("Type a new PIN or clear the PIN, not both."), code="pin_set_and_clear")
        return cleaned


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    form = StaffProfileForm
    can_delete = False
    fields = ("role", "stores", "has_pin", "new_pin", "clear_pin")
    readonly_fields = ("has_pin",)
    filter_horizontal = ("stores",)
    verbose_name_plural = _("role, stores and PIN")

    @admin.display(description=_("PIN set"), boolean=True)
    def has_pin(self, profile: StaffProfile) -> bool:
        return bool(profile.pin_hash)


admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    inlines = [StaffProfileInline]
    list_display = ("username", "first_name", "last_name", "role", "store_codes", "is_active", "last_login")
    list_filter = ("staff_profile__role", "is_active", "staff_profile__stores")
    list_select_related = ("staff_profile",)

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).prefetch_related("staff_profile__stores")

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        if formset.model is not StaffProfile:
            return
        # After the inline saved the profile (a person created here gets theirs now), through the one service.
        for profile_form in formset.forms:
            if profile_form.cleaned_data.get("clear_pin"):
                staff_pin_clear(user=form.instance)
            elif profile_form.cleaned_data.get("new_pin"):
                staff_pin_set(user=form.instance, pin=profile_form.cleaned_data["new_pin"])

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


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "kind",
        "city",
        "country",
        "ships_to_home",
        "offers_pickup",
        "commission_eligible",
        "active",
    ]
    list_filter = ["kind", "active", "ships_to_home", "offers_pickup", "commission_eligible", "country"]
    search_fields = ["code", "name", "city", "postal_code"]
    ordering = ["code"]
