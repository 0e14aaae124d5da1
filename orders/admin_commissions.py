"""Admin for commission policies, the ledger and statements."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .commissions.policies import commission_policy_save
from .commissions.statements import StatementTransitionRefused, statement_finalise
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


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    list_display = ("store", "period", "status", "reviewed_by", "reviewed_at", "finalised_at")
    list_filter = ("status", "period")
    search_fields = ("store__code", "store__name")
    list_select_related = ("store", "reviewed_by")
    readonly_fields = (
        "store", "period", "status", "comment", "reviewed_by", "reviewed_at", "finalised_by", "finalised_at",
        "closed_at",
    )  # fmt: skip
    actions = ["finalise"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.action(description=_("Finalise the selected statements (locks them)"))
    def finalise(self, request: HttpRequest, queryset: QuerySet[Statement]) -> None:
        done, refused = 0, 0
        for statement in queryset:
            try:
                statement_finalise(statement_id=statement.pk, actor=request.user)
                done += 1
            except StatementTransitionRefused:
                refused += 1
        if done:
            self.message_user(
                request, ngettext("%d statement finalised.", "%d statements finalised.", done) % done, messages.SUCCESS
            )
        if refused:
            self.message_user(
                request,
                ngettext(
                    "%d statement was not closed (or already final) and was left as it was.",
                    "%d statements were not closed (or already final) and were left as they were.",
                    refused,
                )
                % refused,
                messages.WARNING,
            )
