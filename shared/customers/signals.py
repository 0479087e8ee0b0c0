"""Any change to a tenant or a domain invalidates every process's route map."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from shared.customers.models import Domain, Tenant
from shared.customers.routing import invalidate_routes


@receiver([post_save, post_delete], sender=Tenant)
@receiver([post_save, post_delete], sender=Domain)
def tenant_or_domain_changed(**_: object) -> None:
    invalidate_routes()


@receiver([post_save, post_delete], sender=Tenant)
def tenant_keys_changed(**_: object) -> None:
    """This process drops its cached key identities (other processes: after
    ``zhdj.pii.crypto.KEY_CACHE_SECONDS``)."""
    from zhdj.pii.crypto import forget_tenant_keys

    forget_tenant_keys()
