from __future__ import annotations

from django import forms

from shared.customers.services import OnboardingRequest


class OnboardingForm(forms.Form):
    name = forms.CharField(label="区县名称", max_length=64, help_text="如：榆阳区")
    region_code = forms.CharField(label="行政区划代码", max_length=6, help_text="GB/T 2260，6 位")
    schema_name = forms.CharField(
        label="标识", max_length=40, help_text="小写字母、数字、下划线，如 yuyang；也是数据库模式名"
    )
    domain = forms.CharField(label="域名", max_length=253, help_text="如 yuyang.localhost")
    admin_username = forms.CharField(label="管理员用户名", max_length=64)
    admin_full_name = forms.CharField(label="管理员姓名", max_length=64)
    admin_password = forms.CharField(
        label="管理员初始密码", strip=False, widget=forms.PasswordInput(render_value=False)
    )

    def to_request(self) -> OnboardingRequest:
        return OnboardingRequest(**self.cleaned_data, admin_must_change_password=True)


class SuspendForm(forms.Form):
    reason = forms.CharField(label="暂停原因", max_length=200)
