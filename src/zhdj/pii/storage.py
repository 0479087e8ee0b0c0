"""Files encrypted at rest (加密存储的文件): a storage that seals every file it writes.

``EncryptedStorage`` wraps the default storage (``TenantFileSystemStorage``: one folder per
county) and passes every file through ``zhdj.pii.crypto.encrypt_bytes`` on the way in and
``decrypt_bytes`` on the way out, under the key of the county the connection is on. What lies
on disk is ``ZHDJF2`` + key version + cipher + nonce + ciphertext and tag; a file that does not
begin so (written before encryption, until ``rotate_pii_keys`` or the migration has sealed it)
is read as it is. The wrapper has no ``url``: files are served only by views that read them
through it (``path`` names the sealed file on disk, whose bytes are ciphertext).

Model fields use it as ``FileField(storage=encrypted_storage)`` (a callable, so migrations
name the function, not an instance).
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage, storages
from django.utils.deconstruct import deconstructible

from zhdj.pii.crypto import (
    NONCE_BYTES,
    TAG_BYTES,
    current_key_version,
    decrypt_bytes,
    encrypt_bytes,
    file_version,
    is_encrypted_file,
)

_F1_HEAD = b"ZHDJF1a"  # magic + cipher letter
_F2_HEAD = b"ZHDJF2\x01a"  # magic + key version + cipher letter


@deconstructible(path="zhdj.pii.storage.EncryptedStorage")
class EncryptedStorage(Storage):
    """The default storage, with every file sealed under the county's key."""

    @property
    def inner(self) -> Storage:
        return storages["default"]

    # -- reading and writing --------------------------------------------------------
    def _open(self, name: str, mode: str = "rb") -> File:
        if "w" in mode or "a" in mode or "+" in mode:
            raise ValueError("encrypted files are written with save(), not opened for writing")
        with self.inner.open(name, "rb") as handle:
            blob = handle.read()
        data = decrypt_bytes(blob) if is_encrypted_file(blob) else blob
        return ContentFile(data, name=name)

    def _save(self, name: str, content: Any) -> str:
        if hasattr(content, "seek"):
            content.seek(0)
        data = content.read()
        if isinstance(data, str):
            data = data.encode("utf-8")
        return self.inner.save(name, ContentFile(encrypt_bytes(data)))

    def raw(self, name: str) -> bytes:
        """The bytes on disk (the key rotation, tests)."""
        with self.inner.open(name, "rb") as handle:
            return handle.read()

    def reseal(self, name: str) -> bool:
        """Encrypt a clear file, or re-encrypt one under an older key version, in place.
        False when it is already sealed under the current version (nothing written)."""
        blob = self.raw(name)
        if is_encrypted_file(blob):
            if file_version(blob) == current_key_version():
                return False
            blob = decrypt_bytes(blob)
        self._replace(name, encrypt_bytes(blob))
        return True

    def unseal(self, name: str) -> bool:
        """Write a file back in clear (reversing the migration that sealed it)."""
        blob = self.raw(name)
        if not is_encrypted_file(blob):
            return False
        self._replace(name, decrypt_bytes(blob))
        return True

    def _replace(self, name: str, data: bytes) -> None:
        try:
            path = self.inner.path(name)
        except NotImplementedError:  # pragma: no cover - not a file system storage
            self.inner.delete(name)
            if self.inner.save(name, ContentFile(data)) != name:
                raise RuntimeError(f"could not rewrite {name} in place") from None
            return
        # A new file beside the old one, then renamed over it: never a moment without it.
        fd, temporary = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".reseal-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temporary, os.stat(path).st_mode & 0o777)
            os.replace(temporary, path)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise

    # -- everything else is the inner storage's -------------------------------------
    def delete(self, name: str) -> None:
        self.inner.delete(name)

    def exists(self, name: str) -> bool:
        return self.inner.exists(name)

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        return self.inner.listdir(path)

    def size(self, name: str) -> int:
        """The size of the file's content (the bytes on disk less the seal)."""
        with self.inner.open(name, "rb") as handle:
            head = handle.read(len(_F2_HEAD))
        size = self.inner.size(name)
        if not is_encrypted_file(head):
            return size
        overhead = len(_F1_HEAD) if head.startswith(_F1_HEAD[:6]) else len(_F2_HEAD)
        return size - overhead - NONCE_BYTES - TAG_BYTES

    def path(self, name: str) -> str:
        """Where the sealed file lies (its bytes are ciphertext: read it through ``open``)."""
        return self.inner.path(name)

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        return self.inner.get_available_name(name, max_length=max_length)

    def get_valid_name(self, name: str) -> str:
        return self.inner.get_valid_name(name)

    def generate_filename(self, filename: str) -> str:
        return self.inner.generate_filename(filename)

    def get_accessed_time(self, name: str) -> Any:
        return self.inner.get_accessed_time(name)

    def get_created_time(self, name: str) -> Any:
        return self.inner.get_created_time(name)

    def get_modified_time(self, name: str) -> Any:
        return self.inner.get_modified_time(name)


_STORAGE = EncryptedStorage()


def encrypted_storage() -> EncryptedStorage:
    """The storage for ``FileField(storage=encrypted_storage)``."""
    return _STORAGE
