"""Figures to PNG for the page, fast, and knowing where their nodes landed.

Drawing a matplotlib chart costs tens of milliseconds, almost all of it in the frame
(axes, ticks, labels, legend), which changes far less often than the data. So a
picture names its frame with a key and marks its data artists; ``render`` draws the
frame once, keeps its pixels in a ``FrameCache``, and on later calls with the same key
restores them and draws only the data on top (matplotlib's blitting). The data is drawn
over the frame on every call, cached or not, so both give the same pixels.

The key names everything in the frame, so frames are shared by every session of the
page: thirty students on the same scenario draw each frame once between them.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Hashable

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

PICK_RADIUS_PX = 12.0  # a click this close to a node (in image pixels) selects it
PNG_COMPRESSION = 3  # zlib level: a third of level 6's time, files about 10% larger

Nodes = list[tuple[Any, str, np.ndarray, np.ndarray]]  # (axes, kind, indices, xy data)


@dataclass
class Pic:
    """A figure ready to draw: its clickable nodes, its data artists (drawn over the
    frame every time) and the key of its frame (None: nothing is cached)."""

    fig: Figure
    nodes: Nodes = field(default_factory=list)
    data: list = field(default_factory=list)
    frame: Hashable | None = None


class FrameCache:
    """Frames drawn so far, by key, the least recently used dropped beyond ``size``
    (a frame of a 480 x 368 picture is about 0.7 MB). Safe to share between threads."""

    def __init__(self, size: int = 64):
        self.size = size
        self.frames: OrderedDict = OrderedDict()
        self.lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key):
        with self.lock:
            region = self.frames.get(key)
            if region is None:
                self.misses += 1
            else:
                self.frames.move_to_end(key)
                self.hits += 1
            return region

    def put(self, key, region) -> None:
        with self.lock:
            self.frames[key] = region
            self.frames.move_to_end(key)
            while len(self.frames) > self.size:
                self.frames.popitem(last=False)


FRAMES = FrameCache()  # the page's, shared by all sessions


@dataclass
class Drawn:
    """A drawing as PNG and where each node landed in it, as fractions of the image's
    width (from the left) and height (from the top)."""

    png: bytes
    width: int
    height: int
    kind: np.ndarray = field(default_factory=lambda: np.array([], dtype=object))
    index: np.ndarray = field(default_factory=lambda: np.array([], dtype=np.int64))
    fx: np.ndarray = field(default_factory=lambda: np.array([]))
    fy: np.ndarray = field(default_factory=lambda: np.array([]))

    def pick(self, x: float, y: float, radius_px: float = PICK_RADIUS_PX
             ) -> tuple[str, int] | None:
        """The node nearest a click at (x, y) (fractions, as for fx and fy), if one is
        within ``radius_px`` image pixels; else None."""
        if not len(self.index):
            return None
        d2 = ((self.fx - x) * self.width) ** 2 + ((self.fy - y) * self.height) ** 2
        k = int(np.argmin(d2))
        return (str(self.kind[k]), int(self.index[k])) if d2[k] <= radius_px ** 2 else None


def render(pic: Pic | Figure, cache: FrameCache | None = None) -> Drawn:
    """Draw a picture to PNG (reusing a frame from ``cache`` when one has its key;
    None: draw everything) and record where its nodes landed."""
    if isinstance(pic, Figure):
        pic = Pic(pic)
    fig = pic.fig
    canvas = FigureCanvasAgg(fig)
    for artist in pic.data:
        artist.set_animated(True)  # left out of canvas.draw(): drawn below, on top
    key = None if pic.frame is None else (pic.frame, fig.bbox.width, fig.bbox.height)
    region = cache.get(key) if cache is not None and key is not None else None
    if region is not None:
        canvas.get_renderer()
        canvas.restore_region(region)
    else:
        canvas.draw()
        if cache is not None and key is not None:
            cache.put(key, canvas.copy_from_bbox(fig.bbox))
    for artist in sorted(pic.data, key=lambda a: a.get_zorder()):
        fig.draw_artist(artist)
    image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(),
                             "raw", "RGBA", 0, 1).convert("RGB")
    buf = io.BytesIO()
    image.save(buf, format="png", compress_level=PNG_COMPRESSION)
    w, h = canvas.get_width_height()
    return _with_nodes(Drawn(buf.getvalue(), w, h), pic.nodes)


def _with_nodes(drawn: Drawn, nodes: Nodes) -> Drawn:
    kinds, idx, fx, fy = [], [], [], []
    for ax, kind, index, xy in nodes:
        if not len(index):
            continue
        px = ax.transData.transform(np.asarray(xy, dtype=float))  # display pixels
        kinds.append(np.full(len(index), kind, dtype=object))
        idx.append(np.asarray(index, dtype=np.int64))
        fx.append(px[:, 0] / drawn.width)
        fy.append(1.0 - px[:, 1] / drawn.height)  # images count rows from the top
    if idx:
        drawn.kind, drawn.index = np.concatenate(kinds), np.concatenate(idx)
        drawn.fx, drawn.fy = np.concatenate(fx), np.concatenate(fy)
    return drawn


def nice_ceiling(x: float) -> float:
    """The smallest of 1, 2, 5 x 10^k at or above x (at least 1): axis limits that
    change seldom, so the cached frame lasts."""
    x = max(float(x), 1.0)
    k = 10.0 ** np.floor(np.log10(x))
    for m in (1.0, 2.0, 5.0, 10.0):
        if m * k >= x - 1e-9:
            return m * k
    return 10.0 * k


def horizon(step: int, block: int = 26) -> int:
    """The x-axis end: the next multiple of half a year at or after ``step``."""
    return block * max(1, -(-int(step) // block))
