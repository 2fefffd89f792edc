"""Screenshot a run's segmentation in the viewer of ``dacapo view``, rendered
by headless Chromium (no display, no GPU: WebGL runs on SwiftShader).

    python docs/scripts/screenshot_demo.py -r RUN \\
        --raw DATA.zarr/raw --segmentation OUT.zarr/SEGMENTATION \\
        -o docs/images/demo_segmentation.png

``--raw`` and ``--segmentation`` are CONTAINER/DATASET paths (for the demo: the
large volume and the output ``dacapo apply`` wrote). Without them the picture
shows what ``dacapo view -r RUN`` shows first: the first validation crop's
raw and ground truth and its best validation output. 3D data is cut through
its centre (``--z`` picks another plane, in nm).

Needs the ``viewer`` extra (``pip install 'dacapo-ml[viewer]'``) and Chromium
(Debian: ``apt-get install chromium``). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any, List, Optional

#: Chromium flags: headless, software WebGL (SwiftShader through ANGLE)
CHROMIUM_FLAGS = ["--headless", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
                  "--ignore-gpu-blocklist", "--no-first-run", "--disable-extensions",
                  "--mute-audio"]
#: largest PNG kept as it is; larger ones are reduced to 256 colours
MAX_BYTES = 500_000


def main(argv: Optional[List[str]] = None) -> int:
    args = _parser().parse_args(argv)
    from dacapo.view import NeuroglancerRunViewer, ViewArray

    arrays = [ViewArray(args.raw, "image")] if args.raw else []
    arrays += [ViewArray(args.segmentation, "labels")] if args.segmentation else []
    viewer = NeuroglancerRunViewer(args.run_name, arrays=arrays)
    viewer.start()
    try:
        _frame(viewer, args.width, args.height, args.z, args.opacity)
        png = _render(viewer, args.chromium, args.width, args.height, args.timeout)
    finally:
        viewer.stop()
    size = _save(png, Path(args.output))
    print(f"screenshot of run {args.run_name!r} written: {args.output} ({size // 1000} kB)")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-r", "--run-name", required=True, help="the run (in the config store)")
    parser.add_argument("--raw", help="CONTAINER/DATASET of the image under the segmentation")
    parser.add_argument("--segmentation", help="CONTAINER/DATASET of the labels to show")
    parser.add_argument("-o", "--output", default="docs/images/demo_segmentation.png",
                        help="PNG to write (default: %(default)s)")
    parser.add_argument("--width", type=int, default=800, help="pixels (default: %(default)s)")
    parser.add_argument("--height", type=int, default=800, help="pixels (default: %(default)s)")
    parser.add_argument("--z", type=float, help="the plane to show, in nm (default: centre)")
    parser.add_argument("--opacity", type=float, default=0.45,
                        help="opacity of the segmentation (default: %(default)s)")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium",
                        help="the Chromium executable (default: %(default)s)")
    parser.add_argument("--timeout", type=float, default=180,
                        help="seconds to wait for the picture (default: %(default)s)")
    return parser


def _frame(viewer: Any, width: int, height: int, z: Optional[float], opacity: float) -> None:
    """One cross-section (y, x) filling the picture with the first shown layer."""
    shown = [layer for layer in viewer.layers if layer.visible]
    array = shown[0].array
    with viewer.viewer.txn() as state:
        scales = dict(zip(state.dimensions.names, state.dimensions.scales * 1e9))  # nm
        extent = [array.roi.shape[-2] / scales["y"], array.roi.shape[-1] / scales["x"]]
        state.layout = "xy"
        state.show_axis_lines = False
        state.show_default_annotations = False
        state.cross_section_scale = 1.02 * max(extent[0] / height, extent[1] / width)
        if z is not None and "z" in scales:
            position = list(state.position)
            position[list(scales).index("z")] = z / scales["z"]
            state.position = position
        for layer in state.layers:
            if layer.type == "segmentation":
                layer.selected_alpha = opacity
    with viewer.viewer.config_state.txn() as config:
        config.show_ui_controls = False
        config.show_panel_borders = False
        config.viewer_size = [width, height]


def _render(viewer: Any, chromium: str, width: int, height: int, timeout: float) -> bytes:
    """Opens the viewer in headless Chromium and returns the PNG it renders
    once every visible chunk has loaded."""
    flags = CHROMIUM_FLAGS + (["--no-sandbox"] if os.geteuid() == 0 else [])  # root needs it
    window = f"--window-size={max(width, 1024)},{max(height, 768)}"
    with tempfile.TemporaryDirectory() as profile, tempfile.TemporaryFile() as log:
        browser = subprocess.Popen([chromium, *flags, f"--user-data-dir={profile}", window,
                                    viewer.url], stdout=log, stderr=log)
        try:
            return _screenshot(viewer.viewer, timeout, browser, log)
        finally:
            browser.terminate()
            browser.wait(timeout=30)


def _screenshot(ng_viewer: Any, timeout: float, browser: Any, log: Any) -> bytes:
    done, replies = threading.Event(), []

    def received(reply: Any) -> None:
        replies.append(reply)
        done.set()

    ng_viewer.async_screenshot(received)
    if not done.wait(timeout):
        log.seek(0)
        tail = log.read().decode(errors="replace").strip().splitlines()[-15:]
        state = "exited" if browser.poll() is not None else "still running"
        raise SystemExit(f"no picture after {timeout:.0f} s (Chromium {state}); can it render "
                         "WebGL here? Its last log lines:\n" + "\n".join(tail))
    return replies[0].screenshot.image


def _save(png: bytes, output: Path) -> int:
    """Writes ``png``; above ``MAX_BYTES`` it is reduced to 256 colours first."""
    if len(png) > MAX_BYTES:
        from PIL import Image

        image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=256)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
        png = buffer.getvalue()
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(png)
    return len(png)


if __name__ == "__main__":
    sys.exit(main())
