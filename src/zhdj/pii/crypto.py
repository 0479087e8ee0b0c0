"""Encryption at rest and blind indexes for personal data (个人信息加密存储).

Standards: AES-256-GCM (NIST SP 800-38D) or SM4-GCM (SM4 block cipher GB/T 32907-2016 in the
GCM mode of GB/T 17964-2021), keys from HKDF-SHA256 (RFC 5869), blind indexes HMAC-SHA256
(RFC 2104). Serves GB/T 22239-2019 level 3 "personal data confidential in storage".

Keys
    ``settings.ZHDJ_MASTER_KEY`` holds 32 random bytes as 64 hex characters. Every county
    (schema) gets its own keys, ``HKDF-SHA256(master, salt=None, info=b"zhdj:" + purpose +
    b":" + schema)``, with the purposes

    - ``enc``: 32-byte AES-256-GCM key,
    - ``enc-sm4``: 16-byte SM4-GCM key (never the same bytes as the AES key),
    - ``idx``: 32-byte HMAC-SHA256 key for blind indexes.

    The schema name is part of the key, so a row copied to another schema cannot be read
    there: moving a person between counties (组织关系转接) means decrypt, then encrypt again.
    Renaming a schema needs the same re-encryption.

Token format
    ``v<key version><cipher>:<base64url without padding of nonce ‖ ciphertext ‖ tag>``,
    with the cipher letter ``a`` (AES-256-GCM) or ``s`` (SM4-GCM), a random 96-bit nonce and
    a 128-bit tag, e.g. ``v1a:3q2-7w...``. ``decrypt`` reads the cipher from the token, so
    changing ``ZHDJ_PII_CIPHER`` affects new writes only and old rows stay readable.

Key rotation (not implemented yet; the format leaves room for it)
    Version 1 is the derivation above. A rotation adds version 2 (a new master key, e.g.
    ``ZHDJ_MASTER_KEY_V2``, or a new ``info`` prefix), makes ``encrypt`` write ``v2…`` and
    ``decrypt`` accept both, then re-encrypts the rows in a per-tenant task and recomputes every
    blind index column with the new ``idx`` key in the same transaction. Blind indexes carry
    no version: they must be rebuilt, not mixed.

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
import unicodedata
from collections.abc import Callable
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
    "TenantRequiredError",
    "blind_index",
    "current_cipher",
    "decrypt",
    "decrypt_bytes",
    "derive_key",
    "encrypt",
    "encrypt_bytes",
    "master_key",
    "normalize_id_number",
    "normalize_phone",
    "normalize_text",
    "schema_of",
    "sm4_gcm_available",
]

AES_256_GCM: Final = "aes-256-gcm"
SM4_GCM: Final = "sm4-gcm"
KEY_VERSION: Final = 1
NONCE_BYTES: Final = 12
TAG_BYTES: Final = 16

_CIPHER_LETTER: Final = {AES_256_GCM: "a", SM4_GCM: "s"}
_LETTER_CIPHER: Final = {letter: name for name, letter in _CIPHER_LETTER.items()}
_KEY_PURPOSE: Final = {AES_256_GCM: ("enc", 32), SM4_GCM: ("enc-sm4", 16)}
_INDEX_PURPOSE: Final = ("idx", 32)
_TOKEN_RE = re.compile(r"v([0-9]{1,3})([a-z]):([A-Za-z0-9_-]+)")
_MASTER_KEY_RE = re.compile(r"[0-9a-fA-F]{64}")


class DecryptionError(Exception):
    """A token is malformed, tampered with, or was written under another tenant's key."""


class TenantRequiredError(RuntimeError):
    """No county schema is active and none was passed: personal-data keys are per tenant."""


# ------------------------------------------------------------------------------
# Keys
# ------------------------------------------------------------------------------
def master_key() -> bytes:
    """The 32-byte master key from ``settings.ZHDJ_MASTER_KEY``; refuses to go on without it."""
    raw = getattr(settings, "ZHDJ_MASTER_KEY", None)
    if not isinstance(raw, str) or not raw.strip():
        raise ImproperlyConfigured(
            "ZHDJ_MASTER_KEY is not set, so personal data can be neither encrypted nor "
            "decrypted. Set it in the environment to 64 hexadecimal characters (32 random "
            "bytes), e.g. the output of `python -c 'import secrets; print(secrets.token_hex(32))'`."
        )
    raw = raw.strip()
    if not _MASTER_KEY_RE.fullmatch(raw):
        raise ImproperlyConfigured(
            "ZHDJ_MASTER_KEY is invalid: it must be exactly 64 hexadecimal characters (32 bytes); "
            f"the configured value has {len(raw)} characters"
            + ("" if len(raw) != 64 else " but is not hexadecimal")
            + "."
        )
    return bytes.fromhex(raw)


@lru_cache(maxsize=1024)
def _derive(master: bytes, purpose: str, schema: str, length: int) -> bytes:
    # The master key is part of the cache key so a changed setting (tests, rotation) can
    # never be answered from a key derived under the old one.
    return HKDF(
        algorithm=hashes.SHA256(),
        length=length,
        salt=None,
        info=b"zhdj:" + purpose.encode("ascii") + b":" + schema.encode("utf-8"),
    ).derive(master)


def derive_key(purpose: str, *, schema: str | None = None, length: int = 32) -> bytes:
    """The tenant's key for ``purpose`` (``enc``, ``enc-sm4``, ``idx``); cached per process."""
    return _derive(master_key(), purpose, schema_of(schema), length)


def schema_of(schema: str | None = None, *, connection: Any = None) -> str:
    """The schema whose keys to use: ``schema`` if given, else the connection's county schema.

    Fails closed (``TenantRequiredError``) when the implicit schema is missing or public:
    that is almost always a task or command that forgot to activate its tenant. Code that
    really works on behalf of a county from the public schema passes ``schema=`` explicitly.
    """
    if schema is not None:
        if not isinstance(schema, str) or not schema:
            raise TenantRequiredError("schema must be a non-empty schema name")
        return schema
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
    return str(name)


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


def current_cipher() -> str:
    """``settings.ZHDJ_PII_CIPHER`` (default ``aes-256-gcm``), checked."""
    cipher = getattr(settings, "ZHDJ_PII_CIPHER", AES_256_GCM)
    if cipher not in _CIPHER_LETTER:
        raise ImproperlyConfigured(
            f"ZHDJ_PII_CIPHER must be {AES_256_GCM!r} or {SM4_GCM!r}, not {cipher!r}."
        )
    if cipher == SM4_GCM and not sm4_gcm_available():
        raise ImproperlyConfigured(
            "ZHDJ_PII_CIPHER is 'sm4-gcm' but the installed cryptography/OpenSSL has no SM4-GCM."
        )
    return cipher


def _cipher_key(cipher: str, schema: str | None) -> bytes:
    purpose, length = _KEY_PURPOSE[cipher]
    return derive_key(purpose, schema=schema, length=length)


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
    """Encrypt ``plaintext`` under the tenant's key; returns a ``v1a:``/``v1s:`` token.

    ``aad`` is authenticated but not stored: the same bytes must be passed to ``decrypt``.
    """
    if not isinstance(plaintext, str):
        raise TypeError(f"encrypt needs a str, not {type(plaintext).__name__}")
    cipher = current_cipher()
    key = _cipher_key(cipher, schema)
    nonce = os.urandom(NONCE_BYTES)
    sealed = _seal(cipher, key, nonce, plaintext.encode("utf-8"), aad)
    body = base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode("ascii")
    return f"v{KEY_VERSION}{_CIPHER_LETTER[cipher]}:{body}"


_FILE_MAGIC: Final = b"ZHDJF1"


def encrypt_bytes(data: bytes, *, schema: str | None = None, aad: bytes = b"") -> bytes:
    """Encrypt a whole file (an uploaded workbook waiting to be checked) under the tenant's
    key: ``ZHDJF1`` + cipher letter + nonce + ciphertext and tag."""
    cipher = current_cipher()
    key = _cipher_key(cipher, schema)
    nonce = os.urandom(NONCE_BYTES)
    letter = _CIPHER_LETTER[cipher].encode("ascii")
    return _FILE_MAGIC + letter + nonce + _seal(cipher, key, nonce, data, aad)


def decrypt_bytes(blob: bytes, *, schema: str | None = None, aad: bytes = b"") -> bytes:
    """The file ``encrypt_bytes`` sealed; ``DecryptionError`` if it is not authentic."""
    head = len(_FILE_MAGIC)
    if blob[:head] != _FILE_MAGIC or len(blob) < head + 1 + NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("not an encrypted file")
    cipher = _LETTER_CIPHER.get(blob[head : head + 1].decode("ascii", "replace"))
    if cipher is None:
        raise DecryptionError("unsupported cipher")
    key = _cipher_key(cipher, schema)
    nonce = blob[head + 1 : head + 1 + NONCE_BYTES]
    try:
        return _open(cipher, key, nonce, blob[head + 1 + NONCE_BYTES :], aad)
    except InvalidTag:
        raise DecryptionError("file failed authentication") from None


def decrypt(token: str, *, schema: str | None = None, aad: bytes = b"") -> str:
    """Decrypt a token from ``encrypt``; ``DecryptionError`` if it is not authentic for this
    tenant (tampered, truncated, other tenant's key, other ``aad``, unknown version)."""
    match = _TOKEN_RE.fullmatch(token) if isinstance(token, str) else None
    if match is None:
        raise DecryptionError("not an encrypted personal-data token")
    version, letter, body = match.groups()
    if int(version) != KEY_VERSION:
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
    key = _cipher_key(cipher, schema)
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
) -> str:
    """HMAC-SHA256 of the normalized value under the tenant's ``idx`` key, 64 hex characters.

    Equal normalized values give equal indexes within a tenant (exact lookup, unique
    constraints); other tenants get unrelated indexes. Blank values are refused: store NULL.
    """
    if not isinstance(value, str):
        raise TypeError(f"blind_index needs a str, not {type(value).__name__}")
    normalized = normalize(value)
    if not normalized:
        raise ValueError("blind_index of an empty value: store NULL instead")
    purpose, length = _INDEX_PURPOSE
    key = derive_key(purpose, schema=schema, length=length)
    return hmac.new(key, normalized.encode("utf-8"), hashlib.sha256).hexdigest()
