"""xpnet's functions on someone else's arrays: the result stays in the caller's library.

Not a section of the book, but its functions: softmax and cross_entropy_error (sections 3.5 and
4.2) and numerical_gradient (4.4), called on scores and labels that "someone else's code" made
with its own library -- NumPy, array-api-strict (on its non-default "device1"), PyTorch, JAX
and, on a GPU, CuPy. For each library it prints what comes back (type, device, dtype), the loss,
and how far the numerical gradient of the loss is from the exact one, (softmax(x) - one_hot(t)) / N
(times y_t / (y_t + 1e-7), for the 1e-7 that cross_entropy_error adds inside the log). NumPy
gives its 0-d results as numpy.float64 scalars; the other libraries as 0-d arrays.
A library that is absent or cannot reach the device is skipped with a line saying why.
--device picks where the PyTorch, JAX and CuPy arrays live (NumPy and array-api-strict are CPU
only); --backend picks one library. Draws no figure.

    python examples/array_generic.py --device cpu    # or cuda: torch and CuPy on the GPU
"""

from __future__ import annotations

import importlib.util

import numpy as np
from array_api_compat import array_namespace
from array_api_compat import device as device_of

import xpnet
from xpnet.backends import to_numpy
from xpnet.cli import example_parser

SCORES = [[0.3, 2.9, 4.0], [1.2, -0.5, 0.1]]  # two samples, three classes
LABELS = [2, 0]


def parse_args(argv):
    parser = example_parser(__doc__)
    return parser.parse_args(argv)


def caller_arrays(name: str, device: str):
    """Scores (2, 3) float64 and labels (2,) made the way a user of that library would."""
    if name == "numpy":
        return np.asarray(SCORES), np.asarray(LABELS)
    if name == "array_api_strict":
        import array_api_strict as strict

        where = strict.Device("device1")  # not the default device: it must be kept
        return (
            strict.asarray(SCORES, dtype=strict.float64, device=where),
            strict.asarray(LABELS, dtype=strict.int64, device=where),
        )
    backend = xpnet.get_backend(device, backend=name)  # raises a clear error: no GPU, ...
    if name == "torch":
        import torch

        return (
            torch.tensor(SCORES, dtype=torch.float64, device=backend.device),
            torch.tensor(LABELS, device=backend.device),
        )
    if name == "jax":
        import jax.numpy as jnp  # float64 needs jax_enable_x64: get_backend turned it on

        return (
            jnp.asarray(SCORES, dtype=jnp.float64, device=backend.device),
            jnp.asarray(LABELS, device=backend.device),
        )
    import cupy

    with backend.device:
        return cupy.asarray(SCORES, dtype=cupy.float64), cupy.asarray(LABELS)


def skip_reason(name: str, device: str) -> str | None:
    """Why a library cannot be shown here, or None. NumPy and array-api-strict are always shown
    on the CPU, whatever --device says."""
    if name != "numpy" and importlib.util.find_spec(name) is None:
        return "not installed"
    if name == "cupy" and device == "cpu":
        return "CuPy runs on a GPU only: pass --device cuda"
    return None


def describe(a) -> str:
    return f"{type(a).__module__.split('.')[0]}.{type(a).__name__}, {a.dtype}, on {device_of(a)}"


def loss_of(t):
    """The loss as a function of the scores alone, for numerical_gradient."""
    return lambda x: xpnet.cross_entropy_error(xpnet.softmax(x), t)


def main(argv=None) -> None:
    args = parse_args(argv)
    names = (
        [args.backend] if args.backend else ["numpy", "array_api_strict", "torch", "jax", "cupy"]
    )
    for name in names:
        reason = skip_reason(name, args.device)
        if reason is None:
            try:
                x, t = caller_arrays(name, args.device)
            except (ValueError, RuntimeError) as error:  # no GPU, no CUDA build of torch
                reason = str(error)
        if reason is not None:
            print(f"{name}: skipped ({reason})")
            continue
        xp = array_namespace(x, t)
        print(f"{name}: x is {describe(x)}")
        y = xpnet.softmax(x)
        print(f"  softmax(x)             -> {describe(y)}")
        y32 = xpnet.softmax(xp.astype(x, xp.float32))
        print(f"  softmax(float32 x)     -> {describe(y32)}")
        loss = xpnet.cross_entropy_error(y, t)
        print(f"  cross_entropy_error    -> {describe(loss)}: {float(loss):.6f}")

        grad = xpnet.numerical_gradient(loss_of(t), x)
        one_hot = xpnet.one_hot(t, 3, dtype=x.dtype)
        y_true = xp.sum(y * one_hot, axis=1, keepdims=True)
        # d/dx -log(y_t + 1e-7) = (y - one_hot) * y_t / (y_t + 1e-7): the book's guard included
        exact = (y - one_hot) * (y_true / (y_true + 1e-7)) / x.shape[0]
        error = float(xp.max(xp.abs(grad - exact)))
        print(f"  numerical_gradient     -> {describe(grad)}; max |grad - exact| = {error:.1e}")
        print(f"  grad = {np.array2string(to_numpy(grad), precision=5, prefix='  grad = ')}")


if __name__ == "__main__":
    main()
