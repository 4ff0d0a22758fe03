from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from servicedesk import views
from servicedesk.auth import LoginView

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("service-points/", views.ServicePointListView.as_view(), name="servicepoint_list"),
    path("service-points/add/", views.ServicePointEditView.as_view(), name="servicepoint_add"),
    path("service-points/<int:pk>/", views.ServicePointDetailView.as_view(),
         name="servicepoint_detail"),
    path("service-points/<int:pk>/edit/", views.ServicePointEditView.as_view(),
         name="servicepoint_edit"),
    path("service-points/<int:pk>/roster.pdf", views.ServicePointRosterPdfView.as_view(),
         name="servicepoint_roster_pdf"),
    path("staff/", views.StaffListView.as_view(), name="staff_list"),
    path("history/<int:content_type_id>/<int:pk>/", views.HistoryView.as_view(),
         name="object_history"),
    path("accounts/", include("accounts.urls")),
    path("billing/", include("billing.urls")),
    path("tickets/", include("tickets.urls")),
    path("appraisal/", include("appraisal.urls")),
    path("reports/", include("appraisal.reports.urls")),
    path("admin/", admin.site.urls),
]
