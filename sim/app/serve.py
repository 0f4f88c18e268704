"""Serve the classroom page: ``solara run`` on sim/app/page.py, made fit for a class.

- Nothing leaves the machine: Solara's update check (a request to the package index at
  start) is off (``--no-check-version``), and so is its telemetry (Mixpanel).
- No debug route shows the host: ``/resourcez`` answers with the page's session counts
  only, never the host's CPU and memory (Solara's ``?verbose``).
- No traceback reaches a browser: an error in a session is logged in the teacher's
  terminal and the page gets one line.
- Sessions whose tab is gone are culled after ``--cull-after`` (Solara keeps them a day).
- A websocket whose pings go unanswered is closed after minutes, not 20 s: on a loaded
  machine a page's first render can take longer (``WS_PING_TIMEOUT``).

``orgsim app`` runs this module (``python -m sim.app.serve``) in place of itself; the
settings go in through the environment, read by Solara's settings when first imported.
"""

from __future__ import annotations

import faulthandler
import json
import logging
import os
import signal
import sys

ERROR_LINE = "Something went wrong in this session; reload the page. (The details are in " \
             "the terminal that runs orgsim app.)"
log = logging.getLogger("orgsim.app")
# uvicorn closes a websocket whose ping is not answered within 20 s. While thirty tabs load
# on two cores the server's event loop can be that late itself (measured: connections closed
# 40 s after they opened), and a page that loses its socket during its first render stays
# at "Loading app" for good (Solara's reconnect finds its widgets gone). So a late pong is
# waited for a while; a dead tab is still found, and its session culled.
WS_PING_INTERVAL = 20.0  # seconds
WS_PING_TIMEOUT = 300.0  # seconds


def configure(cull_after: str) -> None:
    """Solara's settings for the class; call before Solara is imported."""
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    os.environ["SOLARA_KERNEL_CULL_TIMEOUT"] = cull_after
    os.environ.setdefault("MPLBACKEND", "Agg")
    from . import PAGE_FILE
    os.environ["SOLARA_APP"] = str(PAGE_FILE)  # read when Solara's app module is imported


def _counts_only(request):
    """/resourcez without anything about the host: how many sessions there are."""
    from starlette.responses import Response
    from solara.server import kernel_context

    contexts = list(kernel_context.contexts.values())
    data = {"kernels": {"total": len(contexts)}}
    return Response(json.dumps(data), media_type="application/json")


def forget_closed_models() -> None:
    """Mesa 3.3's ``Agent._ids`` holds every model ever made; in the page's server the
    counters hold their models weakly (sim.experiments.mesa_ids, as study workers do),
    so a culled session's models go with it."""
    from ..experiments.mesa_ids import forget_finished_models
    forget_finished_models()


def harden() -> None:
    """Patch the server Solara is about to run (same process, before uvicorn loads it)."""
    forget_closed_models()
    from starlette.routing import Route
    import solara.server.starlette as server  # first: it imports the rest in its order
    import solara.server.patch as patch

    router = server.app.router
    router.routes = [Route("/resourcez", endpoint=_counts_only)] + [
        r for r in router.routes if getattr(r, "path", None) != "/resourcez"]

    def one_line(self):
        log.error("error in a session", exc_info=sys.exc_info())
        for socket in self.context.control_sockets:
            try:
                socket.send_json({"type": "exception", "traceback": ERROR_LINE})
            except Exception:  # a socket that closed meanwhile
                pass

    patch.FakeIPython.showtraceback = one_line

    from solara.server import kernel_context
    close = kernel_context.VirtualKernelContext.close

    def close_and_let_go(self, *args, **kwargs):
        close(self, *args, **kwargs)
        release_memory()

    kernel_context.VirtualKernelContext.close = close_and_let_go

    import uvicorn  # solara's `run` makes its uvicorn.Config without the ping settings
    config_init = uvicorn.Config.__init__

    def patient_config(self, *args, **kwargs):
        kwargs.setdefault("ws_ping_interval", WS_PING_INTERVAL)
        kwargs.setdefault("ws_ping_timeout", WS_PING_TIMEOUT)
        config_init(self, *args, **kwargs)

    uvicorn.Config.__init__ = patient_config


def release_memory() -> None:
    """After a session is culled: collect its cycles and hand the freed heap back to the
    system (the model keeps freed blocks for reuse, sim.model._memory; a server that
    lives all day must not keep every closed session's peak)."""
    import ctypes
    import ctypes.util
    import gc

    gc.collect()
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):
            pass


DIE_WITH_PARENT_ENV = "ORGSIM_APP_DIE_WITH_PARENT"  # "1": the server ends with its parent


def die_with_parent() -> None:
    """On Linux, have the kernel send SIGTERM to this process when the process that
    started it ends (prctl PR_SET_PDEATHSIG), so a killed test run leaves no server
    behind. Off unless asked for: a teacher's server started with nohup outlives its shell."""
    import ctypes
    import ctypes.util

    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent ended before the signal was asked for
        os.kill(os.getpid(), signal.SIGTERM)


def main(argv: list[str] | None = None) -> None:
    """``python -m sim.app.serve HOST PORT OPEN CULL_AFTER``."""
    host, port, open_, cull_after = (argv if argv is not None else sys.argv[1:])[:4]
    configure(cull_after)
    if os.environ.get(DIE_WITH_PARENT_ENV) == "1":
        die_with_parent()
    # `kill -USR1 PID` prints every thread's stack in the terminal (a page that hangs);
    # from Python's handler on the main thread (faulthandler.register's dump, made
    # inside the signal while the other threads run on, once took the server down)
    signal.signal(signal.SIGUSR1, lambda *_: faulthandler.dump_traceback(all_threads=True))
    logging.basicConfig(level=logging.INFO, format="orgsim app: %(asctime)s %(message)s")
    logging.getLogger("MESA").setLevel(logging.WARNING)  # not a line per step
    harden()
    from solara.__main__ import cli

    from . import PAGE_FILE

    cli(["run", str(PAGE_FILE), "--host", host, "--port", port, "--production",
         "--no-check-version", "--open" if open_ == "open" else "--no-open"])


if __name__ == "__main__":
    main()
