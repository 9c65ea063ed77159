"""Test sessions, one per backend: `nox` runs lint, the CPU backends, the documentation (docs)
and the notebooks; `nox -s "tests(cupy)"` runs on a machine with an NVIDIA GPU; `nox -s examples`
and `nox -s bench` are on request.

The torch session installs PyTorch through pip; CI pins it with PIP_CONSTRAINT (.ci/run), so that
a CPU build is used there instead of the default wheel with gigabytes of CUDA libraries.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import nox

nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = False

CPU_BACKENDS = ["numpy", "array_api_strict", "torch", "jax", "dask"]
EXTRAS = {
    "numpy": "test",
    "array_api_strict": "test",
    "torch": "test,torch",
    "jax": "test,jax",
    "dask": "test,dask",
}
LINTED = ["src", "tests", "examples", "benchmarks", "scripts", "notebooks", "docs", "noxfile.py"]


def _pytest(session: nox.Session, backend: str, extras: str | None = None) -> None:
    session.install("-e", f".[{extras or EXTRAS[backend]}]")
    session.env["XPNET_BACKEND"] = backend
    session.env["MPLBACKEND"] = "Agg"
    # one worker per core (pytest-xdist): the sessions are CI's time, and every test is isolated
    args = session.posargs or ["-q", "-n", "auto", "tests"]
    if backend == "numpy" and not session.posargs:
        args = ["-q", "-n", "auto", "--doctest-modules", "src/xpnet", "tests"]
    code = session.run("pytest", *args, success_codes=[0, 5])
    if code == 5:
        session.error(f"pytest collected no test for backend {backend!r}")


@nox.session
@nox.parametrize("backend", CPU_BACKENDS, ids=CPU_BACKENDS)
def tests(session: nox.Session, backend: str) -> None:
    """The whole test suite on one CPU backend (XPNET_BACKEND narrows the `xp` fixture)."""
    _pytest(session, backend)


@nox.session(name="tests(cupy)", default=False)
def tests_cupy(session: nox.Session) -> None:
    """The test suite on CuPy: needs an NVIDIA GPU. Installs CuPy with CUDA's own libraries
    (xpnet[cuda12] or [cuda13], as the driver's CUDA version says), so a driver is enough."""
    major = _cuda_major()
    if major is None:
        session.error("tests(cupy) needs an NVIDIA GPU, and nvidia-smi finds none here")
    # XPNET_BACKEND=cupy: a CuPy that cannot run here fails the session in one line
    _pytest(session, "cupy", extras=f"test,cuda{min(max(major, 12), 13)}")


def _cuda_major() -> int | None:
    """The CUDA version the NVIDIA driver supports (nvidia-smi's header), or None."""
    if shutil.which("nvidia-smi") is None:
        return None
    out = subprocess.run(["nvidia-smi"], capture_output=True, text=True, check=False).stdout
    found = re.search(r"CUDA Version:\s*(\d+)", out)
    return int(found.group(1)) if found else None


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    session.install("ruff")
    session.run("ruff", "check", *LINTED)
    session.run("ruff", "format", "--check", *LINTED)


@nox.session
def docs(session: nox.Session) -> None:
    """The documentation, offline, every warning an error: the tutorial's examples as doctests
    and numpydoc's check of the docstrings, then sphinx-build -W into docs/_build/html (or the
    folder given after --). The build runs every case of the troubleshooting page, so it
    installs PyTorch, JAX and Dask too."""
    session.install("-e", ".[docs,test,torch,jax,dask]")
    session.env["MPLBACKEND"] = "Agg"
    session.run(
        "pytest",
        "-q",
        "--doctest-glob=*.md",
        "-o",
        "doctest_optionflags=ELLIPSIS NORMALIZE_WHITESPACE",
        "docs/tutorial.md",
        "tests/test_docstrings.py",
    )
    out = session.posargs[0] if session.posargs else "docs/_build/html"
    session.run("sphinx-build", "-W", "--keep-going", "-q", "-b", "html", "docs", out)


@nox.session
def notebooks(session: nox.Session) -> None:
    """Execute every notebook in notebooks/ in a real Jupyter kernel (nbclient); an error or a
    warning in any cell fails the session. `nox -s notebooks -- --out DIR` keeps the .ipynb."""
    session.install("-e", ".[notebooks]")
    session.run("python", "notebooks/run.py", *session.posargs)


@nox.session(default=False)
def examples(session: nox.Session) -> None:
    """Run every examples/*.py on the CPU; figures go to a temporary folder (or the folder given
    after --, e.g. `nox -s examples -- out/examples`), one subfolder per example, never shown."""
    # matplotlib (the test extra), jax for jax_backend.py, dask for dask_evaluate.py
    session.install("-e", ".[test,jax,dask]")
    session.env["MPLBACKEND"] = "Agg"
    out = session.posargs[0] if session.posargs else session.create_tmp()
    for script in sorted(Path("examples").glob("*.py")):
        session.log(f"--- {script}")
        session.run("python", str(script), "--device", "cpu", "--out", str(Path(out) / script.stem))


@nox.session(default=False)
def bench(session: nox.Session) -> None:
    """The CPU benchmarks, short (suites train and numgrad, --quick: 1000 iterations, few rounds;
    a few minutes), JSON in out/bench/; suite names after -- choose others (`nox -s bench --
    train`). The full set BENCHMARKS.md shows: python -m benchmarks run --out benchmarks/results,
    then python -m benchmarks render --write BENCHMARKS.md"""
    session.install("-e", ".[torch]")
    session.run("python", "-m", "benchmarks", "run", "--quick", *session.posargs)
