"""Figures to PNG for the page, fast, and knowing where their nodes landed.

Drawing a matplotlib chart costs tens of milliseconds, almost all of it in the frame
(axes, ticks, labels, legend), which changes far less often than the data. So a
picture names its frame with a key and marks its data artists; ``render`` draws the
frame once, keeps its pixels in a ``FrameCache``, and on later calls with the same key
restores them and draws only the data on top (matplotlib's blitting). The data is drawn
over the frame on every call, cached or not, so both give the same pixels.

The key names everything in the frame, so frames are shared by every session of the
page: thirty students on the same scenario draw each frame once between them.

Building a figure's axes, ticks and legend costs more than drawing it, so the page's
pictures are made on ``Templates``: figures with their frame built, kept by frame key
and lent to one drawing at a time, which adds only the week's data (and removes the
last drawing's). And a finished drawing is kept by what it shows (``Drawings``): tabs
on the same scenario, seed, week and language get the same PNG, drawn once.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, Hashable

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
    frame every time), the key of its frame (None: nothing is cached) and what to call
    once it is drawn (a template's figure goes back to its pool)."""

    fig: Figure
    nodes: Nodes = field(default_factory=list)
    data: list = field(default_factory=list)
    frame: Hashable | None = None
    done: Callable[[], None] | None = None


class Template:
    """A figure with its frame built (``parts``: what its builder returned, the axes and
    artists the data goes on), lent to one drawing at a time. ``scratch``: the artists
    the last drawing added, removed before the next one adds its own."""

    def __init__(self, fig: Figure, parts: Any):
        self.fig, self.parts, self.scratch = fig, parts, []

    def clear(self) -> None:
        for artist in self.scratch:
            artist.remove()
        self.scratch = []


class Templates:
    """Templates by frame key: ``lend`` one not in use (or builds one), ``give_back``
    returns it once drawn. At most ``size`` are kept, the least recently used dropped.
    Safe to share between threads: a template is only ever in one drawing's hands."""

    def __init__(self, size: int = 64):
        self.size = size
        self.free: OrderedDict = OrderedDict()  # key -> templates not lent
        self.lock = threading.Lock()
        self.built = 0

    def lend(self, key: Hashable, build: Callable[[], Template]) -> Template:
        with self.lock:
            spare = self.free.get(key)
            if spare:
                self.free.move_to_end(key)
                template = spare.pop()
                template.clear()
                return template
            self.built += 1
        return build()  # outside the lock: other drawings go on meanwhile

    def give_back(self, key: Hashable, template: Template) -> None:
        with self.lock:
            self.free.setdefault(key, []).append(template)
            self.free.move_to_end(key)
            while sum(map(len, self.free.values())) > self.size:
                oldest = next(iter(self.free))
                self.free[oldest].pop(0)
                if not self.free[oldest]:
                    del self.free[oldest]

    def pic(self, key: Hashable, build: Callable[[], tuple[Figure, Any]],
            data: Callable[[Any], tuple[list, list]], nodes: Callable[[Any], Nodes] = lambda p: []
            ) -> Pic:
        """A Pic on a template of frame ``key`` (``build()``: the figure and its parts,
        the frame only): ``data(parts)`` adds the week's data and returns the artists to
        draw that stay (updated in place each time) and those to remove next time."""
        template = self.lend(key, lambda: Template(*build()))
        keep, scratch = data(template.parts)
        template.scratch = list(scratch)
        given = []

        def done():
            if not given:  # once
                given.append(True)
                self.give_back(key, template)

        return Pic(template.fig, nodes=nodes(template.parts), data=list(keep) + list(scratch),
                   frame=key, done=done)


TEMPLATES = Templates()  # the page's, shared by all sessions


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


class Drawings:
    """Finished drawings by what they show (a key naming every input of the picture),
    the least recently used dropped beyond ``size``. A drawing is never changed once
    made, so sessions share it; safe between threads (two asking for one not yet made
    may both draw it: the same picture)."""

    def __init__(self, size: int = 256):
        self.size = size
        self.made: OrderedDict = OrderedDict()
        self.lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, make: Callable[[], Any]) -> Any:
        with self.lock:
            if key in self.made:
                self.made.move_to_end(key)
                self.hits += 1
                return self.made[key]
            self.misses += 1
        value = make()  # outside the lock
        with self.lock:
            self.made[key] = value
            self.made.move_to_end(key)
            while len(self.made) > self.size:
                self.made.popitem(last=False)
        return value


DRAWINGS = Drawings()  # the page's, shared by all sessions


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
    try:
        return _render(pic, cache)
    finally:
        if pic.done is not None:
            pic.done()


def _render(pic: Pic, cache: FrameCache | None) -> Drawn:
    fig = pic.fig
    # a template's figure keeps its canvas (and the renderer's buffer) between drawings
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
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
