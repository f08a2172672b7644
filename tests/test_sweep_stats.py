"""Statistics of sweeps: Student t against published tables, a CI and a Welch test worked by hand,
and ``lso-sim compare`` on two known sweeps and two run summaries."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lso_sim.cli.main import main
from lso_sim.sweep.stats import estimate, t_cdf, t_quantile, welch


@pytest.mark.parametrize(
    ("df", "value"),
    [
        (1, 12.706205),
        (2, 4.302653),
        (3, 3.182446),
        (5, 2.570582),
        (10, 2.228139),
        (30, 2.042272),
        (120, 1.979930),
    ],
)
def test_t_quantiles_match_the_published_table(df: int, value: float) -> None:
    assert t_quantile(0.975, df) == pytest.approx(value, abs=1e-6)


@given(t=st.floats(-50, 50), df=st.floats(0.5, 500))
def test_the_t_cdf_is_symmetric_and_inverted_by_the_quantile(t: float, df: float) -> None:
    assert t_cdf(t, df) + t_cdf(-t, df) == pytest.approx(1.0, abs=1e-12)
    p = t_cdf(t, df)
    if 1e-9 < p < 1 - 1e-9:
        assert t_quantile(p, df) == pytest.approx(t, abs=1e-6 * max(1.0, abs(t)))


def test_the_confidence_interval_of_a_hand_computed_case() -> None:
    """1, 2, 3, 4: mean 2.5, s = sqrt(5/3), half-width t(0.975, 3) * s / 2 = 2.054260."""
    est = estimate([1.0, 2.0, 3.0, 4.0])
    assert (est.n, est.mean) == (4, 2.5)
    assert est.std == pytest.approx(math.sqrt(5 / 3))
    assert est.ci95_low == pytest.approx(2.5 - 2.054260, abs=1e-6)
    assert est.ci95_high == pytest.approx(2.5 + 2.054260, abs=1e-6)


def test_one_value_has_a_mean_and_no_interval() -> None:
    assert estimate([3.0]) == estimate([3.0]).__class__(1, 3.0, None, None, None)


def test_welch_on_a_hand_computed_case() -> None:
    """A = 1, 2, 3, 4 and B = 2, 4, 6, 8.5: squared standard errors 5/12 and 23.1875/12."""
    se2_a, se2_b = 5 / 12, 23.1875 / 12
    result = welch([1, 2, 3, 4], [2, 4, 6, 8.5])
    assert result.difference == 2.625
    assert result.t == pytest.approx(2.625 / math.sqrt(se2_a + se2_b))
    assert result.df == pytest.approx((se2_a + se2_b) ** 2 / ((se2_a**2 + se2_b**2) / 3))
    assert result.p == pytest.approx(2 * t_cdf(-result.t, result.df))
    assert 0.15 < result.p < 0.17  # not significant at 0.05


def test_welch_without_spread_or_replications() -> None:
    assert welch([1.0, 1.0], [1.0, 1.0]).p == 1.0
    assert welch([1.0, 1.0], [2.0, 2.0]).p == 0.0
    assert welch([1.0], [2.0, 3.0]).p is None


def _sweep(folder: Path, values: dict[str, list[float]]) -> Path:
    folder.mkdir()
    lines = ["run,point,x,replication,seed,error,lead_time.10.2.all.mean,rate.10.2.completed"]
    n = 0
    for x, leads in values.items():
        for r, lead in enumerate(leads):
            lines.append(f"{n},0,{x},{r},{n},,{lead},1.0")
            n += 1
    lines.append(f"{n},0,{x},9,{n},RuntimeError: boom,,")  # a failed run: left out
    (folder / "runs.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_compare_two_known_sweeps_point_by_point(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = _sweep(tmp_path / "a", {"1": [1, 2, 3, 4]})
    b = _sweep(tmp_path / "b", {"1": [2, 4, 6, 8.5]})
    assert main(["compare", str(a), str(b), "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["test"].startswith("Welch's t-test")
    rows = {r["metric"]: r for r in document["metrics"]}
    lead = rows["lead_time.10.2.all.mean"]
    assert (lead["point"], lead["a_n"], lead["b_n"], lead["difference"]) == ("x=1", 4, 4, 2.625)
    assert lead["p"] == pytest.approx(welch([1, 2, 3, 4], [2, 4, 6, 8.5]).p)
    assert lead["significant"] is False
    assert rows["rate.10.2.completed"]["p"] == 1.0  # equal, without spread: no difference


def test_compare_says_which_test_in_its_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = _sweep(tmp_path / "a", {"1": [1, 1.1, 0.9]})
    b = _sweep(tmp_path / "b", {"1": [5, 5.1, 4.9]})
    assert main(["compare", str(a / "runs.csv"), str(b)]) == 0
    out = capsys.readouterr().out
    assert "Welch's t-test" in out and "yes" in out


def test_compare_two_run_summaries_cannot_test_single_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = Path(__file__).resolve().parents[1] / "scenarios" / "thread-10.2.yaml"
    for name, seed in (("a.json", "7"), ("b.json", "8")):
        assert main(["run", str(scenario), "--summary", "json", "--set", f"seed={seed}"]) == 0
        (tmp_path / name).write_text(capsys.readouterr().out, encoding="utf-8")
    assert (
        main(
            [
                "compare",
                str(tmp_path / "a.json"),
                str(tmp_path / "b.json"),
                "--metric",
                "lead_time.*.all.mean",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "lead_time.10.2.all.mean" in out and "n/a (n < 2)" in out


@pytest.mark.parametrize("content", ["not json", '{"a": 1}'])
def test_compare_refuses_what_is_not_a_summary(
    tmp_path: Path, content: str, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    assert main(["compare", str(bad), str(bad)]) == 2
    assert "bad.json" in capsys.readouterr().err


def test_compare_refuses_sweeps_without_a_common_point(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = _sweep(tmp_path / "a", {"1": [1, 2], "2": [1, 2]})
    b = _sweep(tmp_path / "b", {"3": [1, 2], "4": [1, 2]})
    assert main(["compare", str(a), str(b)]) == 2
    assert "no grid point in common" in capsys.readouterr().err
