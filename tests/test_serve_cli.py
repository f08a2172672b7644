"""lso-sim serve and probe on bad input: one located line and exit 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from serve_helpers import sdk_or_skip

from lso_sim.cli.main import main


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["serve", "--sdk", "{tmp}"], "not an MEF LSO SDK folder"),
        (["serve", "--chaos", "late,500"], "'500'; choose from"),
        (["serve", "--scenario", "{tmp}/missing.yaml"], "missing.yaml"),
        (
            ["probe", "--seller", "http://127.0.0.1:9", "--token", "t", "--listen", "nonsense"],
            "expected HOST:PORT",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    argv: list[str], words: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The user's own mistakes are named first, whether or not the SDK is at hand."""
    assert main([a.replace("{tmp}", str(tmp_path)) for a in argv]) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err


def test_a_seller_that_does_not_answer_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    sdk_or_skip()  # the probe validates answers against MEF's definitions: it needs the SDK
    assert main(["probe", "--seller", "http://127.0.0.1:9", "--token", "t"]) == 2
    err = capsys.readouterr().err
    assert "cannot talk to the seller" in err and "Traceback" not in err


def test_without_the_sdk_serve_says_where_to_get_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("lso_sim.cli.serve_cmd.find_sdk", lambda: None)
    assert main(["serve"]) == 2
    assert "github.com/MEF-GIT/MEF-LSO-Sonata-SDK" in capsys.readouterr().err


@pytest.mark.parametrize("option", [["--speed", "-1"], ["--port", "70000"], ["--chaos-rate", "2"]])
def test_out_of_range_options_are_usage_errors(option: list[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["serve", *option])
    assert stopped.value.code == 2
