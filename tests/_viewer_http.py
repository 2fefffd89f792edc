"""Reading what a neuroglancer viewer serves, over HTTP, as a browser would."""

from __future__ import annotations

import http.client
import io
import json
import urllib.request
import zlib
from typing import Any, Dict, Sequence
from urllib.parse import urlparse

import numpy as np


def _get(viewer: Any, layer_name: str, path: str) -> bytes:
    """``GET /neuroglancer/<path with the layer's volume token>`` from ``viewer``'s server."""
    source = viewer.state.layers[layer_name].source[0].url
    assert str(source).startswith("python://volume/"), source
    token = str(source).rsplit("/", 1)[-1]
    url = urlparse(viewer.get_viewer_url())
    address = f"http://{url.netloc}/neuroglancer/{path.format(token=token)}"
    with urllib.request.urlopen(address, timeout=10) as reply:
        return reply.read()


def served_info(viewer: Any, layer_name: str) -> Dict[str, Any]:
    """The volume info (coordinate space, shape, voxel offset, data type) the
    server hands out for layer ``layer_name`` of ``viewer``."""
    return json.loads(_get(viewer, layer_name, "info/{token}"))


def served_chunk(viewer: Any, layer_name: str, start: Sequence[int],
                 end: Sequence[int]) -> np.ndarray:
    """The voxels ``[start, end)`` (served axes, from the data's first voxel)
    of layer ``layer_name``, at full resolution, as a browser gets them."""
    scale = ",".join("1" for _ in start)
    body = _get(viewer, layer_name, f"npz/{{token}}/{scale}/{','.join(map(str, start))}/"
                f"{','.join(map(str, end))}")
    return np.load(io.BytesIO(zlib.decompress(body)))


def served_state(viewer: Any) -> Dict[str, Any]:
    """The viewer state as the server first sends it to a browser (its event stream)."""
    url = urlparse(viewer.get_viewer_url())
    token = url.path.strip("/").split("/")[1]
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        connection.request("GET", f"/events/{token}?c=test&gc=&gs=")
        reply = connection.getresponse()
        assert reply.status == 200, reply.status
        for _ in range(20):
            line = reply.readline().decode()
            if line.startswith("data:"):
                message = json.loads(line[len("data:"):])
                if message["k"] == "s":
                    return message["s"]
        raise AssertionError("the event stream sent no viewer state")
    finally:
        connection.close()


def metres(nanometres: float) -> list:
    """A neuroglancer coordinate-space entry for a length in nm."""
    return [nanometres * 1e-9, "m"]
