from django.urls import path

from billing import landline_views as ll
from billing import views

app_name = "billing"

urlpatterns = [
    path("receipts/", views.ReceiptListView.as_view(), name="receipt_list"),
    path("receipts/<int:pk>/", views.ReceiptDetailView.as_view(), name="receipt_detail"),
    path("receipts/<int:pk>/receipt.pdf", views.ReceiptPdfView.as_view(), name="receipt_pdf"),
    path("receipts/<int:pk>/void/", views.ReceiptVoidView.as_view(), name="receipt_void"),
    path("receipts/<int:pk>/invoice/", views.InvoiceRequestView.as_view(),
         name="invoice_request"),
    path("invoices/", views.InvoiceListView.as_view(), name="invoice_list"),
    path("invoices/<int:pk>/collect/", views.InvoiceCollectView.as_view(),
         name="invoice_collect"),
    path("books/", views.ReceiptBookListView.as_view(), name="receiptbook_list"),
    path("books/add/", views.ReceiptBookOpenView.as_view(), name="receiptbook_add"),
    path("books/<int:pk>/close/", views.ReceiptBookCloseView.as_view(),
         name="receiptbook_close"),
    path("close/", views.DailyCloseView.as_view(), name="daily_close"),
    path("closes/", views.DailyCloseListView.as_view(), name="dailyclose_list"),
    path("closes/<int:pk>/", views.DailyCloseDetailView.as_view(), name="dailyclose_detail"),
    path("closes/<int:pk>/report.pdf", views.DailyClosePdfView.as_view(),
         name="dailyclose_pdf"),
    path("renew/", views.RenewalView.as_view(), name="renewal"),
    path("top-up/", views.TopUpView.as_view(), name="top_up"),
    # landline ledger
    path("landlines/", ll.LandlineLookupView.as_view(), name="landline_lookup"),
    path("landlines/low-balance/", ll.LowBalanceListView.as_view(), name="low_balance"),
    path("landlines/<int:pk>/", ll.LandlineBillingView.as_view(), name="landline_billing"),
    path("landlines/<int:pk>/adjust/", ll.LandlineAdjustView.as_view(),
         name="landline_adjust"),
    path("landlines/<int:pk>/alert-threshold/", ll.LandlineAlertThresholdView.as_view(),
         name="landline_alert_threshold"),
    path("landlines/<int:pk>/statement/<str:month>/", ll.StatementView.as_view(),
         name="landline_statement"),
    path("landlines/<int:pk>/statement/<str:month>/statement.pdf",
         ll.StatementPdfView.as_view(), name="landline_statement_pdf"),
    path("cdr/", ll.CdrImportListView.as_view(), name="cdrimport_list"),
    path("cdr/upload/", ll.CdrUploadView.as_view(), name="cdr_upload"),
    path("cdr/<int:pk>/", ll.CdrImportDetailView.as_view(), name="cdrimport_detail"),
    path("cdr/<int:pk>/step/", ll.CdrImportStepView.as_view(), name="cdrimport_step"),
]
