"""A worker process under a memory limit, for the tests of files that must be read bounded.

The tests of crafted files (a header declaring 298 GiB, a member inflating to 3 GiB) call
xpnet in this worker, whose address space is held to what it uses after its imports plus
HEADROOM (RLIMIT_AS): an allocation that bounded reading should never make fails there with
MemoryError, so a test expecting CheckpointError fails too, instead of the machine swapping.
One worker serves a whole session (starting Python and xpnet for each file would cost a
second each); a worker that dies or hangs is replaced, and the test that did it fails.

Use the ``limited`` fixture: ``limited("xpnet.checkpoint:load_checkpoint", str(path))``
returns a :class:`Outcome`; ``limited.cli(["evaluate", ...])`` runs ``xpnet`` in the worker.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import traceback
from dataclasses import dataclass

import pytest

HEADROOM = 768 * 2**20  # bytes the worker may allocate beyond what its imports took
TIMEOUT = 60  # seconds for one call: a read that blocks (a FIFO) fails the test instead


@dataclass
class Outcome:
    """What one call in the worker did: its value, or the exception's type and message."""

    ok: bool
    value: object = None
    type: str = ""
    message: str = ""
    traceback: str = ""
    out: str = ""
    err: str = ""

    def raised(self, kind: str) -> str:
        """The message of the exception kind the call raised (an AssertionError otherwise)."""
        assert not self.ok and self.type == kind, (
            f"expected {kind}, got {'a value ' + repr(self.value) if self.ok else self.type}:"
            f" {self.message}\n{self.traceback}"
        )
        return self.message


class Worker:
    """The worker process and its pipe (JSON lines each way)."""

    def __init__(self) -> None:
        self.process = None

    def _start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "MPLBACKEND": "Agg"},
        )
        ready = self.process.stdout.readline()
        assert ready.strip() == "ready", f"the limited worker did not start: {ready!r}"

    def __call__(self, target: str, *args, **kwargs) -> Outcome:
        if self.process is None or self.process.poll() is not None:
            self._start()
        request = json.dumps({"target": target, "args": args, "kwargs": kwargs})
        self.process.stdin.write(request + "\n")
        self.process.stdin.flush()
        import selectors

        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            if not selector.select(TIMEOUT):
                self.close()
                pytest.fail(f"{target}{args} did not return within {TIMEOUT} s (it blocks)")
        line = self.process.stdout.readline()
        if not line:
            code = self.process.wait()
            self.process = None
            pytest.fail(f"{target}{args} killed the limited worker (status {code})")
        return Outcome(**json.loads(line))

    def cli(self, argv: list[str]) -> Outcome:
        """``xpnet ARGV`` in the worker: value is the exit status, out and err what it printed."""
        return self("xpnet.cli:main", list(argv))

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None


@pytest.fixture(scope="session")
def limited():
    """Call xpnet in a worker process whose memory is limited (see the module docstring)."""
    worker = Worker()
    yield worker
    worker.close()


# -- the worker's side -----------------------------------------------------------------------------


def _used_address_space() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _serve() -> None:
    import importlib
    import resource

    import numpy  # noqa: F401  (imports take their memory before the limit is set)

    import xpnet
    import xpnet.cli
    import xpnet.datasets.rows  # noqa: F401

    limit = _used_address_space() + HEADROOM
    resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
    print("ready", flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        module, name = request["target"].split(":")
        out, err = io.StringIO(), io.StringIO()
        try:
            function = getattr(importlib.import_module(module), name)
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                value = function(*request["args"], **request["kwargs"])
            answer = {"ok": True, "value": _plain(value)}
        except BaseException as error:  # SystemExit too: reported, not obeyed
            answer = {
                "ok": False,
                "type": type(error).__name__,
                "message": str(error),
                "traceback": traceback.format_exc(),
            }
        answer.update(out=out.getvalue(), err=err.getvalue())
        print(json.dumps(answer), flush=True)


def _plain(value):
    """A JSON-able summary of a call's value (a Checkpoint: its parts' shapes)."""
    if isinstance(value, int | float | str | bool) or value is None:
        return int(value) if isinstance(value, int) else value
    if hasattr(value, "params"):
        return {
            "net": value.net,
            "params": {k: [list(v.shape), str(v.dtype)] for k, v in value.params.items()},
            "arrays": {k: [list(v.shape), str(v.dtype)] for k, v in value.arrays.items()},
        }
    if hasattr(value, "x_shape"):
        return {"x_shape": list(value.x_shape), "t_shape": list(value.t_shape)}
    return repr(value)


if __name__ == "__main__" and sys.argv[1:] == ["--serve"]:
    _serve()
