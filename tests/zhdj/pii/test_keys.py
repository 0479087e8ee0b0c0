"""Key identities stored with the tenant, versioned master keys and their rotation, the
cipher chosen from the environment (issue 17, personal data item 3)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django_tenants.utils import schema_context

from shared.customers.models import Tenant
from tenants.members.models import Member
from zhdj.pii import crypto
from zhdj.pii.crypto import (
    DecryptionError,
    TenantRequiredError,
    check_cipher_setting,
    current_key_version,
    decrypt,
    encrypt,
    forget_tenant_keys,
    master_keys,
    schema_of,
)
from zhdj.pii.fields import index_for

ROOT = Path(__file__).resolve().parents[3]
V1 = "11" * 32  # the test settings' ZHDJ_MASTER_KEY
V2 = "22" * 32


@pytest.fixture(autouse=True)
def _fresh_key_cache():  # type: ignore[no-untyped-def]
    forget_tenant_keys()
    yield
    forget_tenant_keys()


def _raw(schema: str, table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{schema}"."{table}" WHERE id = %s', [pk])
        return cursor.fetchone()[0]


# ------------------------------------------------------------------------------
# Key identity
# ------------------------------------------------------------------------------
def test_a_new_county_gets_a_random_key_id_not_its_schema_name(db, alpha, beta):
    ids = dict(Tenant.objects.values_list("schema_name", "key_id"))
    assert re.fullmatch(r"[0-9a-f]{32}", ids[alpha.schema])
    assert ids[alpha.schema] not in (alpha.schema, ids[beta.schema])
    with schema_context(alpha.schema):
        assert schema_of() == ids[alpha.schema]


def test_existing_counties_keep_their_schema_name_as_key_id(db):
    """Migration customers 0002: the counties older than key ids derive their keys from the
    schema name, as before, so no stored token needs re-encryption."""
    from importlib import import_module

    migration = import_module("shared.customers.migrations.0002_tenant_key_id")
    migration.keep_schema_names(django_apps, None)
    for schema_name, key_id, version in Tenant.objects.values_list(
        "schema_name", "key_id", "key_version"
    ):
        assert key_id == schema_name and version == 1


def test_the_request_tenant_object_gives_the_key_without_a_query(db, alpha):
    tenant = Tenant.objects.get(schema_name=alpha.schema)
    connection.set_tenant(tenant)
    try:
        forget_tenant_keys()
        with django_assert_no_queries():
            assert schema_of() == tenant.key_id
    finally:
        connection.set_schema_to_public()


class django_assert_no_queries:
    def __enter__(self) -> None:
        from django.test.utils import CaptureQueriesContext

        self._ctx = CaptureQueriesContext(connection)
        self._ctx.__enter__()

    def __exit__(self, *exc: object) -> None:
        self._ctx.__exit__(*exc)
        assert not self._ctx.captured_queries, self._ctx.captured_queries


def test_an_unregistered_schema_fails_closed(db):
    connection.set_schema("nowhere")
    try:
        with pytest.raises(TenantRequiredError):
            encrypt("x")
    finally:
        connection.set_schema_to_public()


def _copy_members_to(schema: str, source: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{schema}"')
        cursor.execute(f'CREATE TABLE "{schema}".members_member AS TABLE "{source}".members_member')


def test_a_county_restored_under_another_schema_name_reads_its_data(db, alpha):
    """The rows copied into a schema of another name stay readable when its tenant row
    carries the same key id; under another key id they are not."""
    original = Tenant.objects.get(schema_name=alpha.schema)
    with schema_context(alpha.schema):
        expected = dict(Member.objects.values_list("id", "id_number"))
    assert expected
    _copy_members_to("restored_alpha", alpha.schema)
    restored = Tenant.objects.create(
        schema_name="restored_alpha",
        name="榆阳区（恢复）",
        status=Tenant.Status.SUSPENDED,
        key_id=original.key_id,
    )
    with schema_context("restored_alpha"):
        assert dict(Member.objects.values_list("id", "id_number")) == expected
        member = Member.objects.only("id", "id_number", "id_number_index").first()
        assert member.id_number_index == index_for("id_number", member.id_number)

    restored.key_id = crypto.new_key_id()
    restored.save(update_fields=["key_id"])  # the signal drops the cached identity
    with schema_context("restored_alpha"), pytest.raises(DecryptionError):
        list(Member.objects.values_list("id_number", flat=True))


# ------------------------------------------------------------------------------
# Versioned master keys
# ------------------------------------------------------------------------------
def test_master_keys_are_listed_by_version_current_first(settings):
    settings.ZHDJ_MASTER_KEY = ""
    settings.ZHDJ_MASTER_KEYS = f"2:{V2}, 1:{V1}"
    keys = master_keys()
    assert keys.current == 2 and sorted(keys.keys) == [1, 2]
    token = encrypt("13912345678", schema="k")
    assert token.startswith("v2a:")
    assert decrypt(token, schema="k") == "13912345678"


def test_the_single_master_key_stays_version_1(settings):
    old = encrypt("13912345678", schema="k")
    assert old.startswith("v1a:")
    settings.ZHDJ_MASTER_KEYS = f"2:{V2}"  # ZHDJ_MASTER_KEY (V1) is still set: version 1
    assert current_key_version() == 2
    assert decrypt(old, schema="k") == "13912345678"
    settings.ZHDJ_MASTER_KEY = ""  # version 1 gone: its tokens can no longer be read
    with pytest.raises(DecryptionError):
        decrypt(old, schema="k")


@pytest.mark.parametrize(
    ("listed", "single", "message"),
    [
        (f"2:{V2},2:{V1}", "", "twice"),
        (f"x:{V2}", "", "version"),
        (f"{V2}", "", "version"),
        ("2:abcd", "", "64 hexadecimal characters"),
        (f"1:{V2}", V1, "differ"),
        ("", "", "not set"),
    ],
)
def test_malformed_master_keys_are_refused_without_echoing_them(settings, listed, single, message):
    settings.ZHDJ_MASTER_KEYS, settings.ZHDJ_MASTER_KEY = listed, single
    with pytest.raises(ImproperlyConfigured, match=message) as excinfo:
        encrypt("x", schema="k")
    assert V1 not in str(excinfo.value) and V2 not in str(excinfo.value)


def test_files_carry_their_key_version(settings):
    settings.ZHDJ_MASTER_KEYS = f"2:{V2},1:{V1}"
    sealed = crypto.encrypt_bytes(b"%PDF-1.4 x", schema="k")
    assert sealed.startswith(b"ZHDJF2\x02") and crypto.file_version(sealed) == 2
    assert crypto.decrypt_bytes(sealed, schema="k") == b"%PDF-1.4 x"


# ------------------------------------------------------------------------------
# Rotation
# ------------------------------------------------------------------------------
def _encrypted_values(schema: str) -> int:
    """Non-empty values of every encrypted column of the county's ordinary tables."""
    from shared.customers.management.commands.rotate_pii_keys import _encrypted_models

    total = 0
    with schema_context(schema):
        tables = set(connection.introspection.table_names())
        with connection.cursor() as cursor:
            for model, columns, _files in _encrypted_models(tables):
                for column in columns:
                    cursor.execute(
                        f'SELECT count(*) FROM "{model._meta.db_table}" '
                        f'WHERE "{column}" IS NOT NULL AND "{column}" <> \'\''
                    )
                    total += cursor.fetchone()[0]
    return total


def _v1_tokens(schema: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = %s AND data_type IN ('text', 'character varying')"
            " AND table_name NOT LIKE '%%event'",
            [schema],
        )
        columns = cursor.fetchall()
        found = []
        for table, column in columns:
            cursor.execute(
                f'SELECT count(*) FROM "{schema}"."{table}" WHERE "{column}" ~ \'^v1[as]:\''
            )
            if cursor.fetchone()[0]:
                found.append(f"{table}.{column}")
    return found


def _rotate(**options: object) -> str:
    out = StringIO()
    call_command("rotate_pii_keys", stdout=out, **options)
    return out.getvalue()


def test_rotation_round_trip_with_counts(db, settings, alpha, beta):
    with schema_context(alpha.schema):
        member = Member.objects.exclude(phone_index=None).order_by("id").first()
        before = (member.id_number, member.phone, member.id_number_index, member.phone_index)
    values = _encrypted_values(alpha.schema)
    with schema_context(alpha.schema):
        indexes = Member.objects.count() + Member.objects.exclude(phone_index=None).count()
        indexes += _person_indexes()

    settings.ZHDJ_MASTER_KEYS = f"2:{V2},1:{V1}"
    out = _rotate(schema=alpha.schema)
    assert f"重新加密 {values} 个值，重建 {indexes} 个索引" in out
    assert Tenant.objects.get(schema_name=alpha.schema).key_version == 2
    assert _raw(alpha.schema, "members_member", "id_number", member.pk).startswith("v2a:")
    # No version-1 token is left in any text column of the county's tables, whatever the
    # command's own list of models says (the append-only history tables aside).
    assert _v1_tokens(alpha.schema) == []

    # Idempotent: a second run has nothing to do.
    again = _rotate(schema=alpha.schema)
    assert (
        "无需处理" in again and "合计：重新加密 0 个值，重建 0 个索引，重新加密 0 个文件" in again
    )

    # Version 1 retired: alpha is whole and found by its new blind indexes; beta, not yet
    # rotated, is not readable any more.
    settings.ZHDJ_MASTER_KEY = ""
    settings.ZHDJ_MASTER_KEYS = f"2:{V2}"
    with schema_context(alpha.schema):
        member = Member.objects.get(pk=member.pk)
        assert (member.id_number, member.phone) == before[:2]
        assert (member.id_number_index, member.phone_index) != before[2:]
        found = Member.objects.get(id_number_index=index_for("id_number", member.id_number))
        assert found.pk == member.pk
        assert Member.objects.filter(phone_index=index_for("phone", member.phone)).exists()
    with schema_context(beta.schema), pytest.raises(DecryptionError):
        list(Member.objects.values_list("id_number", flat=True))


def _person_indexes() -> int:
    from tenants.development.models import DevelopmentRecord as Person

    return Person.objects.count() + Person.objects.exclude(phone_index=None).count()


def test_rotation_of_every_county_and_an_unknown_schema(db, settings, alpha, beta):
    settings.ZHDJ_MASTER_KEYS = f"2:{V2},1:{V1}"
    out = _rotate()
    assert alpha.schema in out and beta.schema in out
    assert set(
        Tenant.objects.filter(schema_name__in=[alpha.schema, beta.schema]).values_list(
            "key_version", flat=True
        )
    ) == {2}
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="没有数据库模式"):
        _rotate(schema="nowhere")


# ------------------------------------------------------------------------------
# The cipher from the environment
# ------------------------------------------------------------------------------
def test_cipher_setting_accepts_the_two_ciphers():
    assert check_cipher_setting("") == "aes-256-gcm"
    assert check_cipher_setting(" AES-256-GCM ") == "aes-256-gcm"
    if crypto.sm4_gcm_available():
        assert check_cipher_setting("sm4-gcm") == "sm4-gcm"
    with pytest.raises(ImproperlyConfigured, match="ZHDJ_PII_CIPHER"):
        check_cipher_setting("des")


def test_sm4_is_refused_when_openssl_lacks_it(monkeypatch):
    monkeypatch.setattr(crypto, "sm4_gcm_available", lambda: False)
    with pytest.raises(ImproperlyConfigured, match="no SM4-GCM"):
        check_cipher_setting("sm4-gcm")


def _start(cipher: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ZHDJ_PII_CIPHER": cipher, "DJANGO_SETTINGS_MODULE": "zhdj.settings.test"}
    env["PYTHONPATH"] = f"{ROOT / 'src'}:{ROOT}"
    code = "import django; django.setup(); from django.conf import settings; "
    code += "print(settings.ZHDJ_PII_CIPHER)"
    return subprocess.run(
        [sys.executable, "-c", code],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_environment_chooses_the_cipher_and_a_bad_choice_refuses_to_start():
    if crypto.sm4_gcm_available():
        started = _start("sm4-gcm")
        assert started.returncode == 0 and started.stdout.strip() == "sm4-gcm"
    refused = _start("sm4")
    assert refused.returncode != 0
    assert "ZHDJ_PII_CIPHER must be 'aes-256-gcm' or 'sm4-gcm'" in refused.stderr


@pytest.mark.skipif(not crypto.sm4_gcm_available(), reason="no SM4-GCM in this OpenSSL")
def test_sm4_writes_sm4_tokens_in_a_county(db, settings, alpha):
    settings.ZHDJ_PII_CIPHER = "sm4-gcm"
    with schema_context(alpha.schema):
        member = Member.objects.order_by("id").first()
        Member.objects.filter(pk=member.pk).update(landline="0912-3456789")
        assert _raw(alpha.schema, "members_member", "landline", member.pk).startswith("v1s:")
        assert Member.objects.get(pk=member.pk).landline == "0912-3456789"
