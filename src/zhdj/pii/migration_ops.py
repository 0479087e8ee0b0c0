"""Data migrations that encrypt values and files stored in clear before they were encrypted.

``encrypt_columns(app, model, columns)`` gives a ``RunPython`` that, in the county schema
being migrated, turns every non-empty value of ``columns`` that is not yet a token into one
(under the county's key and the current master-key version), and back on reverse.
``encrypt_files(app, model, field)`` seals the files of a ``FileField`` on disk the same way.
Both read and write raw SQL (the historical model's encrypted field would try to decrypt the
clear values), are idempotent and run after the ``AlterField`` that makes the column ``text``.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def _county_table(apps: Any, schema_editor: Any, app: str, model: str) -> tuple[Any, Any, str]:
    """(connection, quote_name, the model's quoted table); connection is None in public,
    where there is nothing to rewrite (the county tables live in county schemas)."""
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    if connection.schema_name == "public":
        return None, quote, ""
    return connection, quote, quote(apps.get_model(app, model)._meta.db_table)


def _rewrite_columns(
    apps: Any, schema_editor: Any, app: str, model: str, *, columns: list[str], forward: bool
) -> None:
    from zhdj.pii.crypto import decrypt, encrypt, schema_of, token_version

    connection, quote, table = _county_table(apps, schema_editor, app, model)
    if connection is None:
        return
    cols = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {cols} FROM {table}")  # noqa: S608 — model identifiers
        rows = cursor.fetchall()
    key: str | None = None
    updates = []
    for pk, *values in rows:
        changed = {}
        for column, value in zip(columns, values, strict=True):
            if not value:
                continue
            is_token = token_version(value) is not None
            if forward and not is_token:
                key = key or schema_of(connection=connection)
                changed[column] = encrypt(value, schema=key)
            elif not forward and is_token:
                key = key or schema_of(connection=connection)
                changed[column] = decrypt(value, schema=key)
        if changed:
            updates.append((pk, changed))
    with connection.cursor() as cursor:
        for pk, changed in updates:
            assignments = ", ".join(f"{quote(c)} = %s" for c in changed)
            cursor.execute(
                f"UPDATE {table} SET {assignments} WHERE id = %s",  # noqa: S608
                [*changed.values(), pk],
            )


def encrypt_columns(app: str, model: str, columns: list[str]) -> migrations.RunPython:
    def forward(apps: Any, schema_editor: Any) -> None:
        _rewrite_columns(apps, schema_editor, app, model, columns=columns, forward=True)

    def backward(apps: Any, schema_editor: Any) -> None:
        _rewrite_columns(apps, schema_editor, app, model, columns=columns, forward=False)

    return migrations.RunPython(forward, backward, elidable=False)


def _rewrite_files(
    apps: Any, schema_editor: Any, app: str, model: str, *, field: str, fwd: bool
) -> None:
    from zhdj.pii.storage import encrypted_storage

    connection, quote, table = _county_table(apps, schema_editor, app, model)
    if connection is None:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT {quote(field)} FROM {table}")  # noqa: S608
        names = [name for (name,) in cursor.fetchall() if name]
    storage = encrypted_storage()
    for name in names:
        if not storage.exists(name):
            continue  # a file already lost stays lost; nothing to seal
        if fwd:
            storage.reseal(name)
        else:
            storage.unseal(name)


def encrypt_files(app: str, model: str, field: str) -> migrations.RunPython:
    def forward(apps: Any, schema_editor: Any) -> None:
        _rewrite_files(apps, schema_editor, app, model, field=field, fwd=True)

    def backward(apps: Any, schema_editor: Any) -> None:
        _rewrite_files(apps, schema_editor, app, model, field=field, fwd=False)

    return migrations.RunPython(forward, backward, elidable=False)
