import time

from django.conf import settings
from django.db import DatabaseError


class ContentSecurityPolicyMiddleware:
    """Send the Content-Security-Policy from settings on every response.

    The pages load scripts and styles only from /static/ (no inline code), so the
    policy can forbid everything else.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response


class IdleSessionMiddleware:
    """Keep a signed-in session alive while it is used, without a write per request.

    The session ends after ``SESSION_COOKIE_AGE`` idle seconds. Saving it on every request
    (``SESSION_SAVE_EVERY_REQUEST``) would cost an UPDATE per page; instead the expiry is
    pushed forward at most once per ``SESSION_REFRESH_SECONDS``, so idle time is measured
    to within that step.
    """

    KEY = "_refreshed_at"

    def __init__(self, get_response):
        self.get_response = get_response
        self.step = getattr(settings, "SESSION_REFRESH_SECONDS", 60)

    @classmethod
    def stamp(cls, session) -> None:
        session[cls.KEY] = int(time.time())  # marks the session modified: saved, renewed

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a request that used the session (signed-in pages do) renews it: /healthz and
        # static files never touch the database for it, even with a session cookie.
        if session is not None and session.accessed and not session.is_empty():
            try:
                refreshed_at = session.get(self.KEY, 0)
            except DatabaseError:  # the database is down: the response says so already
                return response
            if int(time.time()) - refreshed_at >= self.step:
                self.stamp(session)
        return response


class HealthCheckMiddleware:
    """Answer ``/healthz`` before sessions, auth and audit context are touched.

    Those read the session table, so with the database down a probe carrying a session
    cookie would get a 500 from them instead of the view's clean 503.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/healthz" and request.method in ("GET", "HEAD"):
            from servicedesk.views import healthz

            return healthz(request)
        return self.get_response(request)
