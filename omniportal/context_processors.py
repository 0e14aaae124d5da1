from __future__ import annotations

from django.http import HttpRequest

from .access import user_role
from .models import Role


def portal(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    role = user_role(user) if user is not None else None
    return {
        "role": role,
        "is_manager": role in {Role.MANAGER, Role.HEAD_OFFICE},
        "is_head_office": role == Role.HEAD_OFFICE,
    }
