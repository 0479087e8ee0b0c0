"""County archives: backup, restore as a new county (personal data readable under another
schema name), restore into the same county, and every refusal that changes nothing.

pg_dump and psql run in their own sessions, so these tests write for real (``committed``)
and remove the counties they make."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_context, schema_exists

from shared.customers.backup.archive import archives_list, county_backup, latest_archive_at
from shared.customers.backup.digest import table_digests
from shared.customers.backup.errors import BackupError
from shared.customers.backup.keys import default_identities
from shared.customers.backup.restore import NewCounty, county_restore, renamed
from shared.customers.models import Domain, Tenant
from shared.customers.services import (
    OnboardingRequest,
    tenant_onboard,
    tenant_resume,
    tenant_suspend,
)
from tests.support.world import PASSWORD, County, _populate

SOURCE = County("bk_source", "佳县", "610828", "bksource.localhost")
COPY = NewCounty(
    schema_name="bk_copy", name="吴堡县", domain="bkcopy.localhost", region_code="610829"
)


def _drop(schema: str) -> None:
    from shared.cityorg.models import CityOrganization

    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname = %s OR nspname LIKE %s",
            [schema, schema + r"\_r%"],
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP SCHEMA "{name}" CASCADE')
    tenant = Tenant.objects.filter(schema_name=schema).first()
    if tenant is not None:
        Domain.objects.filter(tenant=tenant).delete()
        CityOrganization.objects.filter(tenant=tenant).delete()
        tenant.delete()
    for path in Path(settings.MEDIA_ROOT).glob(f"{schema}*"):
        shutil.rmtree(path, ignore_errors=True)
    shutil.rmtree(Path(settings.ZHDJ_BACKUP_DIR) / schema, ignore_errors=True)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """A county with members (personal data encrypted) and an uploaded file, made once."""
    with django_db_blocker.unblock():
        yield from _made()
        connection.set_schema_to_public()


@pytest.fixture
def source(world, committed):  # type: ignore[no-untyped-def]
    tenant = Tenant.objects.get(pk=world.pk)
    yield tenant
    connection.set_schema_to_public()
    _drop(COPY.schema_name)
    if tenant.status != Tenant.Status.ACTIVE:
        tenant_resume(tenant=Tenant.objects.get(pk=tenant.pk))


def _made():  # type: ignore[no-untyped-def]
    for schema in (SOURCE.schema, COPY.schema_name):
        _drop(schema)
    result = tenant_onboard(
        OnboardingRequest(
            name=SOURCE.name,
            region_code=SOURCE.region_code,
            schema_name=SOURCE.schema,
            domain=SOURCE.host,
            admin_username="admin",
            admin_full_name="佳县管理员",
            admin_password=PASSWORD,
        )
    )
    with schema_context(SOURCE.schema):
        _populate(SOURCE)
    folder = Path(settings.MEDIA_ROOT) / SOURCE.schema / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "proof.bin").write_bytes(b"ZHDJF2 stored as uploaded")
    yield result.tenant
    connection.set_schema_to_public()
    for schema in (SOURCE.schema, COPY.schema_name):
        _drop(schema)


def _people(schema: str) -> list[tuple[str, str, str]]:
    from tenants.members.models import Member

    with schema_context(schema):
        return sorted((m.name, m.id_number, m.phone) for m in Member.objects.all())


def _schemas() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace")
        return {row[0] for row in cursor.fetchall()}


def _digests(schema: str) -> dict:
    with connection.cursor() as cursor:
        return table_digests(cursor, schema)


def test_a_county_restored_under_another_name_reads_its_personal_data(source):
    archive = county_backup(source)
    assert archive.path.exists() and archive.path.stat().st_mode & 0o777 == 0o600
    assert archive.path.read_bytes().startswith(b"age-encryption.org/v1\n") is not False
    assert b"bk_source" not in archive.path.read_bytes()[200:]  # encrypted, not a tar
    assert archive.manifest["tables"]["members_member"]["rows"] == 4
    assert [a["path"] for a in archives_list(SOURCE.schema)] == [archive.path]
    assert latest_archive_at(source) is not None

    result = county_restore(archive.path, identities=default_identities(), new=COPY)

    assert result.tenant.schema_name == COPY.schema_name and result.tables > 50
    # Not in service (nor on the city dashboard) until ops has checked it.
    assert result.tenant.status == Tenant.Status.SUSPENDED
    assert result.rows == archive.rows and result.files == 1
    # Equal table by table, but for the county's root, now linked to its own city node
    # (and the history row of that change).
    linked = {"orgs_organization", "orgs_organizationchange", "orgs_organizationevent"}
    copied, original = _digests(COPY.schema_name), _digests(SOURCE.schema)
    assert original == archive.manifest["tables"]
    assert {k: v for k, v in copied.items() if k not in linked} == {
        k: v for k, v in original.items() if k not in linked
    }
    people = _people(COPY.schema_name)
    assert people == _people(SOURCE.schema)
    assert all(len(idn) == 18 and phone.startswith("139") for _, idn, phone in people)
    copied = Path(settings.MEDIA_ROOT) / COPY.schema_name / "documents" / "proof.bin"
    assert copied.read_bytes() == b"ZHDJF2 stored as uploaded"
    assert Domain.objects.get(domain=COPY.domain).tenant == result.tenant
    from tenants.orgs.models import Organization

    with schema_context(COPY.schema_name):
        root = Organization.objects.get_root_nodes().get()
    assert root.city_org_id == result.tenant.city_organization.pk


def test_restoring_into_the_same_county_brings_back_yesterday_and_keeps_today_aside(source):
    from tenants.members.models import Member

    archive = county_backup(source)
    before = _people(SOURCE.schema)
    with schema_context(SOURCE.schema):
        Member.objects.filter(name="赵其他").update(name="改过的名字")
    with pytest.raises(BackupError, match="请先暂停"):
        county_restore(archive.path, identities=default_identities(), into=source)
    tenant_suspend(tenant=source, reason="恢复备份")

    result = county_restore(archive.path, identities=default_identities(), into=source)

    assert _people(SOURCE.schema) == before
    assert result.aside_schema.startswith(f"{SOURCE.schema}_r")
    with schema_context(result.aside_schema):
        assert Member.objects.filter(name="改过的名字").exists()  # kept for comparison
    assert _digests(SOURCE.schema) == archive.manifest["tables"]


def test_a_tampered_archive_or_a_wrong_identity_changes_nothing(source, tmp_path):
    import pyrage

    archive = county_backup(source)
    stranger = pyrage.x25519.Identity.generate()
    with pytest.raises(BackupError, match="无法解密"):
        county_restore(archive.path, identities=[stranger], new=COPY)
    broken = tmp_path / "broken.zhdj.age"
    data = bytearray(archive.path.read_bytes())
    data[-100] ^= 0xFF
    broken.write_bytes(bytes(data))
    with pytest.raises(BackupError, match="无法解密"):
        county_restore(broken, identities=default_identities(), new=COPY)
    assert not schema_exists(COPY.schema_name)
    assert not Tenant.objects.filter(schema_name=COPY.schema_name).exists()


def test_a_checksum_difference_rolls_the_whole_restore_back(source, monkeypatch):
    from shared.customers.backup import restore

    archive = county_backup(source)
    real = restore.check_sql

    def lying(schema, digests):  # type: ignore[no-untyped-def]
        altered = json.loads(json.dumps(digests))
        altered["members_member"]["rows"] += 1
        return real(schema, altered)

    monkeypatch.setattr(restore, "check_sql", lying)
    tenant_suspend(tenant=source, reason="恢复备份")
    schemas = _schemas()
    with pytest.raises(BackupError, match=r"核对不一致.*members_member"):
        county_restore(archive.path, identities=default_identities(), into=source)
    assert _schemas() == schemas  # the rename aside rolled back too
    assert _digests(SOURCE.schema) == archive.manifest["tables"]


def test_a_platform_with_other_master_keys_is_refused_before_anything(source, settings):
    archive = county_backup(source)
    settings.ZHDJ_MASTER_KEY = "22" * 32
    with pytest.raises(BackupError, match="主密钥"):
        county_restore(archive.path, identities=default_identities(), new=COPY)
    assert not schema_exists(COPY.schema_name)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"schema_name": "alpha"}, "已被"),
        ({"domain": "alpha.localhost"}, "已被使用"),
        ({"name": "榆阳区"}, "已被其他区县使用"),
        ({"schema_name": "Bad-Name"}, "标识只能"),
    ],
)
def test_a_new_county_that_clashes_is_refused_by_field(source, change, message):
    from dataclasses import replace

    archive = county_backup(source)
    with pytest.raises(BackupError, match=message):
        county_restore(archive.path, identities=default_identities(), new=replace(COPY, **change))


def test_schema_names_are_renamed_in_statements_never_in_data():
    lines = [
        "CREATE SCHEMA bk_source;\n",
        "CREATE TABLE bk_source.members_member (id bigint);\n",
        "CREATE FUNCTION bk_source.f() RETURNS trigger AS $$ INSERT INTO bk_source.t $$;\n",
        "COPY bk_source.members_member (id, note) FROM stdin;\n",
        "1\tbk_source.members_member is data\n",
        "\\.\n",
        "ALTER TABLE ONLY bk_source.members_member ADD CONSTRAINT x;\n",
    ]
    out = list(renamed(iter(lines), "bk_source", "bk_copy"))
    assert out[0] == "CREATE SCHEMA bk_copy;\n"
    assert out[2] == "CREATE FUNCTION bk_copy.f() RETURNS trigger AS $$ INSERT INTO bk_copy.t $$;\n"
    assert out[4] == lines[4]
    assert out[6] == "ALTER TABLE ONLY bk_copy.members_member ADD CONSTRAINT x;\n"


def test_the_commands_back_up_and_restore_and_refuse_in_chinese(source, capsys):
    from django.core.management import CommandError, call_command

    call_command("county_backup", "--schema", SOURCE.schema)
    written = capsys.readouterr().out
    assert "佳县（bk_source）" in written and "张表" in written
    path = archives_list(SOURCE.schema)[0]["path"]
    call_command(
        "county_restore", str(path), "--new-schema", COPY.schema_name,
        "--name", COPY.name, "--domain", COPY.domain,
    )  # fmt: skip
    assert "逐表核对一致" in capsys.readouterr().out
    assert _people(COPY.schema_name) == _people(SOURCE.schema)
    with pytest.raises(CommandError, match="请先暂停佳县"):
        call_command("county_restore", str(path), "--into", SOURCE.schema)
    with pytest.raises(CommandError, match="没有标识为“nowhere”的在用区县"):
        call_command("county_backup", "--schema", "nowhere")


def test_nightly_archives_keep_the_newest_and_the_retention(source, settings):
    from datetime import UTC, datetime, timedelta

    from shared.customers.backup.tasks import archive_county, archives_prune

    settings.ZHDJ_BACKUP_KEEP_DAYS = 14
    first = Path(archive_county(SOURCE.schema))
    second = Path(archive_county(SOURCE.schema))
    handover = county_backup(source, purpose="handover").path
    later = datetime.now(UTC) + timedelta(days=15)
    removed = archives_prune(SOURCE.schema, now=later)
    kept = {item["path"] for item in archives_list(SOURCE.schema)}
    assert handover in kept and first not in kept and removed
    assert kept == {handover, second}  # the newest nightly archive stays


def test_a_handover_export_carries_the_keys_that_read_its_personal_data(source):
    import base64
    import io
    import tarfile

    import pyrage
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    receiver = pyrage.x25519.Identity.generate()
    archive = county_backup(source, purpose="handover", recipients=(str(receiver.to_public()),))
    assert not (archive.path.parent / "keys.json").exists()
    with tarfile.open(
        fileobj=io.BytesIO(pyrage.decrypt(archive.path.read_bytes(), [receiver]))
    ) as tar:
        keys = json.loads(tar.extractfile("keys.json").read())
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT id_number FROM "{SOURCE.schema}".members_member ORDER BY id LIMIT 1'
        )
        token = cursor.fetchone()[0]
    version, body = token[1:].split(":", 1)
    assert version.endswith("a")  # AES-256-GCM
    blob = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    key = bytes.fromhex(keys["versions"][version[:-1]]["enc"])
    plain = AESGCM(key).decrypt(blob[:12], blob[12:], None).decode()
    assert plain in {idn for _, idn, _ in _people(SOURCE.schema)}
    nightly = county_backup(source)
    with tarfile.open(
        fileobj=io.BytesIO(pyrage.decrypt(nightly.path.read_bytes(), default_identities()))
    ) as tar:
        assert "keys.json" not in tar.getnames()  # a backup never carries keys


def test_an_offboarding_is_undone_by_restoring_the_county_into_its_own_row(source):
    from shared.customers.lifecycle import tenant_offboard

    archive = county_backup(source)
    tenant_suspend(tenant=source, reason="撤并")
    tenant_offboard(
        tenant=Tenant.objects.get(pk=source.pk), confirm_name="佳县", backup_confirmed=False
    )
    assert not schema_exists(SOURCE.schema)
    gone = Tenant.objects.get(pk=source.pk)

    result = county_restore(archive.path, identities=default_identities(), into=gone)

    back = Tenant.objects.get(pk=source.pk)
    assert back.status == Tenant.Status.SUSPENDED and result.tenant.pk == back.pk
    assert list(back.domains.values_list("domain", "is_primary")) == [(SOURCE.host, True)]
    assert _digests(SOURCE.schema) == archive.manifest["tables"]
    assert len(_people(SOURCE.schema)) == 4
