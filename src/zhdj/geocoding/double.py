"""The local geocoder double (tests and ``make demo``): no network, a small table of the
demo's place names in 榆林市 with approximate coordinates; the longest name found in the
address wins, so "榆阳区鼓楼街道新建路1号" lands on 鼓楼街道, not just on 榆阳区."""

from __future__ import annotations

from zhdj.geocoding import Place

# name → (latitude, longitude), WGS-84, approximate (town and county seats).
PLACES: dict[str, tuple[float, float]] = {
    "榆林市": (38.2852, 109.7346),
    "榆阳区": (38.2852, 109.7346),
    "鼓楼街道": (38.2905, 109.7412),
    "青山路街道": (38.2710, 109.7580),
    "鱼河镇": (38.1720, 109.8370),
    "神木市": (38.8420, 110.4990),
    "滨河新区街道": (38.8140, 110.4880),
    "大柳塔镇": (39.2650, 110.2620),
    "府谷县": (39.0280, 111.0670),
    "府谷镇": (39.0300, 111.0720),
    "新民镇": (39.1470, 110.8900),
}


class DoubleGeocoder:
    name = "double"

    def geocode(self, address: str) -> Place | None:
        found = [name for name in PLACES if name in (address or "")]
        if not found:
            return None
        name = max(found, key=len)
        lat, lng = PLACES[name]
        return Place(lat=lat, lng=lng, label=name)
