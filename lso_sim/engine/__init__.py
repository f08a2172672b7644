"""The discrete-event engine: simulation, actors, channels, distributions, observers."""

from lso_sim.engine.actor import Actor, ActorStats, Handler, Process, RequestTimeout
from lso_sim.engine.channel import Channel, ChannelSpec
from lso_sim.engine.distributions import Constant, Distribution, Exponential, LogNormal, Uniform
from lso_sim.engine.observers import MemoryTrace, TraceObserver
from lso_sim.engine.random_streams import RandomStreams
from lso_sim.engine.simulation import ChannelFactory, Simulation

__all__ = [
    "Actor",
    "ActorStats",
    "Channel",
    "ChannelFactory",
    "ChannelSpec",
    "Constant",
    "Distribution",
    "Exponential",
    "Handler",
    "LogNormal",
    "MemoryTrace",
    "Process",
    "RandomStreams",
    "RequestTimeout",
    "Simulation",
    "TraceObserver",
    "Uniform",
]
