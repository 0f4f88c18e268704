"""A local worker process (``python -m sim.experiments.worker IN OUT PARENT``): reads
(function, task) frames from file descriptor IN, runs them one at a time and writes
("ok", result) or ("error", text) frames to OUT. It exits at the end of its input, and
at once when its parent dies (Linux's parent-death signal). A finished run's model is
collected before the next run starts (sim.experiments.mesa_ids: Mesa would keep it), so
a worker's memory does not grow with the runs it has done."""

from __future__ import annotations

import gc
import os
import pickle
import signal
import sys
import traceback

from sim.experiments.frames import read_frame, write_frame


def die_with_parent(parent: int) -> None:
    """Ask Linux to kill this process when its parent dies; exit if it already has."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the end of the input still stops it
        pass
    if os.getppid() != parent:
        sys.exit(0)


def main(argv: list[str]) -> int:
    fd_in, fd_out, parent = (int(a) for a in argv)
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    init = read_frame(fd_in)
    if init is None:
        return 0
    for path in reversed(pickle.loads(init)["sys_path"]):  # the parent's import path
        if path not in sys.path:
            sys.path.insert(0, path)
    first = True
    while (frame := read_frame(fd_in)) is not None:
        try:
            fn, task = pickle.loads(frame)
            reply = ("ok", fn(task))
        except Exception as err:  # the parent raises it with this traceback
            reply = ("error", f"{type(err).__name__}: {err}\n{traceback.format_exc()}")
        write_frame(fd_out, pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL))
        del reply
        free_the_run(first)
        first = False
    return 0


def free_the_run(first: bool) -> None:
    """Collect the finished run's model (its objects hold each other in cycles); after
    the first run, whose imports are what stays, freeze those so that each later
    collection looks only at the run's own objects (a fraction of a millisecond
    instead of a fifth of a second)."""
    gc.collect()
    if first:
        gc.freeze()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
