"""The course's Jupyter server extension (helpers/socialized_loss_server.py): kernel websockets without Nagle's
algorithm, so a widget's image is not held back ~40 ms for the browser's delayed ACK (bench/browser_bench.py)."""
from __future__ import annotations

import asyncio
import json
from pathlib import Path

import socialized_loss_server as ext

ROOT = Path(__file__).resolve().parents[1]


def test_the_kernel_websocket_sets_nodelay_before_it_opens(monkeypatch):
    from jupyter_server.services.kernels.websocket import KernelWebsocketHandler as Handler

    calls: list = []

    async def original_open(self, kernel_id):
        calls.append(("open", kernel_id))

    monkeypatch.setattr(Handler, "open", original_open)
    monkeypatch.setattr(Handler, "_socialized_loss_nodelay", False, raising=False)
    assert ext.nodelay_kernel_websockets()
    assert ext.nodelay_kernel_websockets()  # idempotent: one wrapper, not two

    class Socket:
        def set_nodelay(self, value):
            calls.append(("nodelay", value))

    asyncio.run(Handler.open(Socket(), "k1"))
    assert calls == [("nodelay", True), ("open", "k1")]


def test_every_route_enables_the_extension():
    config = json.loads((ROOT / "tools" / "jupyterlab" / "socialized_loss_server.json").read_text())
    assert config == {"ServerApp": {"jpserver_extensions": {"socialized_loss_server": True}}}
    assert "socialized_loss_server.json" in (ROOT / "postBuild").read_text(), "Binder"
    assert "SERVER_EXTENSION" in (ROOT / "tools" / "course.py").read_text(), "make lab"
    assert ext._jupyter_server_extension_points() == [{"module": "socialized_loss_server"}]
