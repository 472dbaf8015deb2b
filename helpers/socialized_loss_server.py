"""The course's Jupyter server extension: kernel websockets send each message at once (Nagle's algorithm off).

Why: jupyter_server leaves Nagle's algorithm on for the kernel websocket. A widget update is several small messages
in a row (busy, the control's echo, the readout, the image, idle); with Nagle on, each one after the first waits for
the browser's delayed TCP acknowledgement, about 40 ms on Linux. Measured in JupyterLab in headless Chromium
(``bench/browser_bench.py``): the image reached the page 34-46 ms after the kernel sent it, 5-6 ms with this
extension; a slider → full-size image with nothing computed went from 79-113 ms to 36 ms (median). Tornado documents
the fix (``WebSocketHandler.set_nodelay``); the cost is a few more small packets on the loopback.

Enabled by ``tools/course.py`` (``make lab``) through ``jupyter_server_config.d/socialized_loss_server.json`` in the
course's environment, and by the browser tests and benchmarks. Kept outside ``socialized_loss`` so the server process
imports nothing but this file.

>>> _jupyter_server_extension_points()
[{'module': 'socialized_loss_server'}]
"""
from __future__ import annotations

import inspect

__all__ = ["nodelay_kernel_websockets"]


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "socialized_loss_server"}]


def nodelay_kernel_websockets() -> bool:
    """Make jupyter_server's kernel websocket handler turn Nagle's algorithm off when a socket opens (idempotent).

    Returns True when the handler was patched now or before, False when this jupyter_server has no such handler.

    >>> nodelay_kernel_websockets() in (True, False)
    True
    """
    try:
        from jupyter_server.services.kernels.websocket import KernelWebsocketHandler
    except ImportError:  # a jupyter_server without it: nothing to do
        return False
    if getattr(KernelWebsocketHandler, "_socialized_loss_nodelay", False):
        return True
    original = KernelWebsocketHandler.open

    async def open(self, *args, **kwargs):
        self.set_nodelay(True)  # each websocket message leaves at once instead of waiting for the peer's ACK
        result = original(self, *args, **kwargs)
        return (await result) if inspect.isawaitable(result) else result

    KernelWebsocketHandler.open = open
    KernelWebsocketHandler._socialized_loss_nodelay = True
    return True


def _load_jupyter_server_extension(serverapp) -> None:
    done = nodelay_kernel_websockets()
    serverapp.log.info("socialized_loss_server: kernel websockets %s", "without Nagle delay" if done else "unchanged")
