"""The one HTTP GET the geocoding adapters make (JSON answer, short timeout)."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from zhdj.geocoding import GeocoderError


def get_json(base_url: str, query: dict[str, str], *, timeout: float) -> dict[str, Any]:
    url = f"{base_url}?{urllib.parse.urlencode(query)}"
    if not url.startswith(("https://", "http://")):
        raise GeocoderError("geocoder URL must be http(s)")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - checked above
            return json.loads(response.read().decode("utf-8"))
    except (OSError, ValueError, urllib.error.URLError) as exc:
        raise GeocoderError(f"geocoder unreachable: {exc}") from exc
