"""高德 geocoder (地理编码, lbs.amap.com/api/webservice/guide/api/georegeo).

``GET {base}?address=…&key=KEY&output=JSON`` →
``{"status": "1", "count": "1", "geocodes": [{"formatted_address": …, "location": "lng,lat"}]}``;
``status`` "0" is an error (``info`` names it, e.g. INVALID_USER_KEY). 高德 answers in
GCJ-02; the point is shifted back to WGS-84 (``gcj02_to_wgs84``) so it lands where 天地图
or OpenStreetMap tiles draw the place.
"""

from __future__ import annotations

import math

from zhdj.geocoding import GeocoderError, Place
from zhdj.geocoding.http import get_json

_A = 6378245.0
_EE = 0.00669342162296594323


def _delta(lng: float, lat: float) -> tuple[float, float]:
    x, y = lng - 105.0, lat - 35.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    dlat += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2 / 3
    dlat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2 / 3
    dlat += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2 / 3
    dlng = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    dlng += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2 / 3
    dlng += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2 / 3
    dlng += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2 / 3
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrt_magic * math.cos(rad) * math.pi)
    return dlng, dlat


def gcj02_to_wgs84(lng: float, lat: float) -> tuple[float, float]:
    """The usual one-step inverse of the GCJ-02 offset (error well under 10 m in China)."""
    dlng, dlat = _delta(lng, lat)
    return lng - dlng, lat - dlat


class AmapGeocoder:
    name = "amap"

    def __init__(
        self, *, key: str, base_url: str = "https://restapi.amap.com/v3/geocode/geo", timeout=5.0
    ) -> None:
        self.key, self.base_url, self.timeout = key, base_url, timeout

    def geocode(self, address: str) -> Place | None:
        query = {"address": address, "key": self.key, "output": "JSON"}
        reply = get_json(self.base_url, query, timeout=self.timeout)
        if str(reply.get("status")) != "1":
            raise GeocoderError(f"amap: {reply.get('info')}")
        for item in reply.get("geocodes") or []:
            try:
                lng, lat = (float(v) for v in str(item["location"]).split(","))
            except (KeyError, ValueError):
                continue
            lng, lat = gcj02_to_wgs84(lng, lat)
            return Place(lat=lat, lng=lng, label=str(item.get("formatted_address") or address))
        return None
