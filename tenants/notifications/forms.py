from __future__ import annotations

from django import forms

from tenants.notifications.pickers import RecipientsField
from zhdj.validation.names import TextField


class NoticeForm(forms.Form):
    """A notice (通知) to chosen users within the sender's reach."""

    title = TextField(label="标题", max_length=100)
    body = TextField(label="内容", widget=forms.Textarea(attrs={"rows": 5}), required=False)
    everyone = forms.BooleanField(label="发送给全体用户", required=False)
    recipients = RecipientsField(label="接收人", required=False)

    def __init__(self, *args, scope, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["recipients"].scope_to(scope)  # whom this sender may reach
        if not scope.is_admin:
            self.fields["everyone"].label = "发送给本组织及下级组织全体党员"

    def chosen(self):  # type: ignore[no-untyped-def]
        if self.cleaned_data.get("everyone"):
            return self.fields["recipients"].queryset
        return self.cleaned_data.get("recipients") or []
