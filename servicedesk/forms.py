from django import forms

from servicedesk.models import ServicePoint


class ServicePointForm(forms.ModelForm):
    class Meta:
        model = ServicePoint
        fields = ["name", "code", "fault_mark", "address", "phone", "is_active"]
