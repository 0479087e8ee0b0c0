"""Model field for personal data encrypted at rest, and the companion blind index.

``EncryptedTextField`` stores a ``zhdj.pii.crypto`` token (AES-256-GCM or SM4-GCM under the
county's key) in a ``text`` column and gives back the plaintext when rows are loaded. The key
is the one of the county (its ``Tenant.key_id``) the *database connection* is on when the row is
written or read, so the field belongs on tenant (county) models only; on the public schema it
fails closed. With a ``max_length`` its form field is a one-line input (validated length).

Ciphertext is random, so the column cannot be searched or made unique. For exact lookup and
uniqueness keep a second, plain column with the blind index and set it in the service that
writes the value (CONVENTIONS §2: writes through services)::

    class Member(models.Model):
        id_number = EncryptedTextField("公民身份号码")
        id_number_index = BlindIndexField(null=True, unique=True)
        phone = EncryptedTextField("手机号", blank=True)
        phone_index = BlindIndexField(null=True, db_index=True)

    # services.py
    def member_set_phone(*, member: Member, phone: str) -> None:
        member.phone = phone
        member.phone_index = index_for("phone", phone)
        member.save(update_fields=["phone", "phone_index"])

    # selectors.py
    Member.objects.filter(id_number_index=index_for("id_number", typed_number))

Every write path (including ``QuerySet.update`` and ``bulk_update``) must set the index
column together with the value; nothing does it implicitly. A blind index column is named after
the field it indexes (``<field>_index``): the key rotation (``rotate_pii_keys``) finds the pairs
by that name (``blind_index_pairs``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from django.db import models

from zhdj.pii.crypto import (
    blind_index,
    decrypt,
    encrypt,
    normalize_phone,
    normalize_text,
    schema_of,
)
from zhdj.pii.idnumber import normalize_id_number

IndexKind = Literal["id_number", "phone", "text"]

NORMALIZERS: dict[str, Callable[[str], str]] = {
    # Upper-case X, no whitespace, full-width folded (GB 11643).
    "id_number": normalize_id_number,
    # Digits only, +86 / 0086 dropped.
    "phone": normalize_phone,
    # NFKC, trimmed, whitespace collapsed: names, addresses, other exact-match text.
    "text": normalize_text,
}


def index_for(
    kind: IndexKind, value: str | None, *, schema: str | None = None, version: int | None = None
) -> str | None:
    """Blind index (64 hex chars) of ``value`` normalized for ``kind``, or ``None`` if blank.

    ``None`` lets the index column be NULL for missing values, which unique constraints allow
    any number of times. The key is the connection's county's unless ``schema`` (a key
    identity) is given, under the master-key version of the county's indexes unless
    ``version`` is given (the key rotation).
    """
    try:
        normalize = NORMALIZERS[kind]
    except KeyError:
        raise ValueError(f"unknown index kind {kind!r}; use one of {sorted(NORMALIZERS)}") from None
    if value is None or not normalize(value):
        return None
    return blind_index(value, schema=schema, normalize=normalize, version=version)


def index_kind(source: str) -> IndexKind:
    """The normalizer kind of a blind index over the field ``source`` (by its name)."""
    if source.endswith("id_number"):
        return "id_number"
    if source.endswith("phone"):
        return "phone"
    return "text"


def blind_index_pairs(model: type[models.Model]) -> list[tuple[str, str, IndexKind]]:
    """``(index field, encrypted source field, kind)`` for every ``BlindIndexField`` of
    ``model``. The convention: ``<name>_index`` indexes ``<name>`` (what the key rotation
    rebuilds); a blind index without its source field is a programming error."""
    pairs = []
    for field in model._meta.concrete_fields:
        if not isinstance(field, BlindIndexField):
            continue
        source = field.name.removesuffix("_index")
        try:
            source_field = model._meta.get_field(source)
        except Exception:  # FieldDoesNotExist
            source_field = None
        if source == field.name or not isinstance(source_field, EncryptedTextField):
            raise TypeError(
                f"{model._meta.label}.{field.name}: a blind index must be named after the "
                "encrypted field it indexes (<field>_index)"
            )
        pairs.append((field.name, source, index_kind(source)))
    return pairs


class BlindIndexField(models.CharField):
    """The plain column of a blind index (``index_for``: 64 hex characters), compared byte by
    byte: collation ``"C"``. A linguistic collation sorts hex digits the same way but costs
    a ``strcoll`` per comparison and rules out abbreviated sort keys, in every unique check,
    lookup and index build of the column (bench: a unique index takes ~1/3 less time per
    insert, an index build ~60 % less). Not editable in forms; ``max_length`` 64."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_collation", "C")
        super().__init__(*args, **kwargs)


class EncryptedTextField(models.TextField):
    """Text encrypted at rest with the county's key (加密存储的个人信息).

    ``None`` and ``""`` are stored as they are (an empty value reveals nothing and keeps
    ``blank=True`` forms simple); every other value is encrypted on each write, so the same
    value gives a different token each time. Rows are decrypted when loaded; a token that fails
    authentication raises ``zhdj.pii.crypto.DecryptionError`` rather than returning garbage.
    Only ``isnull`` lookups are allowed: filter on the blind index column instead.
    """

    description = "Text encrypted at rest (AES-256-GCM or SM4-GCM, per-tenant key)"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        for option in ("unique", "primary_key"):
            if kwargs.get(option):
                raise TypeError(
                    f"EncryptedTextField cannot be {option}: ciphertext is random; put a unique "
                    "constraint on the blind index column instead"
                )
        super().__init__(*args, **kwargs)

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value, schema=schema_of(connection=connection))

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        # Encrypt here rather than in get_prep_value: this hook receives the connection that
        # will run the query, and its schema chooses the key.
        value = super().get_db_prep_value(value, connection, prepared)
        if value is None or value == "":
            return value
        return encrypt(value, schema=schema_of(connection=connection))

    def formfield(self, **kwargs: Any) -> Any:
        # With a max_length (a short value: a landline, a reason), a one-line input like a
        # CharField's rather than TextField's textarea.
        if self.max_length is not None and not self.choices and "widget" not in kwargs:
            return models.Field.formfield(self, **{"max_length": self.max_length, **kwargs})
        return super().formfield(**kwargs)

    def get_lookup(self, lookup_name: str) -> Any:
        # Any comparison with a freshly encrypted value would silently match nothing.
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        return None

    def get_transform(self, lookup_name: str) -> Any:
        return None
