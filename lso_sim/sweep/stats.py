"""Statistics of replications: mean, standard deviation, Student-t confidence intervals, Welch's test.

Written out (about 100 lines) rather than taken from scipy: lso-sim needs two functions of the
t distribution, and a heavy dependency for them would weigh on every install. The t CDF is the
regularised incomplete beta function, evaluated by its continued fraction (Lentz's method, as in
Numerical Recipes 6.4); quantiles are found by bisection on it. Accuracy is about 1e-12, far
below what a confidence interval printed to six figures shows; ``tests/test_sweep_stats.py``
checks published table values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

_EPS = 1e-15
_TINY = 1e-300


def _beta_fraction(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    h = d
    for m in range(1, 500):
        m2 = 2 * m
        for aa in (
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ):
            d = 1.0 + aa * d
            d = 1.0 / (d if abs(d) > _TINY else _TINY)
            c = 1.0 + aa / c
            c = c if abs(c) > _TINY else _TINY
            h *= d * c
        if abs(d * c - 1.0) < _EPS:
            break
    return h


def incomplete_beta(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b), for 0 <= x <= 1."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_fraction(a, b, x) / a
    return 1.0 - front * _beta_fraction(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with ``df`` (> 0, not necessarily whole) degrees of freedom."""
    tail = 0.5 * incomplete_beta(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t > 0 else tail


def t_quantile(p: float, df: float) -> float:
    """The ``p`` quantile (0 < p < 1) of Student's t with ``df`` degrees of freedom."""
    if not 0.0 < p < 1.0:
        raise ValueError(f"a probability strictly between 0 and 1, got {p}")
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    low, high = 0.0, 1.0
    while t_cdf(high, df) < p:
        high *= 2.0
    for _ in range(200):
        mid = (low + high) / 2.0
        if t_cdf(mid, df) < p:
            low = mid
        else:
            high = mid
        if high - low <= 1e-13 * max(1.0, high):
            break
    return (low + high) / 2.0


@dataclass(frozen=True, slots=True)
class Estimate:
    """Mean of ``n`` replications with a 95% confidence interval (Student's t, n - 1 df).

    ``std``, ``ci95_low`` and ``ci95_high`` are ``None`` for fewer than two values.
    """

    n: int
    mean: float
    std: float | None
    ci95_low: float | None
    ci95_high: float | None


def estimate(values: Sequence[float]) -> Estimate:
    """Mean, sample standard deviation and the 95% CI ``mean +- t(0.975, n-1) * std / sqrt(n)``."""
    n = len(values)
    if n == 0:
        raise ValueError("no values to estimate from")
    mean = math.fsum(values) / n
    if n < 2:
        return Estimate(n, mean, None, None, None)
    std = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))
    half = t_quantile(0.975, n - 1) * std / math.sqrt(n)
    return Estimate(n, mean, std, mean - half, mean + half)


@dataclass(frozen=True, slots=True)
class WelchResult:
    """Welch's unequal-variance t-test of two samples' means.

    ``t``, ``df`` and ``p`` are ``None`` when it cannot be made: fewer than two values on a side,
    or both samples without any spread (then equal means are no difference and unequal ones a
    certain one: ``p`` is 1.0 or 0.0).
    """

    difference: float
    t: float | None
    df: float | None
    p: float | None


def welch(a: Sequence[float], b: Sequence[float]) -> WelchResult:
    """Welch's t-test: ``difference`` is mean(b) - mean(a); ``p`` is two-sided."""
    mean_a, mean_b = math.fsum(a) / len(a), math.fsum(b) / len(b)
    difference = mean_b - mean_a
    if len(a) < 2 or len(b) < 2:
        return WelchResult(difference, None, None, None)
    var_a = math.fsum((v - mean_a) ** 2 for v in a) / (len(a) - 1) / len(a)
    var_b = math.fsum((v - mean_b) ** 2 for v in b) / (len(b) - 1) / len(b)
    if var_a + var_b == 0.0:
        return WelchResult(difference, None, None, 1.0 if difference == 0.0 else 0.0)
    t = difference / math.sqrt(var_a + var_b)
    df = (var_a + var_b) ** 2 / (var_a**2 / (len(a) - 1) + var_b**2 / (len(b) - 1))
    p = 2.0 * t_cdf(-abs(t), df)
    return WelchResult(difference, t, df, min(1.0, p))
