"""`Authorization: Token <key>` for integration clients: hashed keys, scopes, per-token throttling."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, throttling
from rest_framework.request import Request

from .models import IntegrationToken, hash_token_key


class IntegrationTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request: Request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Malformed Authorization header: expected 'Token <key>'.")
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed("The token key must be ASCII.") from exc
        token = IntegrationToken.objects.filter(key_hash=hash_token_key(key), active=True).first()
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid or inactive token.")
        now = timezone.now()
        # Touch last_used_at at most once a minute: no write on every request.
        if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
            IntegrationToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return (None, token)

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class HasTokenScope(permissions.BasePermission):
    """The view declares `required_scope`; the token must carry it."""

    message = "This token does not have the scope this endpoint needs."

    def has_permission(self, request: Request, view) -> bool:
        token = request.auth
        if not isinstance(token, IntegrationToken):
            raise exceptions.NotAuthenticated("Send 'Authorization: Token <key>'.")
        scope = getattr(view, "required_scope", None)
        if scope is None:
            return False
        if token.has_scope(scope):
            return True
        self.message = f"This token lacks the '{scope}' scope."
        return False


class PerTokenThrottle(throttling.SimpleRateThrottle):
    scope = "token"

    def get_cache_key(self, request: Request, view) -> str | None:
        token = request.auth
        if not isinstance(token, IntegrationToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": token.pk}


class IntegrationTokenScheme(OpenApiAuthenticationExtension):
    target_class = IntegrationTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`; keys are created by head office (`manage.py create_integration_token`).",
        }
