from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tickets.forms.calldesk import Form
from tickets.models import EntryErrorKind


class EntryErrorForm(Form):
    kind = forms.ChoiceField(label=_("What is wrong"), choices=EntryErrorKind.choices)
    note = forms.CharField(label=_("Details"), max_length=200,
                           widget=forms.TextInput(attrs={"col": "col-12"}))

    def __init__(self, *args, record=None, **kwargs):
        super().__init__(*args, **kwargs)
        if record is not None and record._meta.model_name == "workorder":
            self.fields["kind"].choices = [c for c in EntryErrorKind.choices
                                           if c[0] != EntryErrorKind.WRONG_FAULT]
