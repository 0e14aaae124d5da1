from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from omniportal.access import staff_required

from .models import AccessVia, Customer
from .services import profile_access_record


@staff_required
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(Customer, pk=pk, erased_at__isnull=True)
    via = request.GET.get("via", AccessVia.PROFILE)
    shown = ["contact", "orders"] + (["online", "notes", "tasks"] if customer.consent_clienteling else [])
    profile_access_record(user=request.user, store=request.store, customer=customer, via=via, shown=shown)
    return render(request, "clienteling/customer_detail.html", {"customer": customer})
