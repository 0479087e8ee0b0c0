"""The front-end libraries from npm (node_modules, never committed) that pages use, and
only those: each library's ``dist/`` holds tens of megabytes of builds no page loads
(echarts alone 51 MB), which collectstatic would hash and compress for nothing.

``VendorFinder`` is a staticfiles finder over this allow-list; ``{% static 'vendor/…' %}``
names these files and the page sweep would fail on any other. Source maps travel with the
files that name them (the hashed-name storage rewrites those references and refuses a
missing one).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

# static prefix → (folder under node_modules, files)
VENDOR: dict[str, tuple[str, tuple[str, ...]]] = {
    "vendor/htmx": ("htmx.org/dist", ("htmx.min.js",)),
    "vendor/echarts": ("echarts/dist", ("echarts.min.js",)),
    "vendor/leaflet": (
        "leaflet/dist",
        (
            "leaflet.js",
            "leaflet.js.map",
            "leaflet.css",
            "images/layers.png",
            "images/layers-2x.png",
            "images/marker-icon.png",
            "images/marker-icon-2x.png",
            "images/marker-shadow.png",
        ),
    ),
    "vendor/leaflet.markercluster": (
        "leaflet.markercluster/dist",
        ("leaflet.markercluster.js", "leaflet.markercluster.js.map", "MarkerCluster.css"),
    ),
}


def _root() -> Path:
    return Path(settings.BASE_DIR) / "node_modules"


class VendorFinder(BaseFinder):
    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> str | list[str]:
        for prefix, (folder, files) in VENDOR.items():
            name = path.removeprefix(prefix + "/")
            if name != path and name in files:
                found = str(_root() / folder / name)
                return [found] if find_all or kwargs.get("all") else found
        return [] if find_all or kwargs.get("all") else ""

    def list(self, ignore_patterns: list[str] | None) -> Any:
        for prefix, (folder, files) in VENDOR.items():
            storage = FileSystemStorage(location=_root() / folder)
            storage.prefix = prefix
            for name in files:
                yield name, storage
