"""Channels named by code or name (``12345-phone``, ``12345热线``), active or not: the caller
says why an inactive one takes no appeals."""

from __future__ import annotations

from jishiban.core.lookups import Resolver

from .models import Channel

CHANNELS = Resolver(Channel, lambda: Channel.objects.all(), lambda channel: [channel.name],
                    probe=lambda code: Channel.objects.filter(code=code).first())
