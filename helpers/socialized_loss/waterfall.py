"""Placeholder: filled in by the loss-engine work."""
from __future__ import annotations

__all__: list[str] = []
