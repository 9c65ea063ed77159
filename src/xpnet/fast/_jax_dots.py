"""The weight gradient's matmul, ``x.T @ dout``, in the orientation XLA's CPU matmul is fast at.

Affine's backward computes dW = x.T @ dout: x (N, D_in) and dout (N, D_out) both contract
their first axis. XLA's CPU compiler (jaxlib 0.10, Eigen's matmul, one thread) computes that
product for the book's first layer (N=100, D_in=784, D_out=50) in ~1.5x the time that the
same product transposed, dout.T @ x of shape (50, 784), and its copy into W1's layout take
together (BENCHMARKS.md, "Fast paths"). XLA itself turns (dout.T @ x).T back into x.T @ dout, so the
transposed product is kept behind an ``optimization_barrier``.

:func:`wide_dots_transposed` makes that change in a traced function, on its jaxpr, for every
``x.T @ dout`` of two-dimensional x (k, m) and dout (k, n) with m > n (a layer that narrows:
the gradient of 784 -> 50, and of 50 -> 10); every other operation is bound as JAX traced
it. The products are the same sums (the same operands, the other orientation), so the step
computed is still the eager one (tests/fast compares them).
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["wide_dots_transposed"]


def wide_dots_transposed(function: Callable) -> Callable:
    """function, traced, with each wide first-axis matmul computed transposed (see above)."""
    import jax

    def rewritten(*arguments):
        closed, shapes = jax.make_jaxpr(function, return_shape=True)(*arguments)
        results = _evaluate(closed.jaxpr, closed.consts, jax.tree_util.tree_leaves(arguments))
        return jax.tree_util.tree_unflatten(jax.tree_util.tree_structure(shapes), results)

    return rewritten


def _evaluate(jaxpr, consts, arguments, transposes=None) -> list:
    """jax.core.eval_jaxpr, with the matmuls above transposed, also inside nested jits.
    transposes: id(a traced x.T) -> (x.T, x), for the matmuls that read it."""
    from jax.extend.core import Literal

    transposes = {} if transposes is None else transposes
    env = dict(zip(jaxpr.constvars, consts, strict=True))
    env.update(zip(jaxpr.invars, arguments, strict=True))

    def read(atom):
        return atom.val if isinstance(atom, Literal) else env[atom]

    for eqn in jaxpr.eqns:
        values = [read(atom) for atom in eqn.invars]
        name, params = eqn.primitive.name, eqn.params
        inner = params.get("jaxpr") if name in ("pjit", "jit") else None
        if inner is not None:  # a nested jit (jnp.matmul, jnp.take): inlined, to reach its dots
            results = _evaluate(inner.jaxpr, inner.consts, values, transposes)
        elif name == "dot_general" and _wide_transposed_matmul(params, values, transposes):
            x, dout = transposes[id(values[0])][1], values[1]
            results = [_transposed_product(eqn, x, dout)]
        else:
            result = eqn.primitive.bind(*values, **eqn.primitive.get_bind_params(params))
            results = result if eqn.primitive.multiple_results else [result]
            if name == "transpose" and tuple(params["permutation"]) == (1, 0):
                transposes[id(result)] = (result, values[0])
        env.update(zip(eqn.outvars, results, strict=True))
    return [read(atom) for atom in jaxpr.outvars]


def _wide_transposed_matmul(params, values, transposes) -> bool:
    """x.T @ dout with x (k, m), dout (k, n) and m > n: the weight gradient of a layer that
    narrows (784 -> 50)."""
    lhs, rhs = values
    (contracting, batch) = params["dimension_numbers"]
    entry = transposes.get(id(lhs))
    return (
        entry is not None
        and entry[0] is lhs
        and lhs.ndim == rhs.ndim == 2
        and tuple(map(tuple, contracting)) == ((1,), (0,))
        and not any(batch)
        and lhs.shape[0] > rhs.shape[1]
    )


def _transposed_product(eqn, x, dout):
    """x.T @ dout as (dout.T @ x).T, the inner product kept from being turned back by XLA."""
    from jax import lax

    params = dict(eqn.primitive.get_bind_params(eqn.params))
    params["dimension_numbers"] = (((0,), (0,)), ((), ()))
    product = eqn.primitive.bind(dout, x, **params)  # (n, m)
    return lax.transpose(lax.optimization_barrier(product), (1, 0))
