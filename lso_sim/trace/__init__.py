"""Trace output: JSON records, the header line, the streaming JSONL writer and reader, run summaries."""

from lso_sim.trace.header import TraceFormatError, TraceHeader
from lso_sim.trace.jsonl import JsonlTraceWriter, read_header, read_trace
from lso_sim.trace.records import COMPATIBLE_VERSIONS, FIELDS, TRACE_FORMAT_VERSION, dumps, to_record
from lso_sim.trace.summary import TraceSummary

__all__ = [
    "COMPATIBLE_VERSIONS",
    "FIELDS",
    "TRACE_FORMAT_VERSION",
    "JsonlTraceWriter",
    "TraceFormatError",
    "TraceHeader",
    "TraceSummary",
    "dumps",
    "read_header",
    "read_trace",
    "to_record",
]
