import pytest
from django.core.management import call_command

from servicedesk.models import ServicePoint
from servicedesk.roles import Role, sync_role_groups
from tests.browser.report import pytest_terminal_summary  # noqa: F401  (skipped-browser banner)
from tests.factories import UserFactory

# Tariff fixtures (tariffs, own, annual_plan, plans, carriers…) shared by several folders.
pytest_plugins = ["tests.fixtures.register"]


def pytest_configure(config):
    """Hash test passwords with a fast hasher: PBKDF2 costs ~0.5 s a user on 2 cores."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The service points and role groups every test relies on, loaded once."""
    with django_db_blocker.unblock():
        call_command("loaddata", "service_points", verbosity=0)
        sync_role_groups()


@pytest.fixture
def xinyuan(db):
    return ServicePoint.objects.get(code="dw")


@pytest.fixture
def qujiang(db):
    return ServicePoint.objects.get(code="qj")


@pytest.fixture
def clerk(xinyuan):
    return UserFactory(username="t_clerk", full_name="李晓梅", role=Role.CLERK,
                       service_point=xinyuan)


@pytest.fixture
def other_clerk(qujiang):
    """A clerk of another service point (曲江观邸)."""
    return UserFactory(username="t_clerk_qj", full_name="王芳", role=Role.CLERK,
                       service_point=qujiang)


@pytest.fixture
def agent(db):
    return UserFactory(username="t_agent", full_name="陈静", role=Role.AGENT)


@pytest.fixture
def installer(xinyuan):
    return UserFactory(username="t_installer", full_name="张建国", role=Role.INSTALLER,
                       service_point=xinyuan)


@pytest.fixture
def manager(db):
    return UserFactory(username="t_manager", full_name="周海燕", role=Role.MANAGER)


@pytest.fixture
def users(clerk, other_clerk, agent, installer, manager):
    return {
        "clerk": clerk,
        "other_clerk": other_clerk,
        "agent": agent,
        "installer": installer,
        "manager": manager,
    }
