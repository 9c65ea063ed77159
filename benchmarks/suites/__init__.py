"""The suites, by name: what each measures, which common flags it takes, where its JSON goes.

Each suite is a module of this package with ``add_arguments(parser)`` (its own flags) and
``run(args) -> dict`` (its results, which the runner writes as JSON with the machine, command,
date and revision); a suite may add ``exit_status(result)`` and ``last_lines(result)``. The modules
import NumPy at their top: only the runner imports them, after setting the thread variables.
This file imports nothing but the standard library.
"""

from __future__ import annotations

from dataclasses import dataclass, field

COMMON = ("device", "backend", "repeats", "threads", "seed", "quick")


@dataclass(frozen=True)
class Suite:
    name: str
    about: str
    common: tuple[str, ...] = COMMON  # the common flags it takes
    defaults: dict = field(default_factory=dict)  # its own defaults for them

    @property
    def module(self) -> str:
        return f"{__package__}.{self.name}"


def _suites(**suites: tuple) -> dict[str, Suite]:
    return {name: Suite(name, *spec) for name, spec in suites.items()}


SUITES = _suites(
    train=(
        "the book's run and one step: xpnet against the textbook and PyTorch eager; the matmul"
        " bound, memory, a profile of xpnet's step, its CUDA-graph capture (6-10 min; --quick 2)",
        COMMON,
        {"repeats": 5},
    ),
    numgrad=(
        "the numerical gradient of the whole network against the book's element loop, and"
        " training by it (3-5 min; --quick 1)",
        COMMON,
        {"repeats": 5},
    ),
    threads=(
        "thread counts 1, 2, 4 and default for xpnet's step and evaluation, with 0, 1 and 2"
        " busy processes; each phase in a child with the thread variables unset (~8 min)",
        ("repeats", "quick"),
        {"repeats": 7},
    ),
    jax=(
        "the Trainer's step on JAX, compiled and eager, against xpnet on NumPy (~2 min)",
        ("device", "repeats", "threads", "seed", "quick"),
        {"repeats": 7},
    ),
    fast=(
        "each fast path beside the eager step it replaces and PyTorch eager manual, on one"
        " device: what step='auto' rests on (~3-5 min on the CPU; --quick 1-2)",
        ("device", "repeats", "threads", "seed", "quick"),
        {"repeats": 7},
    ),
    dask=(
        "xpnet.evaluate on Dask of a set larger than the cluster's memory, against NumPy (~1 min)",
        ("repeats", "threads", "quick"),
        {"repeats": 3},
    ),
    cli=(
        "`xpnet train` at N and 8N steps, whole process, for one or more src trees (~4 min)",
        ("repeats", "threads", "quick"),
        {"repeats": 3},
    ),
    gpu=(
        "the GPU acceptance run's figures beside PyTorch on the same GPU, within a time budget"
        " (~2 min); --device cpu is a dry run of its plumbing",
        ("device", "threads", "seed", "repeats"),
        {"device": "cuda", "repeats": None},
    ),
)
DEFAULT_RUN = ("train", "numgrad")  # what `python -m benchmarks run` runs when no suite is named


def json_name(suite: str, device: str = "cpu", quick: bool = False) -> str:
    """The JSON file a suite's run writes: SUITE-DEVICE[-quick].json (cuda:1 -> cuda1)."""
    return f"{suite}-{device.replace(':', '')}{'-quick' if quick else ''}.json"
