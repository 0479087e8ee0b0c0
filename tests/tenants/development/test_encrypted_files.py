"""Development documents are ciphertext on disk (issue 17), yet download as they were
uploaded; the migration seals files stored in clear before, and can unseal them again."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

from django.apps import apps as django_apps
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from shared.accounts.models import SecurityEvent
from tenants.development.models import StepDocument, Submission
from tenants.development.steps import add_months
from tests.conftest import logged_in
from tests.tenants.development.path import PDF, World, walk
from zhdj.pii.crypto import DecryptionError, decrypt_bytes, is_encrypted_file
from zhdj.pii.migration_ops import _rewrite_columns, _rewrite_files
from zhdj.pii.storage import encrypted_storage


def _disk(name: str) -> bytes:
    """The bytes in the file on disk, read without any storage."""
    return Path(storages["default"].path(name)).read_bytes()


def _download(alpha, doc_id: int) -> bytes:  # type: ignore[no-untyped-def]
    connection.set_schema_to_public()
    response = logged_in(alpha.host, "branchsec").get(f"/development/documents/{doc_id}/")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_uploaded_documents_are_ciphertext_on_disk_yet_download_whole(w: World, alpha):
    record, _ = walk(w, start=add_months(timezone.localdate(), -6), until=2)
    doc = StepDocument.objects.filter(entry__record=record).order_by("id").first()
    raw = _disk(doc.file.name)
    assert raw.startswith(b"ZHDJF2") and b"%PDF" not in raw
    assert len(raw) == len(PDF) + 36  # magic, version, cipher, nonce and tag
    assert encrypted_storage().size(doc.file.name) == len(PDF) == doc.size
    with doc.file.open("rb") as handle:
        assert handle.read() == PDF
    # Under another county's key the bytes are nothing.
    try:
        decrypt_bytes(raw, schema="another county")
    except DecryptionError:
        pass
    else:  # pragma: no cover
        raise AssertionError("another key opened the file")
    assert _download(alpha, doc.pk) == PDF
    # Opening a person's document is an access to personal data, and logged as one.
    with schema_context(alpha.schema):
        event = SecurityEvent.objects.filter(kind="reveal").order_by("-id").first()
    assert event.username == "branchsec" and event.target == f"入党材料（编号 {doc.pk}）"


def test_the_migration_seals_clear_files_and_texts_and_reverses(w: World, alpha):
    record, _ = walk(w, start=add_months(timezone.localdate(), -6), until=2)
    doc = StepDocument.objects.filter(entry__record=record).order_by("id").first()
    # A file stored before encryption: clear bytes under the document's name.
    storage = encrypted_storage()
    storage.inner.delete(doc.file.name)
    storage.inner.save(doc.file.name, ContentFile(PDF))
    assert _disk(doc.file.name) == PDF
    with doc.file.open("rb") as handle:  # read as it is until the migration seals it
        assert handle.read() == PDF

    editor = SimpleNamespace(connection=connection)
    for forward in (True, True):  # idempotent
        _rewrite_files(
            django_apps, editor, "development", "StepDocument", field="file", fwd=forward
        )
        assert is_encrypted_file(_disk(doc.file.name))
    with doc.file.open("rb") as handle:
        assert handle.read() == PDF

    _rewrite_files(django_apps, editor, "development", "StepDocument", field="file", fwd=False)
    assert _disk(doc.file.name) == PDF


def test_typed_submissions_are_stored_encrypted(w: World, alpha):
    from shared.accounts.models import User
    from shared.accounts.services import user_create
    from tenants.access.scope import scope_for
    from tenants.development.services import development_record_link_user
    from tenants.development.submissions import submission_create
    from tests.support.world import PASSWORD

    record, _ = walk(w, start=add_months(timezone.localdate(), -8), until=3)
    user = user_create(
        username="applicant_e", full_name=record.name, password=PASSWORD, role=User.Role.APPLICANT
    )
    development_record_link_user(scope=w.branch_scope, record=record, user=user)
    report = submission_create(
        scope=scope_for(user),
        record=record,
        kind="思想汇报",
        actor=user,
        title="思想汇报",
        text="敬爱的党组织：我的家庭困难已经解决。",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT text, file FROM development_submission WHERE id = %s", [report.pk])
        text, name = cursor.fetchone()
    assert text.startswith("v1a:") and "困难" not in text
    assert is_encrypted_file(_disk(name))
    assert Submission.objects.get(pk=report.pk).text == "敬爱的党组织：我的家庭困难已经解决。"

    # A text stored in clear before the migration is encrypted by it.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE development_submission SET text = 'clear' WHERE id = %s", [report.pk]
        )
    editor = SimpleNamespace(connection=connection)
    _rewrite_columns(
        django_apps, editor, "development", "Submission", columns=["text"], forward=True
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM development_submission WHERE id = %s", [report.pk])
        assert cursor.fetchone()[0].startswith("v1a:")
    assert Submission.objects.get(pk=report.pk).text == "clear"


def test_key_rotation_reseals_the_files_under_the_new_version(w: World, alpha, settings):
    from io import StringIO

    from django.core.management import call_command

    record, _ = walk(w, start=add_months(timezone.localdate(), -6), until=2)
    docs = StepDocument.objects.filter(entry__record=record)
    names = sorted(set(docs.values_list("file", flat=True)))
    assert names and all(_disk(name)[6] == 1 for name in names)  # key version 1
    settings.ZHDJ_MASTER_KEYS = f"2:{'22' * 32},1:{'11' * 32}"
    out = StringIO()
    call_command("rotate_pii_keys", schema=alpha.schema, stdout=out)
    connection.set_schema(alpha.schema)
    files = int(re.search(r"重新加密 (\d+) 个文件", out.getvalue()).group(1))
    assert files >= len(names)
    assert all(_disk(name)[:7] == b"ZHDJF2\x02" for name in names)
    settings.ZHDJ_MASTER_KEY = ""
    settings.ZHDJ_MASTER_KEYS = f"2:{'22' * 32}"  # version 1 retired
    doc = StepDocument.objects.filter(file=names[0]).first()
    assert _download(alpha, doc.pk) == PDF
