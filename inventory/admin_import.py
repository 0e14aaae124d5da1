"""Head office's CSV upload page in the admin: the same import as `manage.py import_csv`, all rows or none."""

from __future__ import annotations

import io

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from inventory.csv_import import CsvImportError, import_csv

KIND_CHOICES = [
    ("locations", _("Locations (CSV)")),
    ("products", _("Products (CSV)")),
    ("stock", _("Stock levels (CSV)")),
    ("postal_codes", _("Postal codes (GeoNames, tab-separated)")),
]
# Who may import what: the permission to add (or change) the rows the file writes.
KIND_PERMISSIONS = {
    "locations": "inventory.add_location",
    "products": "inventory.add_product",
    "stock": "inventory.change_stocklevel",
    "postal_codes": "inventory.add_postalcode",
}


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=KIND_CHOICES)
    file = forms.FileField(label=_("File"), help_text=_("UTF-8 text. The whole file is imported, or nothing."))


def import_view(request: HttpRequest) -> HttpResponse:
    if not any(request.user.has_perm(perm) for perm in KIND_PERMISSIONS.values()):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        kind = form.cleaned_data["kind"]
        if not request.user.has_perm(KIND_PERMISSIONS[kind]):
            raise PermissionDenied
        stream = io.TextIOWrapper(form.cleaned_data["file"].file, encoding="utf-8-sig", newline="")
        try:
            totals = import_csv(kind=kind, stream=stream)
        except CsvImportError as exc:
            problems = exc.errors
            messages.error(request, _("Nothing was imported: fix the lines below and upload the file again."))
        else:
            messages.success(
                request,
                _("Imported %(rows)s rows: %(created)s created, %(updated)s updated, %(ignored)s ignored.") % totals,
            )
            return HttpResponseRedirect(reverse("admin:inventory-import"))
    context = {
        **admin.site.each_context(request),
        "title": _("Import a file"),
        "form": form,
        "problems": problems,
    }
    return TemplateResponse(request, "admin/inventory/import.html", context)


def _with_import_url(get_urls):
    def get_urls_with_import():
        urls = [path("inventory/import/", admin.site.admin_view(import_view), name="inventory-import")]
        return urls + get_urls()

    return get_urls_with_import


# Registered on the default admin site: /admin/inventory/import/ (reverse "admin:inventory-import").
if not getattr(admin.site, "_inventory_import_registered", False):
    admin.site.get_urls = _with_import_url(admin.site.get_urls)
    admin.site._inventory_import_registered = True
