"""Geocoding of an organization's address (地址解析) for the e-map.

One small interface, ``Geocoder.geocode(address) -> Place | None``, behind which sit the
adapters of the services a city may have a key for: 天地图 (``tianditu``, CGCS2000, the
same system as the map's tiles) and 高德 (``amap``, whose GCJ-02 answer is shifted back to
WGS-84 so the point lands where the tiles draw it). ``double`` answers from a small table
of the demo's place names without any network, for tests and ``make demo``.

Settings: ``ZHDJ_GEOCODER`` ("" = off: the user picks the point on the map),
``ZHDJ_GEOCODER_URL`` (the service's endpoint; a default per service), ``ZHDJ_GEOCODER_KEY``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.conf import settings


@dataclass(frozen=True)
class Place:
    """A geocoded point (WGS-84 / CGCS2000 degrees) and what the service matched."""

    lat: float
    lng: float
    label: str = ""


class GeocoderError(RuntimeError):
    """The service could not be asked (network, key, quota): not "address not found"."""


class Geocoder(Protocol):
    name: str

    def geocode(self, address: str) -> Place | None:
        """The point of ``address``; ``None`` when the service knows no such place."""


def geocoder() -> Geocoder | None:
    """The configured geocoder, or ``None`` when geocoding is off."""
    kind = (settings.ZHDJ_GEOCODER or "").strip().lower()
    url, key = settings.ZHDJ_GEOCODER_URL, settings.ZHDJ_GEOCODER_KEY
    if kind == "tianditu":
        from zhdj.geocoding.tianditu import TiandituGeocoder

        return TiandituGeocoder(key=key, **({"base_url": url} if url else {}))
    if kind == "amap":
        from zhdj.geocoding.amap import AmapGeocoder

        return AmapGeocoder(key=key, **({"base_url": url} if url else {}))
    if kind == "double":
        from zhdj.geocoding.double import DoubleGeocoder

        return DoubleGeocoder()
    if kind:
        raise GeocoderError(f"unknown ZHDJ_GEOCODER {kind!r}")
    return None
