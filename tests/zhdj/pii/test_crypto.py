"""Encryption at rest, per-tenant keys, blind indexes and the encrypted model field.

No database: keys come from settings, the schema from explicit arguments or from the
connection's ``schema_name`` (set without a query). The field tests live here because the
field is a thin wrapper over ``encrypt``/``decrypt``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import connection, models
from django.db.models.lookups import IsNull

from zhdj.pii.crypto import (
    DecryptionError,
    TenantKey,
    TenantRequiredError,
    blind_index,
    decrypt,
    encrypt,
    forget_tenant_keys,
    normalize_id_number,
    normalize_phone,
    normalize_text,
    remember_tenant_key,
    sm4_gcm_available,
)
from zhdj.pii.fields import EncryptedTextField, index_for

ALPHA = "county_alpha"
BETA = "county_beta"
ID_NUMBER = "11010519491231002X"
ADDRESS = "陕西省榆林市榆阳区新建路 12 号"

needs_sm4 = pytest.mark.skipif(not sm4_gcm_available(), reason="no SM4-GCM in this OpenSSL")


@pytest.fixture
def on_schema() -> Iterator[object]:
    """Put the default connection on a county schema (no query is issued), then restore."""
    previous = connection.schema_name

    def activate(schema: str) -> None:
        # These schemas have no tenant row: their key identity is their name (as for the
        # counties older than key ids), put in the cache so that no query is issued.
        if schema != "public":
            remember_tenant_key(schema, TenantKey(key_id=schema))
        connection.set_schema(schema)

    yield activate
    forget_tenant_keys()
    if previous:
        connection.set_schema(previous)
    else:
        connection.set_schema_to_public()


def _raw(token: str) -> bytes:
    body = token.split(":", 1)[1]
    return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))


def _hkdf(purpose: str, schema: str, length: int, master_hex: str = "11" * 32) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=length,
        salt=None,
        info=f"zhdj:{purpose}:{schema}".encode(),
    ).derive(bytes.fromhex(master_hex))


# ------------------------------------------------------------------------------
# encrypt / decrypt
# ------------------------------------------------------------------------------
def test_round_trip_gives_back_the_plaintext():
    for value in (ID_NUMBER, "13912345678", ADDRESS, "", "x" * 10_000):
        assert decrypt(encrypt(value, schema=ALPHA), schema=ALPHA) == value


def test_token_is_versioned_compact_and_url_safe():
    token = encrypt(ID_NUMBER, schema=ALPHA)
    assert token.startswith("v1a:")
    assert set(token[4:]) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    # 12-byte nonce + 18-byte ciphertext + 16-byte tag.
    assert len(_raw(token)) == 12 + 18 + 16


def test_two_encryptions_of_the_same_value_differ_in_nonce_and_token():
    tokens = [encrypt(ID_NUMBER, schema=ALPHA) for _ in range(200)]
    assert len(set(tokens)) == 200
    assert len({_raw(token)[:12] for token in tokens}) == 200


def test_keys_are_hkdf_sha256_of_the_master_key_with_purpose_and_schema():
    # An independent implementation of the documented derivation opens the token.
    raw = _raw(encrypt(ID_NUMBER, schema=ALPHA))
    key = _hkdf("enc", ALPHA, 32)
    assert AESGCM(key).decrypt(raw[:12], raw[12:], b"").decode() == ID_NUMBER


def test_tampered_token_is_refused():
    token = encrypt(ID_NUMBER, schema=ALPHA)
    raw = bytearray(_raw(token))
    for position in (0, 12, len(raw) - 1):  # nonce, ciphertext, tag
        tampered = bytearray(raw)
        tampered[position] ^= 0x01
        body = base64.urlsafe_b64encode(bytes(tampered)).rstrip(b"=").decode()
        with pytest.raises(DecryptionError):
            decrypt("v1a:" + body, schema=ALPHA)


@pytest.mark.parametrize(
    "token",
    ["", "not a token", "v1a:", "v1a:AAAA", "v1a:%%%%", "v2a:" + "A" * 60, "v1z:" + "A" * 60],
)
def test_malformed_truncated_or_unknown_tokens_are_refused(token):
    with pytest.raises(DecryptionError):
        decrypt(token, schema=ALPHA)


def test_truncated_token_is_refused():
    token = encrypt(ID_NUMBER, schema=ALPHA)
    with pytest.raises(DecryptionError):
        decrypt(token[:-4], schema=ALPHA)


def test_token_of_one_tenant_cannot_be_decrypted_with_another_tenants_key():
    token = encrypt(ID_NUMBER, schema=ALPHA)
    with pytest.raises(DecryptionError):
        decrypt(token, schema=BETA)


def test_associated_data_must_match():
    token = encrypt(ID_NUMBER, schema=ALPHA, aad=b"members.Member.id_number")
    assert decrypt(token, schema=ALPHA, aad=b"members.Member.id_number") == ID_NUMBER
    with pytest.raises(DecryptionError):
        decrypt(token, schema=ALPHA)


def test_schema_defaults_to_the_connections_county_schema(on_schema):
    on_schema(ALPHA)
    token = encrypt(ID_NUMBER)
    assert decrypt(token, schema=ALPHA) == ID_NUMBER
    on_schema(BETA)
    with pytest.raises(DecryptionError):
        decrypt(token)


def test_public_schema_is_refused_unless_a_schema_is_passed(on_schema):
    on_schema("public")
    with pytest.raises(TenantRequiredError):
        encrypt(ID_NUMBER)
    with pytest.raises(TenantRequiredError):
        blind_index(ID_NUMBER)
    assert decrypt(encrypt(ID_NUMBER, schema="public"), schema="public") == ID_NUMBER


@pytest.mark.parametrize("master", ["", "   ", None])
def test_missing_master_key_is_refused(settings, master):
    settings.ZHDJ_MASTER_KEY = master
    with pytest.raises(ImproperlyConfigured, match="ZHDJ_MASTER_KEY is not set"):
        encrypt(ID_NUMBER, schema=ALPHA)
    with pytest.raises(ImproperlyConfigured, match="ZHDJ_MASTER_KEY"):
        blind_index(ID_NUMBER, schema=ALPHA)


@pytest.mark.parametrize("master", ["11" * 16, "11" * 33, "zz" * 32, "11" * 31 + "1g"])
def test_invalid_master_key_is_refused_without_echoing_it(settings, master):
    settings.ZHDJ_MASTER_KEY = master
    with pytest.raises(ImproperlyConfigured, match="64 hexadecimal characters") as excinfo:
        decrypt("v1a:" + "A" * 60, schema=ALPHA)
    assert master not in str(excinfo.value)


def test_another_master_key_cannot_read_old_tokens(settings):
    token = encrypt(ID_NUMBER, schema=ALPHA)
    settings.ZHDJ_MASTER_KEY = "22" * 32
    with pytest.raises(DecryptionError):
        decrypt(token, schema=ALPHA)
    settings.ZHDJ_MASTER_KEY = "11" * 32
    assert decrypt(token, schema=ALPHA) == ID_NUMBER


def test_errors_and_logs_never_contain_the_plaintext(caplog):
    caplog.set_level(logging.DEBUG)
    token = encrypt(ID_NUMBER, schema=ALPHA)
    decrypt(token, schema=ALPHA)
    with pytest.raises(DecryptionError) as excinfo:
        decrypt(token, schema=BETA)
    assert ID_NUMBER not in str(excinfo.value)
    assert token[4:] not in str(excinfo.value)
    assert ID_NUMBER not in caplog.text


# ------------------------------------------------------------------------------
# SM4-GCM
# ------------------------------------------------------------------------------
@needs_sm4
def test_sm4_gcm_round_trip_writes_v1s_tokens(settings):
    settings.ZHDJ_PII_CIPHER = "sm4-gcm"
    token = encrypt(ADDRESS, schema=ALPHA)
    assert token.startswith("v1s:")
    assert decrypt(token, schema=ALPHA) == ADDRESS
    with pytest.raises(DecryptionError):
        decrypt(token, schema=BETA)


@needs_sm4
def test_sm4_gcm_uses_its_own_16_byte_hkdf_key(settings):
    settings.ZHDJ_PII_CIPHER = "sm4-gcm"
    raw = _raw(encrypt(ADDRESS, schema=ALPHA))
    nonce, body, tag = raw[:12], raw[12:-16], raw[-16:]
    decryptor = Cipher(
        algorithms.SM4(_hkdf("enc-sm4", ALPHA, 16)), modes.GCM(nonce, tag)
    ).decryptor()
    assert (decryptor.update(body) + decryptor.finalize()).decode() == ADDRESS


@needs_sm4
def test_tokens_of_either_cipher_stay_readable_when_the_setting_changes(settings):
    aes_token = encrypt(ID_NUMBER, schema=ALPHA)
    settings.ZHDJ_PII_CIPHER = "sm4-gcm"
    sm4_token = encrypt(ID_NUMBER, schema=ALPHA)
    assert decrypt(aes_token, schema=ALPHA) == ID_NUMBER
    settings.ZHDJ_PII_CIPHER = "aes-256-gcm"
    assert decrypt(sm4_token, schema=ALPHA) == ID_NUMBER


@needs_sm4
def test_tampered_sm4_token_is_refused(settings):
    settings.ZHDJ_PII_CIPHER = "sm4-gcm"
    raw = bytearray(_raw(encrypt(ID_NUMBER, schema=ALPHA)))
    raw[15] ^= 0x80
    with pytest.raises(DecryptionError):
        decrypt("v1s:" + base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("="), schema=ALPHA)


def test_unknown_cipher_setting_is_refused(settings):
    settings.ZHDJ_PII_CIPHER = "des"
    with pytest.raises(ImproperlyConfigured, match="ZHDJ_PII_CIPHER"):
        encrypt(ID_NUMBER, schema=ALPHA)


# ------------------------------------------------------------------------------
# Blind index
# ------------------------------------------------------------------------------
def test_blind_index_is_equal_for_equal_normalized_inputs():
    canonical = blind_index(ID_NUMBER, schema=ALPHA, normalize=normalize_id_number)
    assert blind_index(" 11010519491231002x ", schema=ALPHA, normalize=normalize_id_number) == (
        canonical
    )
    assert blind_index("+86 139-1234-5678", schema=ALPHA, normalize=normalize_phone) == (
        blind_index("13912345678", schema=ALPHA, normalize=normalize_phone)
    )
    assert blind_index("  张  三 ", schema=ALPHA) == blind_index("张 三", schema=ALPHA)


def test_blind_index_differs_for_different_values():
    assert blind_index("13912345678", schema=ALPHA) != blind_index("13912345679", schema=ALPHA)


def test_blind_index_differs_across_tenants():
    assert blind_index(ID_NUMBER, schema=ALPHA) != blind_index(ID_NUMBER, schema=BETA)


def test_blind_index_is_hmac_sha256_under_the_tenants_idx_key():
    expected = hmac.new(_hkdf("idx", ALPHA, 32), ID_NUMBER.encode(), hashlib.sha256).hexdigest()
    assert blind_index(ID_NUMBER.lower(), schema=ALPHA, normalize=normalize_id_number) == expected
    assert len(expected) == 64


def test_blind_index_refuses_blank_values():
    with pytest.raises(ValueError):
        blind_index("   ", schema=ALPHA)


@pytest.mark.parametrize(
    ("normalize", "value", "expected"),
    [
        (normalize_id_number, " 1101 0519 4912 3100 2x ", ID_NUMBER),
        (normalize_phone, "+86 139 1234 5678", "13912345678"),
        (normalize_phone, "008613912345678", "13912345678"),
        (normalize_phone, "(029) 8888-6666", "02988886666"),
        (normalize_phone, "１３９１２３４５６７８", "13912345678"),
        (normalize_text, "  陕西省　榆林市  ", "陕西省 榆林市"),
    ],
)
def test_normalizers(normalize, value, expected):
    assert normalize(value) == expected


def test_index_for_picks_the_normalizer_by_kind(on_schema):
    on_schema(ALPHA)
    assert index_for("id_number", "11010519491231002x") == blind_index(
        ID_NUMBER, schema=ALPHA, normalize=normalize_id_number
    )
    assert index_for("phone", "+86 13912345678") == index_for("phone", "13912345678")
    assert index_for("phone", "13912345678", schema=BETA) != index_for("phone", "13912345678")


def test_index_for_gives_none_for_blank_values():
    assert index_for("phone", None, schema=ALPHA) is None
    assert index_for("phone", " - ", schema=ALPHA) is None
    assert index_for("text", "   ", schema=ALPHA) is None


def test_index_for_refuses_an_unknown_kind():
    with pytest.raises(ValueError):
        index_for("email", "a@example.org", schema=ALPHA)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------
# EncryptedTextField
# ------------------------------------------------------------------------------
def test_field_writes_a_token_under_the_connections_schema_and_reads_plaintext(on_schema):
    field = EncryptedTextField()
    on_schema(ALPHA)
    stored = field.get_db_prep_save(ADDRESS, connection)
    assert stored.startswith("v1")
    assert ADDRESS not in stored
    assert decrypt(stored, schema=ALPHA) == ADDRESS
    assert field.from_db_value(stored, None, connection) == ADDRESS
    on_schema(BETA)
    with pytest.raises(DecryptionError):
        field.from_db_value(stored, None, connection)


def test_field_passes_empty_and_none_through(on_schema):
    field = EncryptedTextField(blank=True, null=True)
    on_schema(ALPHA)
    assert field.get_db_prep_save("", connection) == ""
    assert field.get_db_prep_save(None, connection) is None
    assert field.from_db_value("", None, connection) == ""
    assert field.from_db_value(None, None, connection) is None


def test_field_refuses_the_public_schema(on_schema):
    on_schema("public")
    with pytest.raises(TenantRequiredError):
        EncryptedTextField().get_db_prep_save(ADDRESS, connection)


def test_field_allows_only_isnull_lookups():
    field = EncryptedTextField()
    assert field.get_lookup("isnull") is IsNull
    for lookup in ("exact", "iexact", "contains", "startswith", "in"):
        assert field.get_lookup(lookup) is None
    assert field.get_transform("lower") is None


def test_field_cannot_be_unique_or_primary_key():
    with pytest.raises(TypeError, match="blind index"):
        EncryptedTextField(unique=True)
    with pytest.raises(TypeError):
        EncryptedTextField(primary_key=True)


def test_field_deconstructs_for_migrations():
    _name, path, args, kwargs = EncryptedTextField("公民身份号码", blank=True).deconstruct()
    assert path == "zhdj.pii.fields.EncryptedTextField"
    assert args == []
    assert kwargs == {"verbose_name": "公民身份号码", "blank": True}


class Sample(models.Model):
    """A model of an app that is not installed: queries are built, never run."""

    secret = EncryptedTextField(null=True)

    class Meta:
        app_label = "pii_tests"
        managed = False

    def __str__(self) -> str:
        return f"Sample {self.pk}"


def test_filtering_on_the_encrypted_column_fails_loudly_instead_of_matching_nothing():
    with pytest.raises(FieldError, match="Unsupported lookup 'exact'"):
        Sample.objects.filter(secret="13912345678")
    with pytest.raises(FieldError):
        Sample.objects.filter(secret__icontains="139")
    assert "IS NULL" in str(Sample.objects.filter(secret__isnull=True).query)
