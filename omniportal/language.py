"""Which language a page speaks: the person's own choice, else the browser's.

English lives at unprefixed addresses, Italian under /it/ (i18n_patterns). Django's LocaleMiddleware serves an
unprefixed address in the default language whatever the browser asks, so `PreferredLanguageMiddleware` sends a
reader who prefers Italian there: by the language cookie (the person's choice, kept for a year and restored at
each sign-in from their staff profile), else by the browser's Accept-Language.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import translation
from django.views.i18n import set_language as django_set_language

from .models import StaffProfile

# Addresses outside i18n_patterns, or that no person reads.
_NOT_TRANSLATED = ("/api/", "/static/", "/i18n/", "/healthz")


def _prefixed(path: str) -> bool:
    return any(path == f"/{code}" or path.startswith(f"/{code}/") for code, _name in settings.LANGUAGES)


def preferred_language(request: HttpRequest) -> str:
    """The reader's language among ours: their cookie, else Accept-Language, else LANGUAGE_CODE."""
    return translation.get_language_from_request(request, check_path=False)


class PreferredLanguageMiddleware:
    """Before LocaleMiddleware: an unprefixed page asked for by a reader of another language is redirected there."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if (
            request.method in ("GET", "HEAD")
            and not request.headers.get("HX-Request")
            and not path.startswith(_NOT_TRANSLATED)
            and not _prefixed(path)
        ):
            language = preferred_language(request)
            if language != settings.LANGUAGE_CODE:
                query = request.META.get("QUERY_STRING", "")
                return HttpResponseRedirect(f"/{language}{path}" + (f"?{query}" if query else ""))
        return self.get_response(request)


def remember_language(response: HttpResponse, language: str) -> HttpResponse:
    """Put the person's language in the language cookie (what PreferredLanguageMiddleware and Django read)."""
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        )
    return response


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language, and the choice is kept on the person, so it follows them to every tablet."""
    response = django_set_language(request)
    chosen = request.POST.get("language", "")
    if request.method == "POST" and request.user.is_authenticated and translation.check_for_language(chosen):
        StaffProfile.objects.filter(user=request.user).update(language=chosen)
    return response
