from __future__ import annotations

from django import forms

from shared.accounts.models import User


class NoticeForm(forms.Form):
    """A notice (通知) to chosen users of the county."""

    title = forms.CharField(label="标题", max_length=100)
    body = forms.CharField(label="内容", widget=forms.Textarea(attrs={"rows": 5}), required=False)
    everyone = forms.BooleanField(label="发送给全体用户", required=False)
    recipients = forms.ModelMultipleChoiceField(
        label="接收人",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["recipients"].queryset = User.objects.filter(is_active=True).order_by(
            "full_name"
        )

    def chosen(self):  # type: ignore[no-untyped-def]
        if self.cleaned_data.get("everyone"):
            return self.fields["recipients"].queryset
        return self.cleaned_data.get("recipients") or []
