from django.urls import path

from accounts import views
from accounts.models import BroadbandAccount, LandlineAccount

app_name = "accounts"

urlpatterns = [
    path("search/", views.SearchView.as_view(), name="search"),
    path("subscribers/", views.SubscriberListView.as_view(), name="subscriber_list"),
    path("subscribers/add/", views.SubscriberCreateView.as_view(), name="subscriber_add"),
    path("subscribers/<int:pk>/", views.SubscriberDetailView.as_view(),
         name="subscriber_detail"),
    path("subscribers/<int:pk>/edit/", views.SubscriberUpdateView.as_view(),
         name="subscriber_edit"),
    path("subscribers/<int:pk>/reveal-id/", views.SubscriberRevealIdView.as_view(),
         name="subscriber_reveal_id"),
    path("broadband/", views.BroadbandListView.as_view(), name="broadband_list"),
    path("broadband/<int:pk>/", views.BroadbandDetailView.as_view(), name="broadband_detail"),
    path("broadband/<int:pk>/password/",
         views.AccountPasswordResetView.as_view(
             queryset=BroadbandAccount.objects.select_related("subscriber")),
         name="broadband_password"),
    path("landline/", views.LandlineListView.as_view(), name="landline_list"),
    path("landline/<int:pk>/", views.LandlineDetailView.as_view(), name="landline_detail"),
    path("landline/<int:pk>/password/",
         views.AccountPasswordResetView.as_view(
             queryset=LandlineAccount.objects.select_related("subscriber")),
         name="landline_password"),
]

# Tariff data a manager maintains: list, add, edit (no delete: deactivate instead).
for _name, _list, _edit in views.TARIFF_PAGES:
    urlpatterns += [
        path(f"tariffs/{_name}/", _list.as_view(), name=f"{_name}_list"),
        path(f"tariffs/{_name}/add/", _edit.as_view(), name=f"{_name}_add"),
        path(f"tariffs/{_name}/<int:pk>/edit/", _edit.as_view(), name=f"{_name}_edit"),
    ]
