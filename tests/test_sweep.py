"""``lso-sim sweep``: the plan and its seeds, byte-identical results for any --jobs and on Dask,
located errors for bad parameters. Replications stay tiny: each run is a whole 10.2 scenario."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from conftest import SCENARIOS

from lso_sim.cli.main import main
from lso_sim.errors import UsageError
from lso_sim.sweep.backends import execute
from lso_sim.sweep.plan import Param, grid, parse_param, plan, run_seed, split_values
from lso_sim.sweep.results import SUMMARY_COLUMNS, runs_csv, summarise, summary_csv

SCENARIO = SCENARIOS / "thread-10.2.yaml"
TEXT = SCENARIO.read_text(encoding="utf-8")
PARAM = "channels.SONATA.latency.mean=0.15,0.6"


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_grid_varies_the_first_parameter_slowest() -> None:
    params = [Param("a", ("1", "2")), Param("b", ("x", "y", "z"))]
    assert grid(params) == [("1", "x"), ("1", "y"), ("1", "z"), ("2", "x"), ("2", "y"), ("2", "z")]
    assert grid([]) == [()]


def test_the_plan_gives_every_run_its_own_seed_from_the_scenario_seed() -> None:
    specs = plan("s.yaml", "", 7, [Param("a", ("1", "2"))], 3)
    assert [(s.index, s.point, s.replication) for s in specs] == [
        (0, 0, 0), (1, 0, 1), (2, 0, 2), (3, 1, 0), (4, 1, 1), (5, 1, 2)
    ]  # fmt: skip
    seeds = [s.seed for s in specs]
    assert len(set(seeds)) == 6 and all(0 <= s < 2**63 for s in seeds)
    assert seeds == [s.seed for s in plan("s.yaml", "", 7, [Param("a", ("1", "2"))], 3)]
    assert seeds != [s.seed for s in plan("s.yaml", "", 8, [Param("a", ("1", "2"))], 3)]
    assert specs[4].overrides == ("a=2",) and specs[4].values == ("2",)
    assert run_seed(-1, 0, 0) == run_seed(2**64 - 1, 0, 0)  # negative seeds wrap, as documented


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("0.1,0.2", ["0.1", "0.2"]),
        ("[a, b],[c]", ["[a, b]", "[c]"]),
        ("{kind: constant, value: 1}", ["{kind: constant, value: 1}"]),
    ],
)
def test_values_split_on_commas_outside_brackets(text: str, values: list[str]) -> None:
    assert split_values(text) == values


@pytest.mark.parametrize("text", ["nothing", "a=", "a=1,,2", "a=1,1", "seed=1,2", "a..b=1"])
def test_a_malformed_param_is_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError):
        parse_param(text)


def test_the_done_when_sweep_writes_six_runs_and_the_summary_columns(tmp_path: Path) -> None:
    out = tmp_path / "out"
    argv = ["sweep", str(SCENARIO), "--param", PARAM, "--replications", "3", "--jobs", "2", "--out", str(out)]
    assert main(argv) == 0
    runs = _rows((out / "runs.csv").read_text(encoding="utf-8"))
    assert len(runs) == 6
    assert [r["channels.SONATA.latency.mean"] for r in runs] == ["0.15"] * 3 + ["0.6"] * 3
    assert {r["replication"] for r in runs} == {"0", "1", "2"} and all(r["error"] == "" for r in runs)
    summary = (out / "summary.csv").read_text(encoding="utf-8")
    assert summary.splitlines()[0].split(",") == ["channels.SONATA.latency.mean", *SUMMARY_COLUMNS]
    completed = [r for r in _rows(summary) if r["metric"] == "rate.10.2.completed"]
    assert [(r["channels.SONATA.latency.mean"], r["n"]) for r in completed] == [("0.15", "3"), ("0.6", "3")]
    assert (out / "summary.svg").read_text(encoding="utf-8").startswith("<?xml")
    assert json.loads((out / "sweep.json").read_text(encoding="utf-8"))["runs"] == 6
    # The same sweep in one process: byte-identical files.
    again = tmp_path / "again"
    assert main([*argv[:-4], "--jobs", "1", "--out", str(again)]) == 0
    for name in ("runs.csv", "summary.csv", "summary.svg"):
        assert (again / name).read_bytes() == (out / name).read_bytes(), name


def test_a_slower_partner_link_shows_in_the_sweep() -> None:
    """Partner-1's SONATA at 2 h per message against 0.15 s: the order's lead time must grow."""
    params = [Param("channels.SONATA.towards.partner-1.latency", ("0.15", "7200"))]
    rows = execute(plan(str(SCENARIO), TEXT, 7, params, 1))
    means = {
        e.values: e.estimate.mean
        for e in summarise(rows, grid(params))
        if e.metric == "lead_time.10.2.all.mean"
    }
    assert means[("7200",)] > means[("0.15",)] + 7200


def test_a_dask_cluster_gives_the_same_files_as_local_processes() -> None:
    distributed = pytest.importorskip("distributed")
    params = [parse_param(PARAM)]
    specs = plan(str(SCENARIO), TEXT, 7, params, 2)
    local = execute(specs, jobs=1)
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        remote = execute(specs, dask=cluster.scheduler_address)
    assert runs_csv(params, remote) == runs_csv(params, local)
    points = grid(params)
    assert summary_csv(params, summarise(remote, points)) == summary_csv(params, summarise(local, points))


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--param", "channels.SONATA.latency.mean=0.15,-1"], "channels.SONATA.latency.mean"),
        (["--param", "channels.SONATA.latncy.mean=1"], "channels.SONATA.latncy"),
        (["--param", "seed=1,2"], "replications"),
        (["--param", PARAM, "--jobs", "2", "--dask", "tcp://127.0.0.1:1"], "not both"),
        (["--set", "workload.9.orders=[]"], "workload.9"),
    ],
)
def test_a_bad_sweep_exits_2_before_running(
    tmp_path: Path, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sweep", str(SCENARIO), "--out", str(tmp_path / "o"), *argv]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_common_seeds_give_every_point_the_same_seeds() -> None:
    specs = plan("s.yaml", "", 7, [Param("a", ("1", "2", "3"))], 2, common_seeds=True)
    seeds = {(s.point, s.replication): s.seed for s in specs}
    assert seeds[(0, 0)] == seeds[(1, 0)] == seeds[(2, 0)] != seeds[(0, 1)] == seeds[(2, 1)]
