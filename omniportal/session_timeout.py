"""Sign a person out of a shared tablet after a spell of inactivity or at the end of a shift.

The session stores when the person signed in and when they were last seen. "Last seen" is written at most once a
minute, so an active tablet does not write its session on every request. Requests a page makes by itself (htmx
polling marked with the BACKGROUND_HEADER) are not activity: a tablet left on the home page still times out.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout, user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

STARTED_KEY = "omniportal_started_at"
SEEN_KEY = "omniportal_seen_at"
BACKGROUND_HEADER = "X-Omniportal-Background"
_SEEN_RESOLUTION_SECONDS = 60


@receiver(user_logged_in, dispatch_uid="omniportal.session_timeout.stamp")
def _stamp_sign_in(sender: object, request: HttpRequest | None, **kwargs: object) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[STARTED_KEY] = request.session[SEEN_KEY] = time.time()


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if SESSION_KEY in session:  # a signed-in person; API calls carry no session and pass untouched
            now = time.time()
            started = session.get(STARTED_KEY)
            seen = session.get(SEEN_KEY)
            if not isinstance(started, float | int) or not isinstance(seen, float | int):
                session[STARTED_KEY] = session[SEEN_KEY] = now
            elif now - seen > settings.SESSION_IDLE_MINUTES * 60 or now - started > settings.SESSION_HOURS * 3600:
                logout(request)
                messages.info(request, _("You were signed out after a while without activity. Sign in again."))
                if request.headers.get("HX-Request"):
                    # A swap of the sign-in page into a fragment helps nobody: reload the whole page instead.
                    return HttpResponse(status=204, headers={"HX-Refresh": "true"})
            elif now - seen >= _SEEN_RESOLUTION_SECONDS and not request.headers.get(BACKGROUND_HEADER):
                session[SEEN_KEY] = now
        return self.get_response(request)
