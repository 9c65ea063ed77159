"""Fast paths: the training step compiled or captured per library, equal to the eager step.

The Array API cannot say "fuse" in eager code, so the eager step (:mod:`xpnet.step`) stays the
reference, and each library gets a path that runs the steps between two log points as one call:

- ``jax-scan`` (:mod:`._jax`): the steps as one ``lax.scan`` inside one ``jax.jit``;
- ``torch-graph`` (:mod:`._torch`): the whole step captured once by ``torch.cuda.graph``;
- ``cupy-fused`` and ``cupy-graph`` (:mod:`._cupy`): the step in 6 fused kernels and 5 cuBLAS
  GEMMs (:mod:`.kernels`, :mod:`.fused`), eagerly or captured as one CUDA graph.

:mod:`.choice` says which runs (``Trainer(step="auto")``) and why.
"""

from .choice import (
    PATHS,
    STEPS,
    FastPath,
    FastPathUnavailable,
    FastPathWarning,
    auto_paths,
    build,
    choose,
)

__all__ = [
    "PATHS",
    "STEPS",
    "FastPath",
    "FastPathUnavailable",
    "FastPathWarning",
    "auto_paths",
    "build",
    "choose",
]
