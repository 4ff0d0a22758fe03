"""A reusable check of who may open a page (NetBox ``ViewTestCases`` in spirit).

``assert_access(client, url, users, allowed=..., method="get")`` requests ``url`` as an
anonymous visitor (must be sent to the login page) and as each named user, and asserts
that exactly the ``allowed`` ones get through (2xx/3xx) while the others get 403 or 404
(404 when the object belongs to another service point: its existence is not revealed).
"""

from urllib.parse import urlparse

from django.conf import settings
from django.urls import reverse


def assert_access(client, url, users: dict, allowed: set[str], method: str = "get",
                  data=None):
    response = getattr(client, method)(url, data or {})
    assert response.status_code == 302, f"anonymous {method.upper()} {url}: {response.status_code}"
    assert urlparse(response["Location"]).path == reverse(settings.LOGIN_URL)
    outcome = {}
    for name, user in users.items():
        client.force_login(user)
        response = getattr(client, method)(url, data or {})
        outcome[name] = response.status_code
        client.logout()
    granted = {name for name, status in outcome.items() if status < 400}
    denied_badly = {
        name: status for name, status in outcome.items()
        if status >= 400 and status not in (403, 404)
    }
    assert not denied_badly, f"{url}: unexpected statuses {denied_badly}"
    assert granted == set(allowed), f"{method.upper()} {url}: {outcome}"
