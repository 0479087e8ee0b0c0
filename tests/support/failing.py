"""A tenant initializer that fails, to prove onboarding rolls everything back."""

from __future__ import annotations


class InjectedFailure(RuntimeError):
    pass


def explode(**_: object) -> None:
    raise InjectedFailure("injected failure during onboarding")
