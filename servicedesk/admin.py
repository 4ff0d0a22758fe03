"""The Django admin is for emergencies; staff work in the app's own pages."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from servicedesk.models import ServicePoint, User


@admin.register(ServicePoint)
class ServicePointAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "fault_mark", "is_active"]


@admin.register(User)
class StaffAdmin(UserAdmin):
    list_display = ["username", "full_name", "service_point", "is_active"]
    list_filter = ["service_point", "groups", "is_active"]
    fieldsets = [
        *UserAdmin.fieldsets,
        ("servicedesk", {"fields": ["full_name", "staff_no", "phone", "service_point"]}),
    ]
