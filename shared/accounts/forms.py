from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    username = forms.CharField(label="用户名", max_length=64)
    password = forms.CharField(label="密码", strip=False, widget=forms.PasswordInput)

    error_messages = {
        "invalid_login": "用户名或密码不正确。请注意：各区县账号只能在本区县站点登录。",
        "inactive": "该账号已停用，请联系管理员。",
    }

    def get_invalid_login_error(self):  # type: ignore[no-untyped-def]
        """Locked, and for how long; or the attempts left (shared/accounts/lockouts.py)."""
        from shared.accounts.lockouts import login_error

        return login_error(self.request, super().get_invalid_login_error())


def _validate_new(password: str, user: object | None) -> None:
    from django.contrib.auth.password_validation import validate_password

    validate_password(password, user)


class NewPasswordMixin:
    """The new password, typed twice, checked by the validators (等保 complexity)."""

    user_for_validation: object | None = None

    def clean_new_password2(self):  # type: ignore[no-untyped-def]
        one = self.cleaned_data.get("new_password1")  # type: ignore[attr-defined]
        two = self.cleaned_data.get("new_password2")  # type: ignore[attr-defined]
        if one and two and one != two:
            raise forms.ValidationError("两次输入的新密码不一致。")
        if one and two:
            try:
                _validate_new(two, self.user_for_validation)
            except forms.ValidationError as exc:
                self.add_error("new_password1", exc)  # type: ignore[attr-defined]
        return two


def _password(label: str, autocomplete: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
        error_messages={"required": f"请填写{label.rstrip('：')}。"},
    )


class PasswordChangeForm(NewPasswordMixin, forms.Form):
    """修改密码: the current password, the new one twice."""

    old_password = _password("当前密码", "current-password")
    new_password1 = _password("新密码", "new-password")
    new_password2 = _password("再次输入新密码", "new-password")

    def __init__(self, user, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.user = self.user_for_validation = user
        self.fields[
            "new_password1"
        ].help_text = (
            "至少 10 位，包含小写字母、大写字母、数字、符号中的 3 类，不要与用户名或姓名相近。"
        )

    def clean_old_password(self) -> str:
        old = self.cleaned_data["old_password"]
        if not self.user.check_password(old):
            raise forms.ValidationError("当前密码不正确，请重新输入。")
        return old

    def clean(self):  # type: ignore[no-untyped-def]
        cleaned = super().clean()
        old, new = cleaned.get("old_password"), cleaned.get("new_password1")
        if old and new and old == new and not {"new_password1", "new_password2"} & set(self.errors):
            self.add_error("new_password1", "新密码不能与当前密码相同。")
        return cleaned


class ResetRequestForm(forms.Form):
    """忘记密码, step 1: the login name and the phone on the member record."""

    username = forms.CharField(
        label="用户名", max_length=64, error_messages={"required": "请填写用户名。"}
    )
    phone = forms.CharField(
        label="手机号",
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        error_messages={"required": "请填写手机号。"},
        help_text="党员信息中登记的手机号。",
    )

    def clean_phone(self) -> str:
        from zhdj.pii.crypto import normalize_phone

        phone = self.cleaned_data["phone"]
        if len(normalize_phone(phone)) != 11:
            raise forms.ValidationError("请填写 11 位手机号。")
        return phone


class ResetCodeForm(NewPasswordMixin, forms.Form):
    """忘记密码, step 2: the SMS code and the new password twice."""

    code = forms.CharField(
        label="短信验证码",
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
        error_messages={
            "required": "请填写短信验证码。",
            "min_length": "短信验证码是 6 位数字。",
            "max_length": "短信验证码是 6 位数字。",
        },
    )
    new_password1 = _password("新密码", "new-password")
    new_password2 = _password("再次输入新密码", "new-password")

    def __init__(self, *args, user=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.user_for_validation = user
        self.fields[
            "new_password1"
        ].help_text = "至少 10 位，包含小写字母、大写字母、数字、符号中的 3 类。"

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise forms.ValidationError("短信验证码是 6 位数字。")
        return code


class PublicUserForm(forms.Form):
    """A new city or ops account (市级账号)."""

    username = forms.CharField(
        label="用户名",
        max_length=64,
        help_text="登录用的名字：字母、数字或 @ . + - _，不能有空格。",
        error_messages={"required": "请填写用户名。"},
    )
    full_name = forms.CharField(
        label="姓名", max_length=64, error_messages={"required": "请填写姓名。"}
    )
    role = forms.ChoiceField(label="角色", error_messages={"required": "请选择角色。"})
    manages_accounts = forms.BooleanField(
        label="账号管理员", required=False, help_text="可以管理市委组织部账号（仅运维人员可指定）。"
    )
    password_mode = forms.ChoiceField(
        label="初始密码",
        choices=[("random", "系统生成，创建后显示一次"), ("typed", "由我设置")],
        initial="random",
        widget=forms.RadioSelect,
    )
    password = forms.CharField(
        label="设置初始密码",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="选择“由我设置”时填写；用户首次登录时须修改。",
    )

    def __init__(self, *args, roles=(), may_flag=False, **kwargs):  # type: ignore[no-untyped-def]
        from shared.accounts.models import User

        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r, User.Role(r).label) for r in roles]
        if len(roles) == 1:
            self.fields["role"].initial = roles[0]
        if not may_flag:
            del self.fields["manages_accounts"]

    def clean_username(self) -> str:
        from django.contrib.auth.validators import UnicodeUsernameValidator

        username = self.cleaned_data["username"].strip()
        if " " in username:
            raise forms.ValidationError("用户名不能有空格。")
        try:
            UnicodeUsernameValidator()(username)
        except forms.ValidationError:
            raise forms.ValidationError("用户名只能包含字母、数字和 @ . + - _。") from None
        return username

    def clean(self):  # type: ignore[no-untyped-def]
        cleaned = super().clean()
        if cleaned.get("password_mode") == "typed":
            password = cleaned.get("password") or ""
            if not password:
                self.add_error("password", "请填写初始密码。")
            else:
                from shared.accounts.models import User

                probe = User(
                    username=cleaned.get("username", ""), full_name=cleaned.get("full_name", "")
                )
                try:
                    _validate_new(password, probe)
                except forms.ValidationError as exc:
                    self.add_error("password", exc)
        else:
            cleaned["password"] = ""
        return cleaned


class PublicUserActionForm(forms.Form):
    """Reset or disable/enable one city or ops account (the id is posted, not in the URL)."""

    user = forms.IntegerField(widget=forms.HiddenInput)
    action = forms.ChoiceField(
        choices=[("reset", "重置密码"), ("disable", "停用"), ("enable", "启用")],
        widget=forms.HiddenInput,
    )
