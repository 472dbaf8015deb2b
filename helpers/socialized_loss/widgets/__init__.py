"""The course's interactive explorers.

Each lesson's widget lives in ``widgets/<name>.py`` and has two parts:

- a plain update function (controls in, a result dict out) that unit tests drive without a browser;
- a builder that wires ipywidgets controls to it and redraws a figure in place.

Every module in this folder that defines ``__all__`` is imported, and its public names are re-exported here, so
``sl.widgets.margin_explorer()`` works for any of them.
"""
from __future__ import annotations

import pkgutil as _pkgutil
from importlib import import_module as _import_module

__all__: list[str] = []

for _info in sorted(_pkgutil.iter_modules(__path__), key=lambda i: i.name):
    if _info.name.startswith("_"):
        continue
    _mod = _import_module(f".{_info.name}", __name__)
    for _public in getattr(_mod, "__all__", ()):
        globals()[_public] = getattr(_mod, _public)
        __all__.append(_public)
