"""Who may open what: the expected permission matrix, one line per URL name.

Read by tests/security/test_permission_matrix.py, which requests every URL pattern of
the project (from the resolver) as each identity below, GET and POST, and compares.

Identities (the demo staff, on the demo data):
    c  clerk      营业员 at 馨苑 (the objects in the URLs belong to 馨苑)
    o  clerk_qj   营业员 at 曲江观邸: another service point (gets 404 on 馨苑's records)
    a  agent      客服
    i  installer  装维 at 馨苑
    m  manager    营业部经理
Anonymous visitors are sent to the login page everywhere except the PUBLIC names.

An entry is "GET/POST": the letters of the identities that get through (2xx, 3xx, or a
400 form error); all the others must get 403 or 404 (405 for a POST the page does not
take counts as "not through"). "*" means all five. Example: "cam/c" — clerk, agent and
manager may open it, only the clerk may post to it.

A new URL fails the test until it has a line here; the failure message suggests one
from what it observed (check it before pasting: it is what the code does, not
necessarily what the handbook wants).
"""

PUBLIC = {"login", "logout", "healthz", "admin:login", "admin:logout"}

# Values for URL parameters that are not an object's pk.
SAMPLE_VALUES = {"app_label": "servicedesk", "month": "2026-03"}

# The model whose first object fills <pk> when the view does not say (app_label.Model).
MODEL_FOR = {
    "object_history": "accounts.Subscriber",
    "admin:view_on_site": "servicedesk.ServicePoint",
    "admin:auth_user_password_change": "servicedesk.User",
}

# URLs the matrix cannot request yet, and why (each one is a gap to close).
SKIP = {
    "billing:invoice_collect": "the demo data holds no invoice request to collect",
}

# Rules for a whole namespace, used when a name has no line of its own.
NAMESPACE_DEFAULTS = {
    # Django's admin is for superusers only: no role is staff.
    "admin": "/",
}

EXPECTED = {
    # --- core ---
    "home": "*/",
    "healthz": "*/*",
    "login": "*/*",
    "logout": "/*",
    "servicepoint_list": "*/",
    "servicepoint_add": "m/m",
    "servicepoint_detail": "caim/",
    "servicepoint_edit": "m/m",
    "servicepoint_roster_pdf": "caim/",
    "staff_list": "m/",
    "object_history": "m/",
    # --- accounts ---
    "accounts:search": "coam/",
    "accounts:subscriber_list": "coam/",
    "accounts:subscriber_add": "com/com",
    "accounts:subscriber_detail": "cam/",
    "accounts:subscriber_edit": "cm/cm",
    "accounts:subscriber_reveal_id": "/cm",
    "accounts:broadband_list": "coam/",
    "accounts:broadband_detail": "cam/",
    "accounts:broadband_password": "/cm",
    "accounts:landline_list": "coam/",
    "accounts:landline_detail": "cam/",
    "accounts:landline_password": "/cm",
    "accounts:carrier_list": "coam/",
    "accounts:carrier_add": "m/m",
    "accounts:carrier_edit": "m/m",
    "accounts:broadbandplan_list": "coam/",
    "accounts:broadbandplan_add": "m/m",
    "accounts:broadbandplan_edit": "m/m",
    "accounts:landlineplan_list": "coam/",
    "accounts:landlineplan_add": "m/m",
    "accounts:landlineplan_edit": "m/m",
    "accounts:addon_list": "coam/",
    "accounts:addon_add": "m/m",
    "accounts:addon_edit": "m/m",
    "accounts:fee_list": "coam/",
    "accounts:fee_add": "m/m",
    "accounts:fee_edit": "m/m",
    # --- billing ---
    "billing:receipt_detail": "cm/",
    "billing:receipt_pdf": "cm/",
    "billing:receipt_void": "/cm",
    "billing:invoice_request": "/cm",
    "billing:receiptbook_close": "m/m",
    "billing:dailyclose_detail": "cm/",
    "billing:dailyclose_pdf": "cm/",
    "billing:receipt_list": "com/",
    "billing:invoice_list": "com/",
    "billing:receiptbook_list": "com/",
    "billing:receiptbook_add": "m/m",
    "billing:daily_close": "com/com",
    "billing:dailyclose_list": "com/",
    "billing:renewal": "com/com",
    "billing:top_up": "com/com",
    "billing:landline_lookup": "coam/",
    "billing:low_balance": "coam/",
    "billing:landline_billing": "cam/",
    "billing:landline_adjust": "/m",
    "billing:landline_alert_threshold": "/m",
    "billing:cdrimport_list": "m/",
    "billing:cdrimport_detail": "m/",
    "billing:cdrimport_step": "/m",
    "billing:landline_statement": "cam/",
    "billing:landline_statement_pdf": "cam/",
    "billing:cdr_upload": "m/m",
    # --- tickets ---
    "tickets:workorder_detail": "caim/",
    "tickets:workorder_slip": "caim/",
    "tickets:workorder_return": "/cm",
    "tickets:workorder_callback": "/cm",
    "tickets:workorder_report": "/cm",
    "tickets:workorder_archive": "/cm",
    "tickets:workorder_recall": "/cm",
    "tickets:workorder_cancel": "/m",
    "tickets:workorder_flag_error": "/cam",
    "tickets:dispatch_detail": "cim/",
    "tickets:dispatch_pdf": "cim/",
    "tickets:carrierbatch_detail": "cm/",
    "tickets:carrierbatch_pdf": "cm/",
    "tickets:carrierbatch_acknowledge": "/cm",
    "tickets:workorder_list": "*/",
    "tickets:install_order": "com/com",
    "tickets:install_quote": "/com",
    "tickets:dispatch_create": "com/com",
    "tickets:dispatch_list": "coim/",
    "tickets:carrierbatch_list": "com/",
    "tickets:carrierbatch_add": "com/com",
    "tickets:counter_move": "com/com",
    "tickets:counter_extra_points": "com/com",
    "tickets:counter_router": "com/com",
    "tickets:counter_removal": "com/com",
    "tickets:counter_suspend": "com/com",
    "tickets:desk_queue": "*/",
    "tickets:installer_faults": "*/",
    "tickets:subscriber_lookup": "am/",
    "tickets:calldesk_statistics": "am/",
    "tickets:fault_list": "*/",
    "tickets:fault_add": "am/am",
    "tickets:fault_detail": "caim/",
    "tickets:fault_dispatch": "/am",
    "tickets:fault_fix": "/aim",
    "tickets:fault_callback": "/am",
    "tickets:fault_reply": "/am",
    "tickets:fault_cancel": "/am",
    "tickets:fault_hand_over": "/am",
    "tickets:fault_slip": "caim/",
    "tickets:fault_flag_error": "/cam",
    "tickets:complaint_list": "coam/",
    "tickets:complaint_add": "am/am",
    "tickets:complaint_detail": "cam/",
    "tickets:complaint_contact": "/am",
    "tickets:complaint_reschedule": "/am",
    "tickets:complaint_handle": "/am",
    "tickets:complaint_callback": "/am",
    "tickets:complaint_merge": "/am",
    "tickets:complaint_hand_over": "/am",
    "tickets:inquiry_list": "coam/",
    "tickets:inquiry_add": "am/am",
    "tickets:inquiry_detail": "cam/",
    "tickets:inquiry_answer": "/am",
    "tickets:inquiry_hand_over": "/am",
    "tickets:faultcause_list": "am/",
    "tickets:faultcause_add": "m/m",
    "tickets:faultcause_edit": "m/m",
    "tickets:complaintrootcause_list": "am/",
    "tickets:complaintrootcause_add": "m/m",
    "tickets:complaintrootcause_edit": "m/m",
    "tickets:maintenanceoffice_list": "am/",
    "tickets:maintenanceoffice_add": "m/m",
    "tickets:maintenanceoffice_edit": "m/m",
    "tickets:carrierdesk_list": "am/",
    "tickets:carrierdesk_add": "m/m",
    "tickets:carrierdesk_edit": "m/m",
    # --- appraisal ---
    "appraisal:scorecard_detail": "cm/",
    "appraisal:scorecard_score": "/m",
    "appraisal:scorecard_sign": "/m",
    "appraisal:scorecard_refresh": "/m",
    "appraisal:scorecard_acknowledge": "/cm",
    "appraisal:scorecard_dispute": "/cm",
    "appraisal:scorecard_decide": "/m",
    "appraisal:scorecard_pdf": "cm/",
    "appraisal:review_detail": "am/",
    "appraisal:review_calibrate": "m/m",
    "appraisal:review_dispute": "/am",
    "appraisal:review_decide": "/",  # the demo's first dispute is decided already (404)
    "appraisal:rewardpenalty_detail": "cm/",
    "appraisal:rewardpenalty_pdf": "cm/",
    "appraisal:template_detail": "m/",
    "appraisal:template_edit": "m/m",
    "appraisal:template_copy": "/m",
    "appraisal:scorecard_list": "coam/",
    "appraisal:month": "m/",
    "appraisal:generate": "/m",
    "appraisal:year_end": "coam/coam",
    "appraisal:review_list": "coam/",
    "appraisal:review_add": "m/m",
    "appraisal:rewardpenalty_list": "coam/",
    "appraisal:rewardpenalty_add": "m/m",
    "appraisal:template_list": "m/",
    # --- reports ---
    "reports:manager_home": "m/",
    "reports:monthly": "m/",
    "reports:monthly_pdf": "m/",
    "reports:retention_broadband": "com/",
    "reports:retention_landline": "com/",
    "reports:retention_broadband_mark": "/cm",
    "reports:retention_landline_mark": "/cm",
    # --- admin: superusers only (no role is staff) ---
    "admin:login": "*/*",
    "admin:logout": "*/*",
}
