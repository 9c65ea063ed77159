"""Time the numerical gradient of the whole network: xpnet against the book's element loop.

    python benchmarks/bench_numgrad.py                   # CPU: 5 interleaved rounds
    python benchmarks/bench_numgrad.py --quick           # 1 round, 20 training steps
    python benchmarks/bench_numgrad.py --train-iters 50  # time 50 steps of training by it

Workload 3: the numerical gradient of TwoLayerNet 784-50-10 (39,760 parameters) on 3 samples,
float64, by
- the textbook: the book's ``numerical_gradient`` (np.nditer over each parameter, two forwards
  per element) on the book's TwoLayerNet (benchmarks/peers.py), one-hot labels as in the book's
  gradient_check.py;
- ``xpnet.TwoLayerNet.numerical_gradient(x, t)``, whatever method it uses by default, and with
  ``method="loop"`` when it takes that argument.
All start from the same weights. Agreement is the largest absolute difference between their
gradients, and between each and backpropagation. Note that the book's loss is
-mean(log(y + 1e-7)) and xpnet's the exact log-softmax, so the textbook's gradient differs from
xpnet's by ~1e-7 for that reason alone; xpnet's own methods compute the same loss.

--train-iters N (default 200) times N steps of ``xpnet.Trainer(grad="numerical")`` (the book's
chapter-4 training by numerical gradient; --train-activation sigmoid by default, as in chapter 4)
and extrapolates 10000 iterations with 17 evaluations.
"""

from __future__ import annotations

import argparse
import inspect
import statistics

import common

THREADS = common.set_threads_from_argv()  # before NumPy and torch load OpenBLAS / OpenMP

import numpy as np  # noqa: E402
import peers  # noqa: E402
import report  # noqa: E402

import xpnet  # noqa: E402
from xpnet.backends import to_numpy  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    common.add_common_arguments(parser, repeats=5)
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
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats = 1
    if args.train_iters is None:
        args.train_iters = 20 if args.quick else 200
    return args


def book_data(samples: int):
    """The first `samples` training digits of the bundled sample (x float64, labels int64),
    and the 60000/10000 tiled sets for training."""
    (x_train, t_train), (x_test, t_test) = xpnet.load_mnist_sample()
    x, t = x_train[:samples].astype(np.float64), t_train[:samples]
    tiled = (
        (np.tile(x_train, (15, 1)), np.tile(t_train, 15)),
        (np.tile(x_test, (10, 1)), np.tile(t_test, 10)),
    )
    return x, t, tiled


def main(argv=None) -> None:
    args = parse_args(argv)
    common.set_torch_threads(args.threads)
    x_host, t_host, tiled = book_data(args.samples)
    backend = xpnet.get_backend(args.device, backend=args.backend)

    net = xpnet.TwoLayerNet(*peers.SIZES, xp=backend.xp, device=backend.device, seed=args.seed)
    init = {key: to_numpy(value) for key, value in net.params.items()}
    book_net = peers.TwoLayerNet(*peers.SIZES, init=init)
    x, t = backend.asarray(x_host), backend.asarray(t_host)
    t_one_hot = peers.one_hot(t_host)  # the book's gradient_check.py loads one-hot labels
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
        "script": "bench_numgrad",
        "machine": common.machine_info(),
        "settings": {
            "device": args.device,
            "backend": backend.name,
            "samples": args.samples,
            "repeats": args.repeats,
            "threads": args.threads,
            "seed": args.seed,
        },
        "has_method": has_method,
        "labels": labels,
    }

    common.progress("warming up ...")
    for name in methods:
        if name != "textbook-loop":  # the loops are long enough to need no warm-up
            methods[name][0]()
    grads: dict[str, dict] = {}

    def run(name, r):
        function, synchronize = methods[name]
        seconds, grad = common.timed(function, synchronize)
        grads.setdefault(name, {key: to_numpy(value) for key, value in grad.items()})
        return seconds

    common.progress(f"workload 3: numerical gradient, {args.repeats} rounds ...")
    times = common.interleaved(list(methods), args.repeats, run)
    grads["xpnet-backprop"] = {k: to_numpy(v) for k, v in net.gradient(x, t).items()}
    grads["textbook-backprop"] = book_net.gradient(x_host, t_one_hot)
    result["timing"] = {
        "seconds": times,
        "summary": {name: common.summary(values) for name, values in times.items()},
        "speedup_vs_textbook": {
            name: 1 / value for name, value in common.paired_ratios(times, "textbook-loop").items()
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
        common.progress(f"training by numerical gradient, {args.train_iters} steps ...")
        result["training"] = time_training(args, backend, tiled)

    common.finish(result, args.json, report.numgrad_report(result))


def max_abs_difference(a: dict, b: dict) -> float:
    return max(float(np.max(np.abs(a[key] - b[key]))) for key in a)


def numerical_trainer(backend, data, *, activation: str, dtype: str, seed: int) -> xpnet.Trainer:
    """A Trainer(grad="numerical") with the book's settings on TwoLayerNet 784-50-10."""
    net = xpnet.TwoLayerNet(
        *peers.SIZES,
        activation=activation,
        xp=backend.xp,
        device=backend.device,
        dtype=dtype,
        seed=seed,
    )
    (x_train, t_train), (x_test, t_test) = data
    return xpnet.Trainer(
        net,
        (x_train, t_train),
        (x_test, t_test),
        batch_size=peers.BATCH_SIZE,
        learning_rate=peers.LEARNING_RATE,
        grad="numerical",
        seed=seed,
    )


def time_evaluation(trainer: xpnet.Trainer) -> float:
    """Seconds of one of the book's evaluations: train and test accuracy over the whole sets."""
    seconds, _ = common.timed(
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
    first, _ = common.timed(lambda: trainer.run(1), sync)  # step 0 and an evaluation
    evaluation = time_evaluation(trainer)
    step_times = [max(first - evaluation, 0.0)]
    for _ in range(args.train_iters - 1):
        seconds, _ = common.timed(lambda: trainer.run(trainer.iteration + 1), sync)
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
        "extrapolated_s": common.book_run_seconds(step, evaluation, trainer.iters_per_epoch),
    }


if __name__ == "__main__":
    main()
