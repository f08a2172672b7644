"""Messages: the envelope, the operations catalogue and the typed payload models."""

from lso_sim.messages.envelope import MESSAGE_KINDS, Flow, Kind, Message

__all__ = ["MESSAGE_KINDS", "Flow", "Kind", "Message"]
