"""Scenario expectations: the ``expect:`` block and its check against a run's trace and outcomes."""

from lso_sim.expect.evaluate import Failure, evaluate, expectation_count
from lso_sim.expect.model import ExpectModel

__all__ = ["ExpectModel", "Failure", "evaluate", "expectation_count"]
