from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from omniportal.throttle import lockouts_clear_for_user


class Command(BaseCommand):
    help = "Clear a person's sign-in and PIN lockouts after too many wrong attempts."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")

    def handle(self, *args, username: str, **options) -> None:
        user = get_user_model().objects.filter(username__iexact=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        cleared = lockouts_clear_for_user(username=user.get_username(), user_pk=user.pk)
        self.stdout.write(f"{user.get_username()}: {cleared} lockout(s) cleared.")
