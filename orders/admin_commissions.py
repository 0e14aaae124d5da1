"""Admin for commission policies, the ledger and statements."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .commissions.policies import commission_policy_save
from .commissions.statements import (
    STATEMENT_TEXT_MAX,
    StatementOverrideNeeded,
    StatementTransitionRefused,
    statement_finalise,
)
from .models import CategoryRate, CommissionEntry, CommissionPolicy, Statement

# Once a policy has credited an order its terms are history: only its end date may still change.
USED_POLICY_READONLY = ("name", "effective_from", "default_rate", "assisted_share")


def _policy_used(policy: CommissionPolicy | None) -> bool:
    return policy is not None and policy.pk is not None and CommissionEntry.objects.filter(policy=policy).exists()


class CategoryRateInline(admin.TabularInline):
    model = CategoryRate
    extra = 1

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_add_permission(request, obj) and not _policy_used(obj)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_change_permission(request, obj) and not _policy_used(obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and not _policy_used(obj)


@admin.register(CommissionPolicy)
class CommissionPolicyAdmin(admin.ModelAdmin):
    list_display = ("name", "effective_from", "effective_to", "default_rate", "assisted_share", "in_force_today")
    search_fields = ("name",)
    date_hierarchy = "effective_from"
    inlines = [CategoryRateInline]

    @admin.display(boolean=True, description=_("in force today"))
    def in_force_today(self, policy: CommissionPolicy) -> bool:
        today = timezone.localdate()
        return policy.effective_from <= today and (policy.effective_to is None or today <= policy.effective_to)

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return USED_POLICY_READONLY if _policy_used(obj) else ()

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and not _policy_used(obj)

    def save_model(self, request: HttpRequest, obj: CommissionPolicy, form, change: bool) -> None:
        commission_policy_save(policy=obj)


@admin.register(CommissionEntry)
class CommissionEntryAdmin(admin.ModelAdmin):
    """The ledger, read-only: entries are never changed or deleted (a correction is a reversal)."""

    list_display = (
        "created_at", "order", "store", "kind", "role", "amount", "currency", "period", "distance_km",
        "location_source", "rate", "share",
    )  # fmt: skip
    list_filter = ("kind", "role", "period", "location_source")
    search_fields = ("order__number", "order__external_id", "store__code")
    list_select_related = ("order", "store")
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class OverrideReasonForm(forms.Form):
    override_reason = forms.CharField(
        label=_("Why finalise them without the store's approval?"),
        max_length=STATEMENT_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text=_("Kept with each statement and shown to the store."),
    )


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    list_display = (
        "store", "period", "status", "reviewed_by", "reviewed_at", "finalised_at", "without_store_approval",
    )  # fmt: skip
    list_filter = ("status", "period")
    search_fields = ("store__code", "store__name")
    list_select_related = ("store", "reviewed_by")
    readonly_fields = (
        "store", "period", "status", "comment", "reviewed_by", "reviewed_at", "finalised_by", "finalised_at",
        "override_reason", "closed_at",
    )  # fmt: skip
    # Both through statement_finalise, as the network page: the plain action finalises what the store approved;
    # the other asks head office for the reason first, and keeps it with each statement it overrides.
    actions = ["finalise", "finalise_with_override"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(boolean=True, description=_("without the store's approval"))
    def without_store_approval(self, statement: Statement) -> bool:
        return statement.overridden

    @admin.action(description=_("Finalise the selected statements the store approved (locks them)"))
    def finalise(self, request: HttpRequest, queryset: QuerySet[Statement]) -> None:
        self._finalise(request, queryset, reason="")

    @admin.action(description=_("Finalise the selected statements without the store's approval (asks why)"))
    def finalise_with_override(self, request: HttpRequest, queryset: QuerySet[Statement]) -> TemplateResponse | None:
        form = OverrideReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            self._finalise(request, queryset, reason=form.cleaned_data["override_reason"])
            return None
        return TemplateResponse(
            request,
            "orders/admin/statement_finalise_override.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Finalise without the store's approval"),
                "opts": self.model._meta,
                "statements": queryset.select_related("store").order_by("period", "store__code"),
                "form": form,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

    def _finalise(self, request: HttpRequest, queryset: QuerySet[Statement], *, reason: str) -> None:
        done, unapproved, refused = 0, 0, 0
        for statement in queryset:
            try:
                statement_finalise(statement_id=statement.pk, actor=request.user, override_reason=reason)
                done += 1
            except StatementOverrideNeeded:
                unapproved += 1
            except StatementTransitionRefused:
                refused += 1
        if done:
            self.message_user(
                request, ngettext("%d statement finalised.", "%d statements finalised.", done) % done, messages.SUCCESS
            )
        if unapproved:
            self.message_user(
                request,
                ngettext(
                    "%d statement was not approved by its store and was left as it was: finalise it without the "
                    "store's approval, with a reason.",
                    "%d statements were not approved by their stores and were left as they were: finalise them "
                    "without the store's approval, with a reason.",
                    unapproved,
                )
                % unapproved,
                messages.WARNING,
            )
        if refused:
            self.message_user(
                request,
                ngettext(
                    "%d statement was still open (or already final) and was left as it was.",
                    "%d statements were still open (or already final) and were left as they were.",
                    refused,
                )
                % refused,
                messages.WARNING,
            )
