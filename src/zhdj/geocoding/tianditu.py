"""天地图 geocoder (地理编码, lbs.tianditu.gov.cn/server/geocodinginterface.html).

``GET {base}?ds={"keyWord": address}&tk=KEY`` →
``{"status": "0", "msg": "ok", "location": {"lon": …, "lat": …, "level": …, "keyWord": …}}``;
any other status means not found (or a bad key: ``msg`` says which). Coordinates are
CGCS2000, the system of 天地图's own tiles.
"""

from __future__ import annotations

import json

from zhdj.geocoding import GeocoderError, Place
from zhdj.geocoding.http import get_json

KEY_ERRORS = ("key", "权限", "tk")


class TiandituGeocoder:
    name = "tianditu"

    def __init__(
        self, *, key: str, base_url: str = "https://api.tianditu.gov.cn/geocoder", timeout=5.0
    ) -> None:
        self.key, self.base_url, self.timeout = key, base_url, timeout

    def geocode(self, address: str) -> Place | None:
        ds = json.dumps({"keyWord": address}, ensure_ascii=False)
        reply = get_json(self.base_url, {"ds": ds, "tk": self.key}, timeout=self.timeout)
        if str(reply.get("status")) != "0":
            msg = str(reply.get("msg", ""))
            if any(word in msg.lower() for word in KEY_ERRORS):
                raise GeocoderError(f"tianditu: {msg}")
            return None
        location = reply.get("location") or {}
        try:
            lat, lng = float(location["lat"]), float(location["lon"])
        except (KeyError, TypeError, ValueError):
            return None
        return Place(lat=lat, lng=lng, label=str(location.get("keyWord") or address))
