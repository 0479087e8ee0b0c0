"""Re-encrypt every county's personal data under the current master key (密钥轮换).

    manage.py rotate_pii_keys [--schema X]

Per county, in one transaction (the tables it rewrites are locked against writes meanwhile,
reads go on): every ``EncryptedTextField`` value written under an older master-key version
(or still in clear) is encrypted again under the current one (the first of
``ZHDJ_MASTER_KEYS``); every blind index column is recomputed with the current version's
``idx`` key; the county's ``key_version`` is set to the current version. Every file of an
encrypted ``FileField`` (``zhdj.pii.storage``) is sealed again under the current version
(in place, atomically per file). Audit history rows (append-only) keep the tokens they hold.

Idempotent and resumable: only what differs is written, so a county already rotated (or a
second run) reports nothing to do; an interrupted run left every county either wholly done or
untouched. Remove an old version from ``ZHDJ_MASTER_KEYS`` only after a run that reports
0 everywhere (and after pending import previews and transfer envelopes of the old key
version have been finished: they are not rotated).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django_tenants.utils import get_public_schema_name, tenant_context

from shared.customers.models import Tenant
from zhdj.pii.crypto import blind_index, current_key_version, decrypt, encrypt, token_version
from zhdj.pii.fields import NORMALIZERS, EncryptedTextField, blind_index_pairs
from zhdj.pii.storage import EncryptedStorage


@dataclass
class Counts:
    rows: int = 0  # rows of encrypted models read
    reencrypted: int = 0  # values encrypted again (older version or clear)
    indexes: int = 0  # blind index values that changed
    files: int = 0  # files sealed again
    tables: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.reencrypted or self.indexes or self.files)


def _is_history(model: type[models.Model]) -> bool:
    from pghistory.models import Event

    return issubclass(model, Event)


def _encrypted_models(tables: set[str]) -> list[tuple[type[models.Model], list[str], list[Any]]]:
    found = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table not in tables or _is_history(model):
            continue
        columns = [f.column for f in meta.concrete_fields if isinstance(f, EncryptedTextField)]
        files = [
            f
            for f in meta.concrete_fields
            if isinstance(f, models.FileField) and isinstance(f.storage, EncryptedStorage)
        ]
        if columns or files:
            found.append((model, columns, files))
    return found


def rotate_county(tenant: Tenant) -> Counts:
    """Rotate one county (the connection must be on its schema)."""
    counts = Counts()
    current = current_key_version()
    key = tenant.key_id
    quote = connection.ops.quote_name
    tables = set(connection.introspection.table_names())
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        for model, columns, files in _encrypted_models(tables):
            meta = model._meta
            table = quote(meta.db_table)
            if columns:
                with connection.cursor() as cursor:
                    cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
                counts.tables.append(meta.db_table)
                _rotate_table(model, columns, key, current, counts)
            for file_field in files:
                with connection.cursor() as cursor:
                    column = quote(file_field.column)
                    cursor.execute(
                        f"SELECT DISTINCT {column} FROM {table} WHERE {column} <> ''"  # noqa: S608
                    )
                    names = [name for (name,) in cursor.fetchall()]
                storage = file_field.storage
                for name in names:
                    if storage.exists(name) and storage.reseal(name):
                        counts.files += 1
        if locked.key_version != current:
            locked.key_version = current
            locked.save(update_fields=["key_version"])
    return counts


def _rotate_table(
    model: type[models.Model], columns: list[str], key: str, current: int, counts: Counts
) -> None:
    quote = connection.ops.quote_name
    meta = model._meta
    pairs = [
        (meta.get_field(index).column, meta.get_field(source).column, kind)
        for index, source, kind in blind_index_pairs(model)
    ]
    index_columns = [index for index, _source, _kind in pairs]
    pk = meta.pk.column
    selected = ", ".join(quote(c) for c in [pk, *columns, *index_columns])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {selected} FROM {quote(meta.db_table)}")  # noqa: S608
        rows = cursor.fetchall()
    updates: dict[tuple[str, ...], list[list[Any]]] = {}
    for row in rows:
        counts.rows += 1
        ident, values = row[0], dict(zip([*columns, *index_columns], row[1:], strict=True))
        plain: dict[str, str] = {}
        changed: dict[str, Any] = {}
        for column in columns:
            value = values[column]
            if not value:
                plain[column] = value or ""
                continue
            version = token_version(value)
            plain[column] = decrypt(value, schema=key) if version is not None else value
            if version != current:
                changed[column] = encrypt(plain[column], schema=key)
                counts.reencrypted += 1
        for index, source, kind in pairs:
            text = plain.get(source, "")
            normalize = NORMALIZERS[kind]
            fresh = (
                blind_index(text, schema=key, normalize=normalize, version=current)
                if text and normalize(text)
                else None
            )
            if fresh != values[index]:
                changed[index] = fresh
                counts.indexes += 1
        if changed:
            names = tuple(sorted(changed))
            updates.setdefault(names, []).append([*(changed[n] for n in names), ident])
    for names, params in updates.items():
        assignments = ", ".join(f"{quote(n)} = %s" for n in names)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(pk)} = %s",  # noqa: S608
                params,
            )


class Command(BaseCommand):
    help = "按当前主密钥版本重新加密各区县的个人信息并重建盲索引（可重复执行）。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--schema", help="只处理这个区县（数据库模式名）")

    def handle(self, *args: Any, schema: str | None = None, **options: Any) -> None:
        connection.set_schema_to_public()
        # An offboarded county has no schema left to rotate.
        tenants = (
            Tenant.objects.exclude(schema_name=get_public_schema_name())
            .exclude(status=Tenant.Status.OFFBOARDED)
            .order_by("schema_name")
        )
        if schema:
            tenants = tenants.filter(schema_name=schema)
            if not tenants.exists():
                raise CommandError(f"没有数据库模式为“{schema}”的区县。")
        current = current_key_version()
        self.stdout.write(f"当前主密钥版本：{current}")
        total = Counts()
        for tenant in tenants:
            with tenant_context(tenant):
                counts = rotate_county(tenant)
            connection.set_schema_to_public()
            total.rows += counts.rows
            total.reencrypted += counts.reencrypted
            total.indexes += counts.indexes
            total.files += counts.files
            state = "已轮换" if counts else "无需处理"
            self.stdout.write(
                f"{tenant.name}（{tenant.schema_name}）：{state}；读取 {counts.rows} 行，"
                f"重新加密 {counts.reencrypted} 个值，重建 {counts.indexes} 个索引，"
                f"重新加密 {counts.files} 个文件"
            )
        self.stdout.write(
            f"合计：重新加密 {total.reencrypted} 个值，重建 {total.indexes} 个索引，"
            f"重新加密 {total.files} 个文件"
        )
