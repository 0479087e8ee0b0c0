"""Encryption at rest and blind indexes for personal data (个人信息加密存储).

Standards: AES-256-GCM (NIST SP 800-38D) or SM4-GCM (SM4 block cipher GB/T 32907-2016 in the
GCM mode of GB/T 17964-2021), keys from HKDF-SHA256 (RFC 5869), blind indexes HMAC-SHA256
(RFC 2104). Serves GB/T 22239-2019 level 3 "personal data confidential in storage".

Master keys (versioned)
    ``settings.ZHDJ_MASTER_KEYS`` lists the master keys by version, current first:
    ``"2:<64 hex>,1:<64 hex>"`` (32 random bytes each). ``settings.ZHDJ_MASTER_KEY`` (the
    single key of earlier releases) stays accepted as version 1. ``encrypt`` writes under the
    current version and names it in the token; ``decrypt`` uses the version the token names,
    so a key stays listed until ``manage.py rotate_pii_keys`` has re-encrypted everything
    written under it.

Tenant key identity
    Every county has its own keys, ``HKDF-SHA256(master, salt=None, info=b"zhdj:" + purpose +
    b":" + key_id)``, where ``key_id`` is stored with the county (``customers.Tenant.key_id``:
    16 random bytes as hex for new counties, the schema name for the counties that existed
    before key ids, so their tokens stayed readable without re-encryption). The key id does
    not change with the schema name: a county restored under another schema name keeps its
    tenant row's key id and its personal data stays readable. The purposes are

    - ``enc``: 32-byte AES-256-GCM key,
    - ``enc-sm4``: 16-byte SM4-GCM key (never the same bytes as the AES key),
    - ``idx``: 32-byte HMAC-SHA256 key for blind indexes.

    ``tenant_key`` resolves the active county: the connection's tenant object when it is a
    real ``Tenant`` (requests, Celery tasks), else (``schema_context``) one query of the
    tenant table per schema and process, kept ``KEY_CACHE_SECONDS`` and dropped when a tenant
    row changes in this process.

Token format
    ``v<key version><cipher>:<base64url without padding of nonce ‖ ciphertext ‖ tag>``,
    with the cipher letter ``a`` (AES-256-GCM) or ``s`` (SM4-GCM), a random 96-bit nonce and
    a 128-bit tag, e.g. ``v1a:3q2-7w...``. ``decrypt`` reads the version and the cipher from
    the token, so changing ``ZHDJ_PII_CIPHER`` or the current master key affects new writes
    only and old rows stay readable. Files (``encrypt_bytes``): ``ZHDJF2`` + one byte key
    version + cipher letter + nonce + ciphertext and tag (``ZHDJF1`` files, without the
    version byte, are version 1).

Key rotation
    Put the new key first in ``ZHDJ_MASTER_KEYS`` and keep the old ones after it; restart;
    run ``manage.py rotate_pii_keys``: per county, in one transaction, it re-encrypts every
    encrypted column and file under the current version and rebuilds every blind index
    column with the current version's ``idx`` key, then records the version on the tenant
    (``Tenant.key_version``: the version the county's blind indexes are under, which
    ``blind_index`` uses). Blind indexes carry no version of their own: a county's indexes
    are all under one version, rebuilt, never mixed. Once every county reports nothing left,
    the old version can be removed from the setting.

Random 96-bit nonces are safe for far more than 2**32 encryptions per key; the per-tenant
keys keep each county far below that. Nothing here logs, and no exception message contains a
plaintext, a token or key material.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from zhdj.pii.idnumber import normalize_id_number

__all__ = [
    "AES_256_GCM",
    "SM4_GCM",
    "DecryptionError",
    "MasterKeys",
    "TenantKey",
    "TenantRequiredError",
    "blind_index",
    "check_cipher_setting",
    "current_cipher",
    "current_key_version",
    "decrypt",
    "decrypt_bytes",
    "derive_key",
    "encrypt",
    "encrypt_bytes",
    "file_version",
    "forget_tenant_keys",
    "is_encrypted_file",
    "key_id_of",
    "master_key",
    "master_keys",
    "new_key_id",
    "normalize_id_number",
    "normalize_phone",
    "normalize_text",
    "remember_tenant_key",
    "schema_of",
    "sm4_gcm_available",
    "tenant_key",
    "token_version",
]

AES_256_GCM: Final = "aes-256-gcm"
SM4_GCM: Final = "sm4-gcm"
CIPHERS: Final = (AES_256_GCM, SM4_GCM)
# The version of ZHDJ_MASTER_KEY (the single key of earlier releases).
KEY_VERSION: Final = 1
NONCE_BYTES: Final = 12
TAG_BYTES: Final = 16
KEY_CACHE_SECONDS: Final = 30.0

_CIPHER_LETTER: Final = {AES_256_GCM: "a", SM4_GCM: "s"}
_LETTER_CIPHER: Final = {letter: name for name, letter in _CIPHER_LETTER.items()}
_KEY_PURPOSE: Final = {AES_256_GCM: ("enc", 32), SM4_GCM: ("enc-sm4", 16)}
_INDEX_PURPOSE: Final = ("idx", 32)
_TOKEN_RE = re.compile(r"v([0-9]{1,3})([a-z]):([A-Za-z0-9_-]+)")
_MASTER_KEY_RE = re.compile(r"[0-9a-fA-F]{64}")
_VERSION_RE = re.compile(r"[1-9][0-9]{0,2}")


class DecryptionError(Exception):
    """A token is malformed, tampered with, or was written under another tenant's key."""


class TenantRequiredError(RuntimeError):
    """No county schema is active and none was passed: personal-data keys are per tenant."""


# ------------------------------------------------------------------------------
# Master keys
# ------------------------------------------------------------------------------
@dataclass(frozen=True)
class MasterKeys:
    """The configured master keys by version; ``current`` encrypts, all of them decrypt."""

    current: int
    keys: dict[int, bytes]


def _parse_hex_key(raw: str, name: str) -> bytes:
    raw = raw.strip()
    if not _MASTER_KEY_RE.fullmatch(raw):
        raise ImproperlyConfigured(
            f"{name} is invalid: it must be exactly 64 hexadecimal characters (32 bytes); "
            f"the configured value has {len(raw)} characters"
            + ("" if len(raw) != 64 else " but is not hexadecimal")
            + "."
        )
    return bytes.fromhex(raw)


@lru_cache(maxsize=8)
def _parse_master_keys(listed: str, single: str) -> MasterKeys:
    keys: dict[int, bytes] = {}
    order: list[int] = []
    for position, entry in enumerate(e for e in listed.split(",") if e.strip()):
        version, sep, raw = entry.strip().partition(":")
        if not sep or not _VERSION_RE.fullmatch(version.strip()):
            raise ImproperlyConfigured(
                "ZHDJ_MASTER_KEYS is invalid: write version:key pairs separated by commas, "
                f"current first, e.g. 2:<64 hex>,1:<64 hex> (entry {position + 1} has no "
                "version number from 1 to 999)."
            )
        number = int(version)
        if number in keys:
            raise ImproperlyConfigured(f"ZHDJ_MASTER_KEYS lists version {number} twice.")
        keys[number] = _parse_hex_key(raw, f"ZHDJ_MASTER_KEYS (version {number})")
        order.append(number)
    if single.strip():
        legacy = _parse_hex_key(single, "ZHDJ_MASTER_KEY")
        if KEY_VERSION in keys and keys[KEY_VERSION] != legacy:
            raise ImproperlyConfigured(
                "ZHDJ_MASTER_KEY and version 1 of ZHDJ_MASTER_KEYS differ: ZHDJ_MASTER_KEY is "
                "version 1, keep one of the two."
            )
        keys.setdefault(KEY_VERSION, legacy)
        if not order:
            order.append(KEY_VERSION)
    if not keys:
        raise ImproperlyConfigured(
            "ZHDJ_MASTER_KEY is not set, so personal data can be neither encrypted nor "
            "decrypted. Set it in the environment to 64 hexadecimal characters (32 random "
            "bytes), e.g. the output of `python -c 'import secrets; print(secrets.token_hex(32))'`"
            " (or ZHDJ_MASTER_KEYS to version:key pairs, current first)."
        )
    return MasterKeys(current=order[0], keys=keys)


def master_keys() -> MasterKeys:
    """Every configured master key by version (``ZHDJ_MASTER_KEYS``, plus ``ZHDJ_MASTER_KEY``
    as version 1); refuses to go on without one or with a malformed one."""
    listed = getattr(settings, "ZHDJ_MASTER_KEYS", "") or ""
    single = getattr(settings, "ZHDJ_MASTER_KEY", "") or ""
    if not isinstance(listed, str) or not isinstance(single, str):
        raise ImproperlyConfigured("ZHDJ_MASTER_KEYS and ZHDJ_MASTER_KEY must be strings.")
    return _parse_master_keys(listed, single)


def current_key_version() -> int:
    """The version new tokens and files are written under (the first of ZHDJ_MASTER_KEYS)."""
    return master_keys().current


def master_key(version: int | None = None) -> bytes:
    """The 32-byte master key of ``version`` (default: the current one)."""
    keys = master_keys()
    number = keys.current if version is None else version
    try:
        return keys.keys[number]
    except KeyError:
        raise DecryptionError(
            f"key version {number} is not configured (ZHDJ_MASTER_KEYS lists {sorted(keys.keys)})"
        ) from None


def new_key_id() -> str:
    """A new county's key identity: 16 random bytes as 32 hexadecimal characters."""
    return os.urandom(16).hex()


# ------------------------------------------------------------------------------
# Tenant keys
# ------------------------------------------------------------------------------
@dataclass(frozen=True)
class TenantKey:
    """Which keys a county uses: its key identity (HKDF info) and the master-key version its
    blind indexes are under (``None``: the current version)."""

    key_id: str
    index_version: int | None = None


_KEYS: dict[str, tuple[TenantKey, float]] = {}
_KEYS_LOCK = threading.Lock()


def forget_tenant_keys(schema: str | None = None) -> None:
    """Drop this process's cached key identities (all, or one schema's); called when a
    tenant row is saved or deleted."""
    with _KEYS_LOCK:
        if schema is None:
            _KEYS.clear()
        else:
            _KEYS.pop(schema, None)


def remember_tenant_key(schema: str, key: TenantKey) -> None:
    """Put a schema's key identity in this process's cache (tests without a database)."""
    with _KEYS_LOCK:
        _KEYS[schema] = (key, time.monotonic() + KEY_CACHE_SECONDS)


def _lookup_tenant_key(schema: str, connection: Any) -> TenantKey:
    now = time.monotonic()
    cached = _KEYS.get(schema)
    if cached is not None and cached[1] > now:
        return cached[0]
    from django_tenants.utils import get_public_schema_name, get_tenant_model

    table = get_tenant_model()._meta.db_table
    public = get_public_schema_name()
    # Explicitly in public: during tenant migrations the search path may lack it.
    with connection.cursor() as cursor:
        cursor.execute(
            # Identifiers from settings and the model, never from input.
            f'SELECT key_id, key_version FROM "{public}"."{table}" WHERE schema_name = %s',  # noqa: S608
            [schema],
        )
        row = cursor.fetchone()
    if row is None or not row[0]:
        raise TenantRequiredError(
            f"No county is registered under schema {schema!r}, so its personal-data keys "
            "are unknown."
        )
    key = TenantKey(key_id=str(row[0]), index_version=int(row[1]) if row[1] else None)
    remember_tenant_key(schema, key)
    return key


def tenant_key(schema: str | None = None, *, connection: Any = None) -> TenantKey:
    """The key identity to use: ``schema`` if given (taken as the key identity itself: a
    county's ``key_id``, or a context string such as ``interchange:transfer``), else the
    active county's.

    Fails closed (``TenantRequiredError``) when the implicit schema is missing or public:
    that is almost always a task or command that forgot to activate its tenant. Code that
    really works on behalf of a county from the public schema passes ``schema=`` explicitly.
    """
    if schema is not None:
        if not isinstance(schema, str) or not schema:
            raise TenantRequiredError("schema must be a non-empty key identity")
        return TenantKey(key_id=schema)
    if connection is None:
        from django.db import connection as default_connection

        connection = default_connection
    from django_tenants.utils import get_public_schema_name

    name = getattr(connection, "schema_name", None)
    if not name or name == get_public_schema_name():
        raise TenantRequiredError(
            "Personal data is encrypted with per-county keys, but no county schema is active "
            f"(connection schema: {name!r}). Activate the tenant or pass schema= explicitly."
        )
    tenant = getattr(connection, "tenant", None)
    fields = getattr(tenant, "__dict__", {})
    key_id = fields.get("key_id")
    if key_id and getattr(tenant, "schema_name", None) == name:
        version = fields.get("key_version")
        return TenantKey(key_id=str(key_id), index_version=int(version) if version else None)
    return _lookup_tenant_key(str(name), connection)


def key_id_of(schema_name: str) -> str:
    """The key identity of the county registered under ``schema_name`` (one query of the
    tenant table, then cached): for code that writes a county's rows from elsewhere, such as
    the benchmark generator."""
    from django.db import connection

    return _lookup_tenant_key(schema_name, connection).key_id


def schema_of(schema: str | None = None, *, connection: Any = None) -> str:
    """The key identity (``Tenant.key_id``) of ``schema`` or of the active county."""
    return tenant_key(schema, connection=connection).key_id


@lru_cache(maxsize=1024)
def _derive(master: bytes, purpose: str, key_id: str, length: int) -> bytes:
    # The master key is part of the cache key so a changed setting (tests, rotation) can
    # never be answered from a key derived under the old one.
    return HKDF(
        algorithm=hashes.SHA256(),
        length=length,
        salt=None,
        info=b"zhdj:" + purpose.encode("ascii") + b":" + key_id.encode("utf-8"),
    ).derive(master)


def derive_key(
    purpose: str, *, schema: str | None = None, length: int = 32, version: int | None = None
) -> bytes:
    """The tenant's key for ``purpose`` (``enc``, ``enc-sm4``, ``idx``) under master-key
    ``version`` (default: current); cached per process."""
    return _derive(master_key(version), purpose, schema_of(schema), length)


# ------------------------------------------------------------------------------
# Ciphers
# ------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def sm4_gcm_available() -> bool:
    """Whether the installed ``cryptography``/OpenSSL can do SM4 in GCM mode."""
    sm4 = getattr(algorithms, "SM4", None)
    if sm4 is None:
        return False
    try:
        encryptor = Cipher(sm4(bytes(16)), modes.GCM(bytes(NONCE_BYTES))).encryptor()
        encryptor.update(b"probe")
        encryptor.finalize()
    except (UnsupportedAlgorithm, ValueError):
        return False
    return True


def check_cipher_setting(value: str | None) -> str:
    """The cipher named by ``ZHDJ_PII_CIPHER`` (blank: ``aes-256-gcm``), or
    ``ImproperlyConfigured`` with a clear message: an unknown name, or ``sm4-gcm`` on an
    OpenSSL without SM4-GCM. Settings call it, so the server refuses to start."""
    cipher = (value or AES_256_GCM).strip().lower()
    if cipher not in _CIPHER_LETTER:
        raise ImproperlyConfigured(
            f"ZHDJ_PII_CIPHER must be {AES_256_GCM!r} or {SM4_GCM!r}, not {value!r}."
        )
    if cipher == SM4_GCM and not sm4_gcm_available():
        raise ImproperlyConfigured(
            "ZHDJ_PII_CIPHER is 'sm4-gcm' but the installed cryptography/OpenSSL has no "
            "SM4-GCM (OpenSSL 1.1.1 or later built with SM4, and cryptography 43 or later): "
            "install one that has it, or set ZHDJ_PII_CIPHER=aes-256-gcm."
        )
    return cipher


def current_cipher() -> str:
    """``settings.ZHDJ_PII_CIPHER`` (default ``aes-256-gcm``), checked."""
    cipher = getattr(settings, "ZHDJ_PII_CIPHER", AES_256_GCM)
    if cipher not in _CIPHER_LETTER:
        raise ImproperlyConfigured(
            f"ZHDJ_PII_CIPHER must be {AES_256_GCM!r} or {SM4_GCM!r}, not {cipher!r}."
        )
    return check_cipher_setting(cipher)


def _cipher_key(cipher: str, schema: str | None, version: int | None) -> bytes:
    purpose, length = _KEY_PURPOSE[cipher]
    return derive_key(purpose, schema=schema, length=length, version=version)


def _seal(cipher: str, key: bytes, nonce: bytes, data: bytes, aad: bytes) -> bytes:
    if cipher == AES_256_GCM:
        return AESGCM(key).encrypt(nonce, data, aad)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    return encryptor.update(data) + encryptor.finalize() + encryptor.tag


def _open(cipher: str, key: bytes, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
    if cipher == AES_256_GCM:
        return AESGCM(key).decrypt(nonce, sealed, aad)
    body, tag = sealed[:-TAG_BYTES], sealed[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(aad)
    return decryptor.update(body) + decryptor.finalize()


def encrypt(plaintext: str, *, schema: str | None = None, aad: bytes = b"") -> str:
    """Encrypt ``plaintext`` under the tenant's key and the current master-key version;
    returns a ``v<version>a:``/``v<version>s:`` token.

    ``aad`` is authenticated but not stored: the same bytes must be passed to ``decrypt``.
    """
    if not isinstance(plaintext, str):
        raise TypeError(f"encrypt needs a str, not {type(plaintext).__name__}")
    cipher = current_cipher()
    version = current_key_version()
    key = _cipher_key(cipher, schema, version)
    nonce = os.urandom(NONCE_BYTES)
    sealed = _seal(cipher, key, nonce, plaintext.encode("utf-8"), aad)
    body = base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode("ascii")
    return f"v{version}{_CIPHER_LETTER[cipher]}:{body}"


def token_version(token: str) -> int | None:
    """The master-key version a token names, or None if it is not a token."""
    match = _TOKEN_RE.fullmatch(token) if isinstance(token, str) else None
    return int(match.group(1)) if match else None


_FILE_MAGIC_V1: Final = b"ZHDJF1"  # + cipher letter + nonce + sealed (key version 1)
_FILE_MAGIC: Final = b"ZHDJF2"  # + key version byte + cipher letter + nonce + sealed


def is_encrypted_file(head: bytes) -> bool:
    """Whether bytes (at least the first 6) begin an ``encrypt_bytes`` file."""
    return head[: len(_FILE_MAGIC)] in (_FILE_MAGIC, _FILE_MAGIC_V1)


def file_version(blob: bytes) -> int | None:
    """The master-key version of an ``encrypt_bytes`` file, or None if it is not one."""
    if blob[: len(_FILE_MAGIC_V1)] == _FILE_MAGIC_V1:
        return KEY_VERSION
    if blob[: len(_FILE_MAGIC)] == _FILE_MAGIC and len(blob) > len(_FILE_MAGIC):
        return blob[len(_FILE_MAGIC)]
    return None


def encrypt_bytes(data: bytes, *, schema: str | None = None, aad: bytes = b"") -> bytes:
    """Encrypt a whole file (an uploaded workbook, a development document) under the
    tenant's key: ``ZHDJF2`` + key version + cipher letter + nonce + ciphertext and tag."""
    cipher = current_cipher()
    version = current_key_version()
    if not 1 <= version <= 255:
        raise ImproperlyConfigured("file encryption supports key versions 1 to 255")
    key = _cipher_key(cipher, schema, version)
    nonce = os.urandom(NONCE_BYTES)
    letter = _CIPHER_LETTER[cipher].encode("ascii")
    head = _FILE_MAGIC + bytes([version]) + letter
    return head + nonce + _seal(cipher, key, nonce, data, aad)


def decrypt_bytes(blob: bytes, *, schema: str | None = None, aad: bytes = b"") -> bytes:
    """The file ``encrypt_bytes`` sealed; ``DecryptionError`` if it is not authentic."""
    version = file_version(blob)
    if version is None:
        raise DecryptionError("not an encrypted file")
    at = len(_FILE_MAGIC_V1) if blob.startswith(_FILE_MAGIC_V1) else len(_FILE_MAGIC) + 1
    if len(blob) < at + 1 + NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("not an encrypted file")
    cipher = _LETTER_CIPHER.get(blob[at : at + 1].decode("ascii", "replace"))
    if cipher is None:
        raise DecryptionError("unsupported cipher")
    if cipher == SM4_GCM and not sm4_gcm_available():
        raise DecryptionError("the file uses SM4-GCM, which this installation lacks")
    key = _cipher_key(cipher, schema, version)
    nonce = blob[at + 1 : at + 1 + NONCE_BYTES]
    try:
        return _open(cipher, key, nonce, blob[at + 1 + NONCE_BYTES :], aad)
    except InvalidTag:
        raise DecryptionError("file failed authentication") from None


def decrypt(token: str, *, schema: str | None = None, aad: bytes = b"") -> str:
    """Decrypt a token from ``encrypt``; ``DecryptionError`` if it is not authentic for this
    tenant (tampered, truncated, other tenant's key, other ``aad``, unknown version)."""
    match = _TOKEN_RE.fullmatch(token) if isinstance(token, str) else None
    if match is None:
        raise DecryptionError("not an encrypted personal-data token")
    version, letter, body = match.groups()
    if int(version) not in master_keys().keys:
        raise DecryptionError(f"unsupported key version {version}")
    cipher = _LETTER_CIPHER.get(letter)
    if cipher is None:
        raise DecryptionError(f"unsupported cipher {letter!r}")
    if cipher == SM4_GCM and not sm4_gcm_available():
        raise DecryptionError("the token uses SM4-GCM, which this installation lacks")
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        raise DecryptionError("token body is not base64url") from None
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("token is truncated")
    key = _cipher_key(cipher, schema, int(version))
    try:
        data = _open(cipher, key, raw[:NONCE_BYTES], raw[NONCE_BYTES:], aad)
        return data.decode("utf-8")
    except (InvalidTag, UnicodeDecodeError):
        raise DecryptionError(
            "token failed authentication (tampered, or written under another tenant's key)"
        ) from None


# ------------------------------------------------------------------------------
# Blind indexes
# ------------------------------------------------------------------------------
def normalize_text(value: str) -> str:
    """NFKC, trimmed, inner whitespace runs collapsed to one space (names, addresses)."""
    return " ".join(unicodedata.normalize("NFKC", value).split())


def normalize_phone(value: str) -> str:
    """Digits only; a leading ``0086``, or ``86`` before an 11-digit mobile, is dropped.

    ``+86 139-1234-5678``, ``008613912345678`` and ``13912345678`` all give ``13912345678``;
    a landline ``029-8888 6666`` gives ``02988886666``.
    """
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", value) if "0" <= ch <= "9")
    if digits.startswith("0086"):
        return digits[4:]
    if len(digits) == 13 and digits.startswith("861"):
        return digits[2:]
    return digits


def blind_index(
    value: str,
    *,
    schema: str | None = None,
    normalize: Callable[[str], str] = normalize_text,
    version: int | None = None,
) -> str:
    """HMAC-SHA256 of the normalized value under the tenant's ``idx`` key, 64 hex characters.

    Equal normalized values give equal indexes within a tenant (exact lookup, unique
    constraints); other tenants get unrelated indexes. Blank values are refused: store NULL.
    The key is the one of the master-key version the county's indexes are under
    (``Tenant.key_version``), or ``version`` (the rotation rebuilding them).
    """
    if not isinstance(value, str):
        raise TypeError(f"blind_index needs a str, not {type(value).__name__}")
    normalized = normalize(value)
    if not normalized:
        raise ValueError("blind_index of an empty value: store NULL instead")
    purpose, length = _INDEX_PURPOSE
    tenant = tenant_key(schema)
    number = version or tenant.index_version or current_key_version()
    key = _derive(master_key(number), purpose, tenant.key_id, length)
    return hmac.new(key, normalized.encode("utf-8"), hashlib.sha256).hexdigest()
