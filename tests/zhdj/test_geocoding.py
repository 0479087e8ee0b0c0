"""Geocoding adapters (天地图, 高德) against a local double that speaks their HTTP
protocols, the in-process double of the demo, and the switch (off when not configured)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import override_settings

from zhdj.geocoding import GeocoderError, geocoder
from zhdj.geocoding.amap import AmapGeocoder, gcj02_to_wgs84
from zhdj.geocoding.double import DoubleGeocoder
from zhdj.geocoding.tianditu import TiandituGeocoder

KEY = "test-key"
KNOWN = "陕西省榆林市榆阳区新建南路1号"
TIANDITU_POINT = (38.2852, 109.7346)  # (lat, lng)
AMAP_LOCATION = "109.740787,38.284111"  # GCJ-02, as 高德 answers


class ServiceDouble(BaseHTTPRequestHandler):
    """/tianditu?ds={"keyWord": …}&tk=… and /amap?address=…&key=…, as the services do."""

    def do_GET(self) -> None:
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/tianditu":
            reply = self._tianditu(query)
        elif url.path == "/amap":
            reply = self._amap(query)
        else:
            self.send_error(404)
            return
        body = json.dumps(reply, ensure_ascii=False).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.end_headers()
        self.wfile.write(body)

    def _tianditu(self, query: dict[str, str]) -> dict:
        if query.get("tk") != KEY:
            return {"status": "1", "msg": "权限类型错误，key 无效"}
        word = json.loads(query["ds"])["keyWord"]
        if word != KNOWN:
            return {"status": "101", "msg": "结果为空"}
        lat, lng = TIANDITU_POINT
        return {
            "status": "0",
            "msg": "ok",
            "location": {"lon": lng, "lat": lat, "level": "门址", "keyWord": word},
        }

    def _amap(self, query: dict[str, str]) -> dict:
        if query.get("key") != KEY:
            return {"status": "0", "info": "INVALID_USER_KEY", "infocode": "10001"}
        if query.get("address") != KNOWN:
            return {"status": "1", "info": "OK", "count": "0", "geocodes": []}
        item = {"formatted_address": "陕西省榆林市榆阳区新建南路1号", "location": AMAP_LOCATION}
        return {"status": "1", "info": "OK", "count": "1", "geocodes": [item]}

    def log_message(self, *args) -> None:  # type: ignore[no-untyped-def]
        return


@pytest.fixture(scope="module")
def service() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), ServiceDouble)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_tianditu_finds_an_address_and_says_when_it_does_not(service):
    found = TiandituGeocoder(key=KEY, base_url=f"{service}/tianditu").geocode(KNOWN)
    assert found is not None and (found.lat, found.lng) == TIANDITU_POINT
    assert TiandituGeocoder(key=KEY, base_url=f"{service}/tianditu").geocode("火星") is None
    with pytest.raises(GeocoderError):  # a bad key is an error, not "not found"
        TiandituGeocoder(key="wrong", base_url=f"{service}/tianditu").geocode(KNOWN)


def test_amap_answers_are_shifted_back_from_gcj02(service):
    found = AmapGeocoder(key=KEY, base_url=f"{service}/amap").geocode(KNOWN)
    assert found is not None and found.label == "陕西省榆林市榆阳区新建南路1号"
    gcj_lng, gcj_lat = (float(v) for v in AMAP_LOCATION.split(","))
    # GCJ-02 is a few hundred metres off in 榆林; the answer is the WGS-84 point
    assert 0.001 < abs(found.lng - gcj_lng) < 0.01 and 0.0005 < abs(found.lat - gcj_lat) < 0.01
    assert (round(found.lng, 6), round(found.lat, 6)) == tuple(
        round(v, 6) for v in gcj02_to_wgs84(gcj_lng, gcj_lat)
    )
    assert AmapGeocoder(key=KEY, base_url=f"{service}/amap").geocode("火星") is None
    with pytest.raises(GeocoderError):
        AmapGeocoder(key="wrong", base_url=f"{service}/amap").geocode(KNOWN)


def test_an_unreachable_service_is_an_error():
    with pytest.raises(GeocoderError):
        TiandituGeocoder(key=KEY, base_url="http://127.0.0.1:9/x", timeout=1).geocode(KNOWN)


def test_the_double_knows_the_demo_towns():
    place = DoubleGeocoder().geocode("神木市大柳塔镇活鸡兔村")
    assert place is not None and place.label == "大柳塔镇" and 39.2 < place.lat < 39.3
    assert DoubleGeocoder().geocode("西安市雁塔区") is None


def test_geocoding_is_off_unless_configured(service):
    with override_settings(ZHDJ_GEOCODER=""):
        assert geocoder() is None
    with override_settings(ZHDJ_GEOCODER="double"):
        assert isinstance(geocoder(), DoubleGeocoder)
    with override_settings(
        ZHDJ_GEOCODER="tianditu", ZHDJ_GEOCODER_URL=f"{service}/tianditu", ZHDJ_GEOCODER_KEY=KEY
    ):
        found = geocoder().geocode(KNOWN)  # type: ignore[union-attr]
        assert found is not None and found.lat == TIANDITU_POINT[0]
