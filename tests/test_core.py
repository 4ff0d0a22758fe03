"""The walking skeleton as a user meets it: sign-in, home pages, scope, health, audit."""

import io
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.urls import reverse
from pypdf import PdfReader

from servicedesk.models import LoginFailure, ServicePoint
from servicedesk.roles import ROLE_PERMISSIONS, Role, sync_role_groups
from tests.factories import TEST_PASSWORD
from tests.fixtures.demo import use_small_demo
from tests.viewtests import assert_access

pytestmark = pytest.mark.django_db


def sign_in(client, username, password=TEST_PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


@pytest.mark.parametrize(
    ("who", "role_label", "scope"),
    [
        ("clerk", "营业员", "馨苑"),
        ("agent", "客服", "全部营业点"),
        ("installer", "装维", "馨苑"),
        ("manager", "营业部经理", "全部营业点"),
    ],
)
def test_each_role_signs_in_and_lands_on_its_home(client, users, who, role_label, scope):
    user = users[who]
    response = sign_in(client, user.username)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    page = client.get(reverse("home")).content.decode()
    assert user.full_name in page
    assert role_label in page
    assert scope in page


def test_manager_sees_management_menu_and_clerk_does_not(client, clerk, manager):
    client.force_login(manager)
    assert reverse("staff_list") in client.get("/").content.decode()
    client.force_login(clerk)
    assert reverse("staff_list") not in client.get("/").content.decode()


def test_wrong_password_says_so_and_leaks_nothing(client, clerk):
    response = sign_in(client, clerk.username, "wrong-password")
    page = response.content.decode()
    assert response.status_code == 200
    assert "用户名或密码错误" in page
    assert clerk.full_name not in page
    unknown = sign_in(client, "nobody-here", "wrong-password").content.decode()
    assert "用户名或密码错误" in unknown


def test_repeated_failures_lock_the_name(client, clerk, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        sign_in(client, clerk.username, "wrong-password")
    # Even the right password is refused while locked, with a clear message.
    response = sign_in(client, clerk.username)
    assert response.status_code == 200
    assert "登录失败次数过多" in response.content.decode()
    LoginFailure.objects.all().delete()
    assert sign_in(client, clerk.username).status_code == 302


def test_success_clears_earlier_failures(client, clerk):
    sign_in(client, clerk.username, "wrong-password")
    assert LoginFailure.objects.filter(username=clerk.username).count() == 1
    sign_in(client, clerk.username)
    assert not LoginFailure.objects.filter(username=clerk.username).exists()


def test_logout_ends_the_session(client, clerk):
    client.force_login(clerk)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_a_used_session_is_renewed_at_most_once_a_minute(client, clerk):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def session_writes(at):
        with mock.patch("servicedesk.middleware.time.time", return_value=at), \
                CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        return [q for q in queries if q["sql"].startswith("UPDATE \"django_session\"")]

    import time

    signed_in = time.time()
    client.force_login(clerk)  # signing in starts the idle clock
    assert session_writes(signed_in + 1) == []  # the first page writes nothing
    assert session_writes(signed_in + 50) == []  # nor does any within the minute
    assert len(session_writes(signed_in + 62)) == 1  # then the expiry is pushed forward
    assert session_writes(signed_in + 100) == []


def test_anonymous_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_user_without_role_is_told(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="norole"))
    response = client.get("/")
    assert response.status_code == 403
    assert "还没有角色" in response.content.decode()


def test_unknown_url_gives_styled_404(client, clerk, settings):
    settings.DEBUG = False
    client.force_login(clerk)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_security_headers(client):
    response = client.get(reverse("login"))
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_pages_have_no_inline_scripts(client, manager, xinyuan):
    client.force_login(manager)
    for url in ["/", reverse("servicepoint_list"), reverse("servicepoint_detail",
                                                           args=[xinyuan.pk])]:
        html = client.get(url).content.decode()
        assert "<script>" not in html and " onclick=" not in html and "style=" not in html


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"


def test_healthz_reports_database_down(client):
    with mock.patch("servicedesk.views.connection.cursor", side_effect=OperationalError):
        response = client.get("/healthz")
    assert response.status_code == 503


def test_healthz_reports_database_down_to_a_signed_in_browser(client, clerk):
    """A browser with a session cookie gets the same clean 503, not a 500 from the session."""
    client.force_login(clerk)
    with mock.patch("servicedesk.views.connection.cursor", side_effect=OperationalError), \
            mock.patch("django.contrib.sessions.backends.db.SessionStore.load",
                       side_effect=OperationalError):
        response = client.get("/healthz")
    assert response.status_code == 503


def test_restrict_limits_to_own_service_point(clerk, manager, agent, xinyuan):
    assert list(ServicePoint.objects.restrict(clerk)) == [xinyuan]
    assert ServicePoint.objects.restrict(manager).count() == 3
    assert ServicePoint.objects.restrict(agent).count() == 3


def test_service_point_pages_access(client, users, xinyuan, qujiang):
    assert_access(client, reverse("servicepoint_list"), users,
                  allowed={"clerk", "other_clerk", "agent", "installer", "manager"})
    # Another service point's page is not found for a clerk of 馨苑.
    assert_access(client, reverse("servicepoint_detail", args=[qujiang.pk]), users,
                  allowed={"other_clerk", "agent", "manager"})
    assert_access(client, reverse("servicepoint_edit", args=[xinyuan.pk]), users,
                  allowed={"manager"})
    assert_access(client, reverse("staff_list"), users, allowed={"manager"})


def test_manager_edits_service_point_and_history_shows_who(client, manager, xinyuan):
    client.force_login(manager)
    response = client.post(
        reverse("servicepoint_edit", args=[xinyuan.pk]),
        {"name": "馨苑", "code": "dw", "fault_mark": "X", "address": "馨苑小区3号楼",
         "phone": "029-1", "is_active": "on"},
    )
    assert response.status_code == 302
    xinyuan.refresh_from_db()
    assert xinyuan.address == "馨苑小区3号楼"
    from servicedesk.templatetags.sd import history_url

    page = client.get(history_url(xinyuan)).content.decode()
    assert "馨苑小区3号楼" in page
    assert manager.full_name in page


def test_invalid_service_point_is_refused_with_field_error(client, manager, xinyuan):
    client.force_login(manager)
    response = client.post(
        reverse("servicepoint_edit", args=[xinyuan.pk]),
        {"name": "馨苑", "code": "DW-1", "fault_mark": "x", "address": "", "phone": ""},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "小写字母" in page and "大写字母" in page
    xinyuan.refresh_from_db()
    assert xinyuan.code == "dw"


def test_every_role_permission_exists():
    assert sync_role_groups() == []
    assert set(ROLE_PERMISSIONS) == set(Role)


def test_staff_list_is_constant_in_queries(client, manager, django_assert_max_num_queries):
    from tests.factories import UserFactory

    for i in range(30):
        UserFactory(username=f"bulk{i}", role=Role.CLERK)
    client.force_login(manager)
    with django_assert_max_num_queries(11):
        assert client.get(reverse("staff_list")).status_code == 200


def test_staff_list_exports_excel_and_csv(client, manager, clerk):
    client.force_login(manager)
    xlsx = client.get(reverse("staff_list"), {"_export": "xlsx"})
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    csv = client.get(reverse("staff_list"), {"_export": "csv"}).content.decode("utf-8")
    assert clerk.full_name in csv


def test_roster_pdf_has_chinese_text_and_embedded_font(client, manager, clerk, xinyuan):
    client.force_login(manager)
    response = client.get(reverse("servicepoint_roster_pdf", args=[xinyuan.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    for expected in ["员工名册", "馨苑", clerk.full_name, "签名", "营业部经理"]:
        assert expected in text, expected
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts.add((str(font["/BaseFont"]).split("+")[-1], embedded))
    assert ("Noto-Sans-SC", True) in fonts, fonts


def test_demo_loader_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("load_demo")


def test_demo_loader_is_idempotent(settings, monkeypatch):
    settings.DEBUG = True
    use_small_demo(monkeypatch)  # idempotency is the point, not the size
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    call_command("load_demo", stdout=out)
    from servicedesk.models import User

    assert User.objects.filter(username="clerk").count() == 1
    assert User.objects.get(username="manager").role == Role.MANAGER
