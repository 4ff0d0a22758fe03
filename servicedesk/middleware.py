import time

from django.conf import settings


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
        if session is not None and not session.is_empty():
            if int(time.time()) - session.get(self.KEY, 0) >= self.step:
                self.stamp(session)
        return response
