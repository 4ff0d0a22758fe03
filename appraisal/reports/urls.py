from django.urls import path

from accounts.models import BroadbandAccount, LandlineAccount
from appraisal.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.ManagerHomeView.as_view(), name="manager_home"),
    path("monthly/", views.MonthlyReportView.as_view(), name="monthly"),
    path("monthly.pdf", views.MonthlyReportPdfView.as_view(), name="monthly_pdf"),
    path("retention/broadband/", views.ExpiringBroadbandView.as_view(),
         name="retention_broadband"),
    path("retention/broadband/<int:pk>/called/",
         views.RetentionMarkView.as_view(model=BroadbandAccount,
                                         list_url="reports:retention_broadband"),
         name="retention_broadband_mark"),
    path("retention/landline/", views.LowBalanceLandlineView.as_view(),
         name="retention_landline"),
    path("retention/landline/<int:pk>/called/",
         views.RetentionMarkView.as_view(model=LandlineAccount,
                                         list_url="reports:retention_landline"),
         name="retention_landline_mark"),
]
