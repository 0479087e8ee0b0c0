"""The upload form: shape of the file only; the rows are checked by validate.py."""

from __future__ import annotations

from django import forms

MAX_UPLOAD_BYTES = 30 * 1024 * 1024


class MemberImportForm(forms.Form):
    file = forms.FileField(
        label="Excel 文件",
        help_text="请使用导入模板填写，.xlsx 格式，不超过 30 MB、10 万行。",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        if not (upload.name or "").lower().endswith(".xlsx"):
            raise forms.ValidationError("请上传 .xlsx 格式的 Excel 文件（可先下载导入模板）。")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("文件不能超过 30 MB，请拆分后分批导入。")
        return upload
