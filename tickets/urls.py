from django.urls import path  # noqa: F401

from tickets.views import calldesk, workorders  # noqa: F401

app_name = "tickets"

urlpatterns = [
    # --- work orders (counter) ---
    # --- call desk ---
]
