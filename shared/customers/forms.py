from __future__ import annotations

from django import forms

from shared.customers.models import LifecycleEvent
from shared.customers.services import OnboardingRequest
from zhdj.web.query import PageField


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


class LifecycleFilterForm(forms.Form):
    """The filter of the lifecycle trail (区县变更记录)."""

    action = forms.ChoiceField(
        label="操作",
        required=False,
        choices=[("", "全部"), *LifecycleEvent.Action.choices],
        error_messages={"invalid_choice": "请选择列表中的操作。"},
    )
    county = forms.CharField(label="区县", required=False, max_length=64)
    page = PageField()

    def clean_county(self) -> str:
        return self.cleaned_data["county"].strip()


class DomainForm(forms.Form):
    """One host: the new primary domain (更换主域名) or a second one (添加域名). The rules
    (syntax, base domain, unused) are the service's, said on the field."""

    domain = forms.CharField(
        label="域名",
        max_length=253,
        help_text="如 yuyang.localhost",
        error_messages={"required": "请填写域名。", "max_length": "域名不能超过 253 个字符。"},
    )


class DomainChoiceForm(forms.Form):
    """A domain the county has, to remove or make primary (a button on its row)."""

    domain = forms.CharField(max_length=253, error_messages={"required": "请选择域名。"})


class OffboardForm(forms.Form):
    confirm_name = forms.CharField(
        label="区县全称",
        max_length=64,
        help_text="照原样输入该区县的全称，以确认注销",
        error_messages={"required": "请输入区县全称以确认注销。"},
    )
    backup_confirmed = forms.BooleanField(label="我确认已另行备份", required=False)
