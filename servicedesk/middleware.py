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
