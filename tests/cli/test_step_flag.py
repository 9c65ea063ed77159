"""`xpnet train --step`: the header line names the step in use; --step eager forces the
reference step; a fast path that cannot run here is refused in one line."""

from __future__ import annotations

import json

import pytest
from conftest import TRAINING
from flags import cli_flags

from xpnet.cli import main

QUICK = ["--dataset", "sample", "--hidden-size", "10", "--iters", "3", "--no-progress", "--no-plot"]


def header(out: str) -> str:
    return next(line for line in out.splitlines() if " iterations, " in line)


@pytest.mark.skip_lazy(reason=TRAINING)
def test_the_header_names_the_step_and_config_json_keeps_it(backend, tmp_path, capsys):
    for step in ("auto", "eager"):
        folder = tmp_path / step
        code = main(["train", *cli_flags(backend), *QUICK, "--step", step, "--out", str(folder)])
        line = header(capsys.readouterr().out)
        assert code == 0
        path = json.loads((folder / "config.json").read_text())["step"]
        assert f", step {path}" in line
        if step == "eager":
            assert path == "eager" and "step eager (all in metrics.csv)" in line
        elif backend.name == "jax":
            assert path == "jax-scan"


def test_a_fast_path_that_cannot_run_here_is_refused_in_one_line(tmp_path, capsys):
    code = main(
        ["train", "--device", "cpu", *QUICK, "--step", "cupy-graph", "--out", str(tmp_path)]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert err.splitlines() == [
        "xpnet train: error: --step cupy-graph cannot run here: it needs a CuPy network; this one"
        " is on numpy"
    ]


def test_the_header_says_why_auto_fell_back_to_a_slower_fast_path(monkeypatch):
    """step "auto" on CuPy without nvmath-python runs cupy-fused, its second path: the header
    says why not cupy-graph, as it says why the eager step runs where no path could."""
    from types import SimpleNamespace

    from xpnet.cli import printing

    paths = ("cupy-graph", "cupy-fused")
    monkeypatch.setattr(printing, "auto_paths", lambda backend: (paths, ""))
    reason = "cupy-graph: nvmath-python is not installed"
    net = SimpleNamespace(backend=None)
    fell_back = SimpleNamespace(step_path="cupy-fused", step_reason=reason, net=net)
    fastest = SimpleNamespace(step_path="cupy-graph", step_reason="", net=net)
    assert printing.step_text(fell_back, "auto") == f"cupy-fused ({reason})"
    assert printing.step_text(fastest, "auto") == "cupy-graph"
    eager = SimpleNamespace(
        step_path="eager", step_reason="cupy-graph: ...; cupy-fused: ...", net=net
    )
    assert printing.step_text(eager, "auto") == "eager (cupy-graph: ...; cupy-fused: ...)"
    assert printing.step_text(eager, "eager") == "eager"


def test_a_step_refused_for_the_numerical_gradient_is_said_in_no_python_words(tmp_path, capsys):
    """--grad numerical with a fast path named: the one line speaks of the numerical gradient,
    not of grad='numerical', a Python keyword the command line has no use for."""
    flags = ["--grad", "numerical", "--step", "jax-scan", "--out", str(tmp_path)]
    code = main(["train", "--device", "cpu", *QUICK, *flags])
    err = capsys.readouterr().err
    assert code == 2
    assert err.splitlines() == [
        "xpnet train: error: --step jax-scan cannot run here: the numerical gradient runs eagerly"
        " (its index search has data-dependent shapes)"
    ]
