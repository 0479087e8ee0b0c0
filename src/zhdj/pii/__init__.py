"""Personal-data protection (个人信息保护) for the member database.

Implements the platform's rules for personal information at rest (GB/T 22239-2019 level 3,
"confidentiality of personal data in storage"; PIPL minimisation and masking):

- ``crypto``: authenticated encryption with per-tenant keys (AES-256-GCM, NIST SP 800-38D,
  or SM4-GCM, GB/T 32907-2016 / GB/T 17964-2021) derived by HKDF-SHA256 (RFC 5869) from
  ``settings.ZHDJ_MASTER_KEY``, and keyed-hash blind indexes (HMAC-SHA256, RFC 2104) for
  exact lookup and uniqueness.
- ``fields``: ``EncryptedTextField`` and ``index_for`` for the companion index column.
- ``masking``: masked display of ID numbers, phones, addresses and names (脱敏).
- ``idnumber``: GB 11643-1999 citizen ID numbers (公民身份号码): checksum, birth date, sex.

The package ``__init__`` imports nothing so that ``zhdj.pii.idnumber`` can be used by the
synthetic data generator (``bench/``) without loading the cryptography stack.
"""

from __future__ import annotations
