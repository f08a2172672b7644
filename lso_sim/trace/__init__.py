"""Trace output: JSON records, the streaming JSONL writer and reader, run summaries."""

from lso_sim.trace.jsonl import JsonlTraceWriter, read_trace
from lso_sim.trace.records import FIELDS, TRACE_FORMAT_VERSION, dumps, to_record
from lso_sim.trace.summary import TraceSummary

__all__ = [
    "FIELDS",
    "TRACE_FORMAT_VERSION",
    "JsonlTraceWriter",
    "TraceSummary",
    "dumps",
    "read_trace",
    "to_record",
]
