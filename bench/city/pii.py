"""Personal-data columns for bulk loading, equal to what the application stores.

``CountyPII(schema).encrypt(value)`` gives a token that ``zhdj.pii.crypto.decrypt`` opens
under the county's key, in the format of ``zhdj.pii.crypto.encrypt`` (``v1a:`` + base64url of
nonce ‖ ciphertext ‖ tag, a fresh random nonce per value, read from the OS 4,096 at a time);
``index_id_number`` and ``index_phone`` give exactly
``zhdj.pii.fields.index_for("id_number"/"phone", value)``.

The fast path keeps the county's AES-GCM and HMAC keys (from ``crypto.derive_key``) instead
of deriving them per value, which more than halves the cost of a member row. It is used only
when it provably agrees with the application on this installation: at construction it
encrypts and indexes samples both ways and compares (token prefix, ``decrypt`` round trip,
identical indexes); otherwise, or with ``exact=True``, every value goes through
``crypto.encrypt`` and ``index_for`` themselves. The index fast path takes values already in
normal form (the generator's ID numbers from ``make_id_number`` and 11-digit mobiles are).
"""

from __future__ import annotations

import binascii
import hashlib
import os
import weakref

from zhdj.pii import crypto
from zhdj.pii.fields import index_for

NONCE_POOL = crypto.NONCE_BYTES * 4096  # bytes of nonces read from the OS at once
SAMPLES = ("61080219700101123X", "610802199912310020", "13912345678", "陕西省榆林市榆阳区")
_URLSAFE = bytes.maketrans(b"+/", b"-_")  # base64 → base64url (RFC 4648 §5)

# Every fast-path instance, so that a forked child can drop the nonces it inherited.
_LIVE: weakref.WeakSet[CountyPII] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    """A forked child must never use its parent's remaining nonces (the parent may use them
    too): each instance draws a fresh pool before its next value."""
    for pii in list(_LIVE):
        pii._nonce_at = NONCE_POOL


os.register_at_fork(after_in_child=_after_fork_in_child)


class CountyPII:
    def __init__(self, schema: str, *, exact: bool = False) -> None:
        self.schema = schema
        self.fast = not exact and self._fast_setup()
        if not self.fast:
            self.encrypt = self._exact_encrypt  # type: ignore[method-assign]
            self.index_id_number = self._exact_index_id  # type: ignore[method-assign]
            self.index_phone = self._exact_index_phone  # type: ignore[method-assign]

    # -- fast path ----------------------------------------------------------------
    def _refill(self) -> None:
        """Fresh random nonces, read from the OS in one call for the next NONCE_POOL bytes'
        worth of values instead of one call per value; drawn again in a forked child
        (``_after_fork_in_child``), so that no two processes ever use the same nonces."""
        self._nonces = os.urandom(NONCE_POOL)
        self._nonce_at = 0

    def _fast_setup(self) -> bool:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        if crypto.current_cipher() != crypto.AES_256_GCM:
            return False
        self._aes = AESGCM(crypto.derive_key("enc", schema=self.schema, length=32))
        self._refill()
        _LIVE.add(self)
        self._head = crypto.encrypt("x", schema=self.schema).split(":", 1)[0] + ":"
        if self._head != f"v{crypto.KEY_VERSION}a:":
            return False
        # HMAC-SHA256 (RFC 2104) from its two keyed SHA-256 states, copied per value: the
        # same digest as hmac.new(key, value, sha256), without its Python-level copy().
        key = crypto.derive_key("idx", schema=self.schema, length=32).ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))
        for value in SAMPLES:
            token = self.encrypt(value)
            if crypto.decrypt(token, schema=self.schema) != value:
                return False
            reference = crypto.encrypt(value, schema=self.schema)
            if len(token) != len(reference) or not token.startswith(self._head):
                return False
        if self.index_id_number(SAMPLES[0]) != index_for(
            "id_number", SAMPLES[0], schema=self.schema
        ):
            return False
        return self.index_phone(SAMPLES[2]) == index_for("phone", SAMPLES[2], schema=self.schema)

    def encrypt(self, value: str) -> str:
        at = self._nonce_at
        if at >= NONCE_POOL:
            self._refill()
            at = 0
        end = self._nonce_at = at + crypto.NONCE_BYTES
        nonce = self._nonces[at:end]
        sealed = nonce + self._aes.encrypt(nonce, value.encode(), b"")
        # base64url without padding, as crypto.encrypt writes it (urlsafe_b64encode's work
        # without its two Python-level calls).
        body = binascii.b2a_base64(sealed, newline=False).translate(_URLSAFE).rstrip(b"=")
        return self._head + body.decode("ascii")

    def index_id_number(self, value: str) -> str:
        inner = self._inner.copy()
        inner.update(value.encode("ascii"))
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()

    def index_phone(self, value: str) -> str | None:
        return self.index_id_number(value) if value else None

    # -- the application's own functions, value by value ------------------------------
    def _exact_encrypt(self, value: str) -> str:
        return crypto.encrypt(value, schema=self.schema)

    def _exact_index_id(self, value: str) -> str | None:
        return index_for("id_number", value, schema=self.schema)

    def _exact_index_phone(self, value: str) -> str | None:
        return index_for("phone", value, schema=self.schema)
