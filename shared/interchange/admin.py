"""Admin of the interchange tables (city site only, for ops support). Read-only: envelopes
move by compare-and-set in the counties' services, letter records mirror issued letters.
The sealed payload is never shown."""

from __future__ import annotations

from django.contrib import admin

from shared.interchange.models import LetterRecord, TransferEnvelope
from zhdj.admin_scope import PublicOnlyAdmin, ReadOnlyAdmin


class ReadOnlyPublicAdmin(ReadOnlyAdmin, PublicOnlyAdmin):
    pass


@admin.register(TransferEnvelope)
class TransferEnvelopeAdmin(ReadOnlyPublicAdmin):
    list_display = ("masked_name", "source_schema", "target_schema", "state", "sent_at")
    list_filter = ("state", "source_schema", "target_schema")
    exclude = ("payload",)


@admin.register(LetterRecord)
class LetterRecordAdmin(ReadOnlyPublicAdmin):
    list_display = ("serial", "masked_name", "issuer_name", "issued_on", "valid_until", "state")
    list_filter = ("state",)
    exclude = ("token",)
