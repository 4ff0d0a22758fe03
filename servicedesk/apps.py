from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, using="default", **kwargs):
    from servicedesk.roles import sync_role_groups

    sync_role_groups(using=using)


def _stamp_session(sender, request, user, **kwargs):
    from servicedesk.middleware import IdleSessionMiddleware

    IdleSessionMiddleware.stamp(request.session)


class ServicedeskConfig(AppConfig):
    name = "servicedesk"
    verbose_name = _("Service desk")

    def ready(self):
        # Role groups are configuration, not business data: re-applied after each migrate.
        post_migrate.connect(_sync_roles, dispatch_uid="servicedesk.sync_roles")
        # A fresh sign-in starts the idle clock: its first page needs no session write.
        user_logged_in.connect(_stamp_session, dispatch_uid="servicedesk.stamp_session")
