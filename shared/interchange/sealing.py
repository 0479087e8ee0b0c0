"""Sealing of envelope payloads (信封加密): AES-256-GCM under the interchange key.

The key is ``HKDF-SHA256(ZHDJ_MASTER_KEY, info="zhdj:enc:interchange:transfer")`` through
``zhdj.pii.crypto`` (the purpose string holds a colon, which no schema name can, so it can
never equal a county's key). The envelope id is the associated data: a payload copied into
another envelope fails authentication. The receiving county decrypts and writes the
values through its own encrypted fields, i.e. re-encrypts them with its own key.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from zhdj.pii.crypto import decrypt, encrypt

CONTEXT = "interchange:transfer"


def seal(envelope_id: UUID, data: dict[str, Any]) -> str:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)
    return encrypt(text, schema=CONTEXT, aad=str(envelope_id).encode("ascii"))


def unseal(envelope_id: UUID, token: str) -> dict[str, Any]:
    return json.loads(decrypt(token, schema=CONTEXT, aad=str(envelope_id).encode("ascii")))
