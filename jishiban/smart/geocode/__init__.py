"""Address → Jining county/town (``resolve``) and lat/lon → grid (``GridIndex``); pure Python."""

from jishiban.smart.geocode.grid import GridIndex
from jishiban.smart.geocode.resolver import AddressResolver, Resolution, resolve

__all__ = ["AddressResolver", "GridIndex", "Resolution", "resolve"]
