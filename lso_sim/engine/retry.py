"""Re-sending requests safely: the requester's retry policy and the receiver's memory of answers.

A request whose response does not come in time may have been lost on the way, lost on the way
back, or still be in progress at a slow receiver. The requester cannot tell which, so it re-sends
the *same* request: the re-sent record carries the first attempt's id as its ``correlation_id``
(an idempotency key, like the ``Idempotency-Key`` header of HTTP APIs). The receiver uses that key
to act at most once per logical request:

- an attempt whose key it has already answered gets the same answer again (the response to a
  create names the order it created the first time: a seller never creates a second order);
- an attempt whose key is still being worked on joins that work and is answered with it;
- an attempt whose key it has never seen (every earlier attempt was lost) is handled as new.

A re-sent *read* (``retrieve...``, ``list...``, ``get...``: MEF's GET operations) whose key was
already answered is the exception: it is answered anew, as a re-sent HTTP GET is, because the
requester asks for the state *now*. Replaying the first answer would hand a buyer who lost a
response a state days old (an order still ``inProgress`` that has failed since).

Reads, creates and every other operation are therefore safe to re-send. After the last attempt
the requester gives up (:class:`~lso_sim.engine.actor.RequestTimeout`) and the thread moves what
it owns to the MEF end state its state machine defines (docs/faults.md).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently a requester re-sends a request that got no response.

    Attributes:
        attempts: sends in all, the first included (1 means never re-send).
        backoff: seconds to wait after the first timeout before the second attempt.
        factor: each further wait is the previous one times ``factor``.
        max_backoff: the longest wait between two attempts.
    """

    attempts: int = 4
    backoff: float = 60.0
    factor: float = 2.0
    max_backoff: float = 3600.0

    def delay(self, failed_attempts: int) -> float:
        """The wait before the next attempt, after ``failed_attempts`` (>= 1) have timed out."""
        return min(self.max_backoff, self.backoff * self.factor ** (failed_attempts - 1))

    def horizon(self, timeout: float) -> float:
        """Seconds from the first send to giving up, when every attempt times out."""
        return self.attempts * timeout + sum(self.delay(n) for n in range(1, self.attempts))


NO_RETRY = RetryPolicy(attempts=1)
"""Send once; the first timeout gives up."""

_READ_PREFIXES = ("retrieve", "list", "get")


def is_read(operation: str) -> bool:
    """Whether ``operation`` only reads (MEF's retrieve/list/get operationIds, HTTP GET): its
    answer is not remembered for re-sends, which are answered with the state at their arrival."""
    return operation.startswith(_READ_PREFIXES)


class AnswerMemory:
    """What a receiver answered, per idempotency key, for as long as a re-send may still come.

    Entries expire ``keep`` seconds after the answer (the longest retry horizon of any requester
    in the simulation), so memory stays flat however long a run lasts. An entry is also forgotten
    as soon as no re-send of its key can come any more (:meth:`forget`: the requester got the
    answer to its only attempt): with a retry horizon of days, a run of an order a minute would
    otherwise hold thousands of orders' answers, copies of whole MEF resources.
    """

    __slots__ = ("_answers", "keep")

    def __init__(self, keep: float) -> None:
        self.keep = keep
        self._answers: OrderedDict[str, tuple[float, int, Any]] = OrderedDict()
        """Key -> (expiry, status, payload), oldest answer first (expiries grow with it)."""

    def remember(self, key: str, status: int, payload: Any, now: float) -> None:
        """Keep the answer to ``key`` until ``now + keep``; forget what has expired."""
        answers = self._answers
        while answers:
            oldest = next(iter(answers))
            if answers[oldest][0] > now:
                break
            del answers[oldest]
        answers[key] = (now + self.keep, status, payload)
        answers.move_to_end(key)

    def forget(self, key: str) -> None:
        """Drop the answer to ``key``: no attempt of it is in flight and none will be sent."""
        self._answers.pop(key, None)

    def recall(self, key: str) -> tuple[int, Any] | None:
        """The answer given to ``key``, if it is still remembered."""
        entry = self._answers.get(key)
        return None if entry is None else (entry[1], entry[2])

    def __len__(self) -> int:
        return len(self._answers)
