"""The counter's fixtures (receipt books, ``install``) for the security tests,
and the hypothesis profiles: a few examples per form in `make test`, many in
`make check-all` (HYPOTHESIS_PROFILE=check-all). No deadline: a busy machine is slow.
An example costs ~0.2 s (a form post and two row counts), so 25 a form is ~2 min for the
22 forms: what check-all can spend within CI's budget."""

import os

from hypothesis import HealthCheck, settings

from tests.counter.conftest import books, install  # noqa: F401  (the tariff fixtures are global)

settings.register_profile("make-test", max_examples=5, deadline=None, database=None,
                          derandomize=True,
                          suppress_health_check=[HealthCheck.function_scoped_fixture])
settings.register_profile("check-all", max_examples=25, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "make-test"))
