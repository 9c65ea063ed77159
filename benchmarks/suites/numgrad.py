"""Suite numgrad: the numerical gradient of the whole network, xpnet against the book's loop.

    python -m benchmarks measure numgrad                   # CPU: 5 interleaved rounds
    python -m benchmarks measure numgrad --quick           # 1 round, 20 training steps
    python -m benchmarks measure numgrad --train-iters 50  # time 50 steps of training by it

Workload 3: the numerical gradient of TwoLayerNet 784-50-10 (39,760 parameters) on 3 samples,
float64, by
- the textbook: the book's ``numerical_gradient`` (np.nditer over each parameter, two forwards
  per element) on the book's TwoLayerNet (textbook.py), one-hot labels as in the book's
  gradient_check.py;
- ``xpnet.TwoLayerNet.numerical_gradient(x, t)``, whatever method it uses by default, and with
  ``method="loop"`` when it takes that argument.
All start from the same weights. Agreement is the largest absolute difference between their
gradients, and between each and backpropagation. The book's loss is -mean(log(y + 1e-7)) and
xpnet's the exact log-softmax, so the textbook's gradient differs from xpnet's by ~1e-7 for that
reason alone; xpnet's own methods compute the same loss.

--train-iters N (default 200) times N steps of ``xpnet.Trainer(grad="numerical")`` (the book's
chapter-4 training by numerical gradient; --train-activation sigmoid by default, as in chapter 4)
and extrapolates 10000 iterations with 17 evaluations.
"""

from __future__ import annotations

import argparse
import inspect
import statistics

import numpy as np

import xpnet
from xpnet.backends import to_numpy

from .. import measure, textbook
from ..contestants import load_data, new_trainer
from ..machine import set_torch_threads


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--samples", type=int, default=3, help="batch size of the gradient (3)")
    parser.add_argument(
        "--train-iters",
        type=int,
        default=None,
        help="steps of Trainer(grad='numerical') to time and extrapolate (default 200; 0: none)",
    )
    parser.add_argument(
        "--skip-loop",
        action="store_true",
        help='leave out xpnet\'s method="loop" (slow on a GPU: ~80,000 small forwards)',
    )
    parser.add_argument("--train-activation", choices=["sigmoid", "relu"], default="sigmoid")
    parser.add_argument("--train-dtype", choices=["float32", "float64"], default="float64")


def run(args: argparse.Namespace) -> dict:
    if args.quick:
        args.repeats = 1
    if args.train_iters is None:
        args.train_iters = 20 if args.quick else 200
    set_torch_threads(args.threads)
    (x_train, t_train), _ = xpnet.load_mnist_sample()
    x_host, t_host = x_train[: args.samples].astype(np.float64), t_train[: args.samples]
    backend = xpnet.get_backend(args.device, backend=args.backend)

    net = xpnet.TwoLayerNet(*textbook.SIZES, xp=backend.xp, device=backend.device, seed=args.seed)
    init = {key: to_numpy(value) for key, value in net.params.items()}
    book_net = textbook.TwoLayerNet(*textbook.SIZES, init=init)
    x, t = backend.asarray(x_host), backend.asarray(t_host)
    t_one_hot = textbook.one_hot(t_host)  # the book's gradient_check.py loads one-hot labels
    has_method = "method" in inspect.signature(net.numerical_gradient).parameters

    methods = {
        "textbook-loop": (lambda: book_net.numerical_gradient(x_host, t_one_hot), lambda: None),
        "xpnet": (lambda: net.numerical_gradient(x, t), backend.synchronize),
    }
    labels = {
        "textbook-loop": "textbook loop (np.nditer), numpy",
        "xpnet": f"xpnet numerical_gradient(x, t), {backend.name}",
        "xpnet-backprop": "xpnet backprop (net.gradient)",
        "textbook-backprop": "textbook backprop (network.gradient)",
    }
    if has_method and not args.skip_loop:
        methods["xpnet-loop"] = (
            lambda: net.numerical_gradient(x, t, method="loop"),
            backend.synchronize,
        )
        labels["xpnet-loop"] = f'xpnet numerical_gradient(x, t, method="loop"), {backend.name}'

    result: dict = {
        "settings": {
            "device": args.device,
            "backend": backend.name,
            "samples": args.samples,
            "repeats": args.repeats,
            "threads": args.threads,
            "seed": args.seed,
            "quick": args.quick,
        },
        "has_method": has_method,
        "labels": labels,
    }

    measure.progress("warming up ...")
    for name in methods:
        if name != "textbook-loop":  # the loops are long enough to need no warm-up
            methods[name][0]()
    grads: dict[str, dict] = {}

    def one(name, r):
        function, synchronize = methods[name]
        seconds, grad = measure.timed(function, synchronize)
        grads.setdefault(name, {key: to_numpy(value) for key, value in grad.items()})
        return seconds

    measure.progress(f"workload 3: numerical gradient, {args.repeats} rounds ...")
    times = measure.interleaved(list(methods), args.repeats, one)
    grads["xpnet-backprop"] = {k: to_numpy(v) for k, v in net.gradient(x, t).items()}
    grads["textbook-backprop"] = book_net.gradient(x_host, t_one_hot)
    result["timing"] = {
        "seconds": times,
        "summary": {name: measure.summary(values) for name, values in times.items()},
        "speedup_vs_textbook": {
            name: 1 / value for name, value in measure.paired_ratios(times, "textbook-loop").items()
        },
    }
    pairs = [
        ("xpnet", "xpnet-loop"),
        ("xpnet", "textbook-loop"),
        ("xpnet", "xpnet-backprop"),
        ("xpnet-loop", "xpnet-backprop"),
        ("textbook-loop", "textbook-backprop"),
        ("xpnet-backprop", "textbook-backprop"),
    ]
    result["agreement"] = [
        (a, b, max_abs_difference(grads[a], grads[b]))
        for a, b in pairs
        if a in grads and b in grads
    ]
    result["largest_gradient"] = max(
        float(np.max(np.abs(g))) for g in grads["xpnet-backprop"].values()
    )

    if args.train_iters > 0:
        measure.progress(f"training by numerical gradient, {args.train_iters} steps ...")
        result["training"] = time_training(args, backend, load_data("sample")[0])
    return result


def max_abs_difference(a: dict, b: dict) -> float:
    return max(float(np.max(np.abs(a[key] - b[key]))) for key in a)


def numerical_trainer(backend, data, *, activation: str, dtype: str, seed: int) -> xpnet.Trainer:
    """A Trainer(grad="numerical") with the book's settings on TwoLayerNet 784-50-10."""
    net = xpnet.TwoLayerNet(
        *textbook.SIZES,
        activation=activation,
        xp=backend.xp,
        device=backend.device,
        dtype=dtype,
        seed=seed,
    )
    return new_trainer(
        net,
        *data,
        batch_size=textbook.BATCH_SIZE,
        learning_rate=textbook.LEARNING_RATE,
        grad="numerical",
        seed=seed,
    )


def time_evaluation(trainer: xpnet.Trainer) -> float:
    """Seconds of one of the book's evaluations: train and test accuracy over the whole sets."""
    seconds, _ = measure.timed(
        lambda: (
            trainer.accuracy(trainer.x_train, trainer.t_train),
            trainer.accuracy(trainer.x_test, trainer.t_test),
        ),
        trainer.net.backend.synchronize,
    )
    return seconds


def time_training(args, backend, data) -> dict:
    """Time train_iters steps of Trainer(grad="numerical") -- the first one with its evaluation,
    timed again alone and subtracted -- and extrapolate the book's 10000 iterations with its
    17 evaluations."""
    trainer = numerical_trainer(
        backend, data, activation=args.train_activation, dtype=args.train_dtype, seed=args.seed
    )
    sync = backend.synchronize
    first, _ = measure.timed(lambda: trainer.run(1), sync)  # step 0 and an evaluation
    evaluation = time_evaluation(trainer)
    step_times = [max(first - evaluation, 0.0)]
    for _ in range(args.train_iters - 1):
        seconds, _ = measure.timed(lambda: trainer.run(trainer.iteration + 1), sync)
        step_times.append(seconds)
    step = statistics.median(step_times)
    evaluations = len(range(0, 10_000, trainer.iters_per_epoch))
    return {
        "activation": args.train_activation,
        "dtype": args.train_dtype,
        "steps": args.train_iters,
        "first_step_with_evaluation_s": first,
        "step_times_s": step_times,
        "step_s": step,
        "evaluation_s": evaluation,
        "evaluations": evaluations,
        "extrapolated_s": measure.book_run_seconds(step, evaluation, trainer.iters_per_epoch),
    }
