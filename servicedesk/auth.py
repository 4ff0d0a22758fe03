"""Sign-in with throttling: repeated failures lock the name (and the address) for a while."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicedesk.models import LoginFailure


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def login_locked(username: str, ip: str | None) -> bool:
    since = timezone.now() - timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    # Per address the limit is higher: several clerks share one counter PC.
    by_name = LoginFailure.objects.filter(username__iexact=username, at__gte=since).count()
    by_ip = (
        LoginFailure.objects.filter(ip_address=ip, at__gte=since).count() if ip else 0
    )
    return by_name >= settings.LOGIN_FAILURE_LIMIT or by_ip >= 4 * settings.LOGIN_FAILURE_LIMIT


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The user name or password is wrong."),
        "locked": _(
            "Too many failed sign-ins. Sign-in is locked for %(minutes)d minutes; "
            "ask a manager if you have forgotten your password."
        ),
    }

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip()
        ip = client_ip(self.request) if self.request else None
        if username and login_locked(username, ip):
            raise ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"minutes": settings.LOGIN_LOCKOUT_MINUTES},
            )
        try:
            return super().clean()
        except ValidationError:
            if username:
                LoginFailure.objects.create(username=username[:150], ip_address=ip)
            raise


class LoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        LoginFailure.objects.filter(username__iexact=form.get_user().get_username()).delete()
        return super().form_valid(form)
