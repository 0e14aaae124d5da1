from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from omniportal.models import Role
from omniportal.pins import InvalidPin
from omniportal.services import UnknownStore, staff_user_create


class Command(BaseCommand):
    help = "Create or update a portal user with a role and the stores they work in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--store", action="append", default=[], metavar="CODE", help="A store code; repeatable.")
        parser.add_argument("--password", help="Sign-in password (omit to create a user who cannot sign in yet).")
        parser.add_argument("--pin", help="Personal PIN for switching person on a shared tablet.")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--email", default="")

    def handle(self, *args: object, **options: object) -> None:
        username = str(options["username"]).strip()
        if not username or len(username) > 150:
            raise CommandError("USERNAME must be 1 to 150 characters.")
        role = Role(options["role"])
        if role != Role.HEAD_OFFICE and not options["store"]:
            raise CommandError("Associates and managers need at least one --store CODE.")
        try:
            user = staff_user_create(
                username=username,
                role=role,
                store_codes=options["store"],
                password=options["password"],
                pin=options["pin"],
                first_name=str(options["first_name"]),
                last_name=str(options["last_name"]),
                email=str(options["email"]),
            )
        except UnknownStore as exc:
            raise CommandError(str(exc)) from exc
        except InvalidPin as exc:
            raise CommandError(f"--pin: {' '.join(exc.messages)}") from exc
        self.stdout.write(
            self.style.SUCCESS(f"{user.username}: {role.label}, stores {', '.join(options['store']) or 'all'}")
        )
