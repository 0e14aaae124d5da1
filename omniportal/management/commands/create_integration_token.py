from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from omniportal.models import IntegrationToken
from omniportal.services import UnknownScope, integration_token_create


class Command(BaseCommand):
    help = "Create an integration token. The key is printed once, as the last line, and stored only hashed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--scopes", required=True, help="Comma-separated: catalog,customers,events,...")

    def handle(self, *args: object, **options: object) -> None:
        name = str(options["name"]).strip()
        if not name or len(name) > 100:
            raise CommandError("NAME must be 1 to 100 characters.")
        if IntegrationToken.objects.filter(name=name).exists():
            raise CommandError(f"A token named '{name}' already exists; revoke it in the admin or pick another name.")
        try:
            token, key = integration_token_create(name=name, scopes=str(options["scopes"]).split(","))
        except UnknownScope as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write(
            f"Token '{token.name}' with scopes {', '.join(token.scopes)}. Copy the key now: it is not stored."
        )
        self.stdout.write(key)
