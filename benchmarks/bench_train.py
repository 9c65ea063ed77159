"""Time the book's training run: xpnet against the textbook and PyTorch eager, side by side.

    python benchmarks/bench_train.py                 # CPU, ~5-10 minutes on 2 busy cores
    python benchmarks/bench_train.py --quick         # 1000 iterations, one round: ~1 minute
    python benchmarks/bench_train.py --device cuda   # xpnet on CuPy vs PyTorch on the same GPU

Workloads, each run by every contestant in interleaved rounds (A, B, C, A, B, C, ...):
1. the book's run: TwoLayerNet 784-50-10, --iters steps (10000) of batch 100 and lr 0.1, train
   and test accuracy over the whole sets (60000 + 10000 images) at every step i % 600 == 0;
2. the step without evaluation: steps 1..599 of a fresh run, in microseconds per step.
The limit: the matmuls those steps and evaluations do, timed alone in tight loops at the same
shapes -- the "compute bound" each figure is also given as a multiple of. Memory: RSS of xpnet's
Trainer after 1000 and after 10000 steps, and each run's peak above its starting RSS.

Data: the bundled 5,000-digit MNIST sample (4000 train / 1000 test) tiled 15x and 10x to MNIST's
60000/10000, so accuracy is meaningful (the train accuracy is that of the 4000 unique digits);
--data mnist uses the real MNIST when it is cached. Read main() first.
"""

from __future__ import annotations

import argparse
import cProfile
import math
import pstats
import time
from pathlib import Path

import common

THREADS = common.set_threads_from_argv()  # before NumPy and torch load OpenBLAS / OpenMP

import numpy as np  # noqa: E402
import peers  # noqa: E402
import report  # noqa: E402

import xpnet  # noqa: E402
from xpnet.backends import device_name, to_numpy  # noqa: E402

STEP_ITERS = 599  # steps 1..599 of a run: the steps before the next evaluation (i = 600)
EVAL_CHUNK = 10_000  # xpnet's Trainer evaluates in chunks of this many images
PEERS_CPU = "textbook-f64,textbook-f32,torch-manual,torch-autograd,xpnet"
PEERS_CUDA = "textbook-f64,torch-manual,torch-autograd,xpnet"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    common.add_common_arguments(parser, repeats=5)
    parser.add_argument("--iters", type=int, default=None, help="steps per full run (10000)")
    parser.add_argument(
        "--full-repeats", type=int, default=None, help="rounds of full runs (default 3)"
    )
    parser.add_argument(
        "--peers",
        default=None,
        help=f"contestants, comma-separated (cpu default: {PEERS_CPU}; also xpnet-f64)",
    )
    parser.add_argument("--data", choices=["sample", "mnist"], default="sample")
    parser.add_argument(
        "--profile-steps",
        type=int,
        default=STEP_ITERS,
        help="steps of xpnet's Trainer to profile with cProfile (0: none)",
    )
    args = parser.parse_args(argv)
    if args.iters is None:
        args.iters = 1000 if args.quick else 10_000
    if args.full_repeats is None:
        args.full_repeats = 1 if args.quick else 3
    if args.quick:
        args.repeats = min(args.repeats, 3)
    if args.peers is None:
        args.peers = PEERS_CPU if args.device == "cpu" else PEERS_CUDA
    args.peers = [name.strip() for name in args.peers.split(",") if name.strip()]
    return args


# -- data and contestants -------------------------------------------------------------------------


def load_data(source: str):
    """((x_train, t_train), (x_test, t_test)) of MNIST's sizes, host float32 images, int64 labels,
    and a sentence saying where they come from."""
    if source == "mnist":
        (x_train, t_train), (x_test, t_test) = xpnet.load_mnist(download=False)
        return ((x_train, t_train), (x_test, t_test)), "MNIST (60000 train / 10000 test)"
    (x_train, t_train), (x_test, t_test) = xpnet.load_mnist_sample()
    data = (
        (np.tile(x_train, (15, 1)), np.tile(t_train, 15)),
        (np.tile(x_test, (10, 1)), np.tile(t_test, 10)),
    )
    text = "bundled 5000-digit sample (4000 train / 1000 test) tiled to 60000 / 10000"
    return data, text


def initial_weights(seed: int) -> dict[str, np.ndarray]:
    """xpnet's seeded initial weights, float64 on the host: every contestant starts from them."""
    net = xpnet.TwoLayerNet(*peers.SIZES, seed=seed)
    return {key: to_numpy(value) for key, value in net.params.items()}


class Xpnet:
    """xpnet's TwoLayerNet and Trainer with the book's settings, as `xpnet.train` runs them."""

    def __init__(self, data, backend: xpnet.Backend, dtype: str = "float32") -> None:
        self.data, self.backend, self.dtype = data, backend, dtype
        self.name = f"xpnet {backend.name} {dtype}"
        self.device = device_name(backend)
        self.memory: dict = {}

    def fresh(self, init, seed) -> None:  # init: the same weights, drawn by xpnet from seed
        backend = self.backend
        net = xpnet.TwoLayerNet(
            *peers.SIZES, xp=backend.xp, device=backend.device, dtype=self.dtype, seed=seed
        )
        train_data, test_data = self.data
        self.trainer = xpnet.Trainer(
            net,
            train_data,
            test_data,
            batch_size=peers.BATCH_SIZE,
            learning_rate=peers.LEARNING_RATE,
            seed=seed,
        )

    def train(self, iters_num: int, *, evaluate: bool = True) -> dict:
        trainer = self.trainer
        start, stop = trainer.iteration, trainer.iteration + iters_num
        if not evaluate and any(i % trainer.iters_per_epoch == 0 for i in range(start, stop)):
            raise ValueError(f"steps {start}..{stop - 1} include an evaluation step")
        if evaluate and iters_num >= 100:  # RSS after 1000 steps and at the end: no growth?
            mark = start + min(1000, iters_num // 10)
            trainer.run(mark)
            self.synchronize()
            rss_mark, pool_mark = common.rss_bytes(), gpu_pool(self.backend)
            trainer.run(stop)
            self.synchronize()
            rss_end = common.rss_bytes()
            self.memory = {
                "steps": [mark, stop],
                "rss": [rss_mark, rss_end],
                "growth": None if rss_end is None else rss_end - rss_mark,
                "gpu_pool": [pool_mark, gpu_pool(self.backend)],
            }
        else:
            trainer.run(stop)
        return self.last_evaluation()

    def last_evaluation(self) -> dict:
        epochs = self.trainer.history.epochs
        if not epochs:
            return {}
        record = epochs[-1]
        return {"train_acc": record.train_acc, "test_acc": record.test_acc, "loss": record.loss}

    def first_losses(self, n: int = 100) -> list[float]:
        return self.trainer.history.train_loss[:n]

    def synchronize(self) -> None:
        self.backend.synchronize()


def same_batches_check(data, init, seed: int, iters: int, xpnet_run: dict) -> dict:
    """Accuracy with the same seed: the book's network and loop (float64) trained on the very
    batches xpnet's Trainer draws for this seed, evaluated where xpnet last evaluated.

    The Trainer draws each epoch's batch indices at once, rng.integers(0, train_size,
    (iters_per_epoch, batch_size)), from xpnet's host generator (train.py); this replays that.
    The replay is verified: the losses of the first 100 steps must match xpnet's to ~1e-5
    (float32 against float64), where other batches would differ by ~0.1.
    """
    (x_train, t_train), (x_test, t_test) = data
    T_train, T_test = peers.one_hot(t_train), peers.one_hot(t_test)
    network = peers.TwoLayerNet(*peers.SIZES, init=init)
    train_size, batch_size = x_train.shape[0], peers.BATCH_SIZE
    per_epoch = max(train_size // batch_size, 1)
    rng = xpnet.backends.host_rng(seed)
    last_evaluation = (iters - 1) // per_epoch * per_epoch
    losses = []
    for i in range(last_evaluation + 1):
        if i % per_epoch == 0:
            draws = rng.integers(0, train_size, size=(per_epoch, batch_size))
        batch_mask = draws[i % per_epoch]
        grad = network.gradient(x_train[batch_mask], T_train[batch_mask])
        losses.append(float(network.lastLayer.loss))  # the loss of the gradient's forward
        for key in ("W1", "b1", "W2", "b2"):
            network.params[key] -= peers.LEARNING_RATE * grad[key]
    theirs = xpnet_run.get("first_losses") or []
    return {
        "seed": seed,
        "xpnet_train_acc": xpnet_run.get("train_acc"),
        "xpnet_test_acc": xpnet_run.get("test_acc"),
        "textbook_train_acc": float(network.accuracy(x_train, T_train)),
        "textbook_test_acc": float(network.accuracy(x_test, T_test)),
        "loss_max_diff": max(
            (abs(a - b) for a, b in zip(theirs, losses, strict=False)), default=None
        ),
    }


def gpu_pool(backend) -> dict | None:
    """CuPy's memory pool: used and total bytes (None off CuPy)."""
    if backend.name != "cupy":
        return None
    import cupy

    pool = cupy.get_default_memory_pool()
    return {"used_bytes": pool.used_bytes(), "total_bytes": pool.total_bytes()}


def make_contestants(args, data) -> dict:
    backend = xpnet.get_backend(args.device, backend=args.backend)
    makers = {
        "textbook-f64": lambda: peers.Textbook(data, "float64"),
        "textbook-f32": lambda: peers.Textbook(data, "float32"),
        "torch-manual": lambda: peers.TorchManual(data, args.device, "float32"),
        "torch-autograd": lambda: peers.TorchAutograd(data, args.device, "float32"),
        "xpnet": lambda: Xpnet(data, backend, "float32"),
        "xpnet-f64": lambda: Xpnet(data, backend, "float64"),
    }
    unknown = [name for name in args.peers if name not in makers]
    if unknown:
        raise SystemExit(f"unknown --peers {unknown}; choose from {', '.join(makers)}")
    return {name: makers[name]() for name in args.peers}


# -- the two workloads, one contestant at a time --------------------------------------------------


def time_steps(contestant, init, seed: int, steps: int = STEP_ITERS) -> float:
    """Seconds per step of steps 1..steps of a fresh run (step 0 and its evaluation untimed)."""
    contestant.fresh(init, seed)
    contestant.train(1)
    seconds, _ = common.timed(
        lambda: contestant.train(steps, evaluate=False), contestant.synchronize
    )
    return seconds / steps


def time_full_run(contestant, init, seed: int, iters: int) -> dict:
    """The book's run of iters steps from set-up on, with its evaluations: seconds (set-up
    included), the last evaluation, peak RSS above the start, and xpnet's memory marks."""
    common.reset_peak_rss()
    rss_before = common.rss_bytes()
    setup, _ = common.timed(lambda: contestant.fresh(init, seed), contestant.synchronize)
    loop, evaluation = common.timed(lambda: contestant.train(iters), contestant.synchronize)
    peak = common.peak_rss_bytes()
    return {
        "seed": seed,
        "seconds": setup + loop,
        "setup_s": setup,
        **evaluation,
        "peak_rss_above_start": None if rss_before is None else peak - rss_before,
        "memory": getattr(contestant, "memory", None) or None,
        "first_losses": contestant.first_losses() if isinstance(contestant, Xpnet) else None,
    }


# -- the limit: the matmuls alone ----------------------------------------------------------------


def step_matmuls(batch_size: int = peers.BATCH_SIZE) -> list[tuple]:
    """(label, A's shape, B's shape, A stored transposed, B stored transposed) of each matmul of
    one training step; a transposed operand is a .T view, as in the step itself."""
    N, (D, H, C) = batch_size, peers.SIZES
    return [
        ("x @ W1", (N, D), (D, H), False, False),  # forward
        ("h @ W2", (N, H), (H, C), False, False),
        ("h.T @ dy", (H, N), (N, C), True, False),  # backward: dW2
        ("dy @ W2.T", (N, C), (C, H), False, True),  # dh
        ("x.T @ dh", (D, N), (N, H), True, False),  # dW1; the first layer's dx is not needed
    ]


def eval_matmuls(rows: int) -> list[tuple]:
    D, H, C = peers.SIZES
    return [
        (f"x @ W1 ({rows} rows)", (rows, D), (D, H), False, False),
        (f"h @ W2 ({rows} rows)", (rows, H), (H, C), False, False),
    ]


def time_matmul(library: str, device: str, dtype: str, spec, repeats: int) -> float:
    """Seconds per call of one matmul into a preallocated output: best of repeats."""
    _, a_shape, b_shape, transpose_a, transpose_b = spec
    a_stored = a_shape[::-1] if transpose_a else a_shape
    b_stored = b_shape[::-1] if transpose_b else b_shape
    out_shape = (a_shape[0], b_shape[1])
    if library == "numpy":
        rng = np.random.default_rng(0)
        A, B = (rng.standard_normal(s).astype(dtype) for s in (a_stored, b_stored))
        out = np.empty(out_shape, dtype=dtype)
        matmul = np.matmul

        def sync():
            pass

    elif library == "torch":
        import torch

        options = {"dtype": getattr(torch, dtype), "device": device}
        A, B = torch.randn(a_stored, **options), torch.randn(b_stored, **options)
        out = torch.empty(out_shape, **options)
        matmul = torch.matmul

        def sync():
            if torch.device(device).type == "cuda":
                torch.cuda.synchronize()

    else:  # cupy
        import cupy

        A, B = (cupy.random.standard_normal(s).astype(dtype) for s in (a_stored, b_stored))
        out = cupy.empty(out_shape, dtype=dtype)
        matmul = cupy.matmul

        def sync():
            cupy.cuda.get_current_stream().synchronize()

    a, b = (A.T if transpose_a else A), (B.T if transpose_b else B)

    def call():
        matmul(a, b, out=out)

    def clock(calls: int) -> float:  # no gc.collect() here: it costs ~0.1 s with torch loaded
        sync()
        start = time.perf_counter()
        for _ in range(calls):
            call()
        sync()
        return time.perf_counter() - start

    calls = 1
    while (seconds := clock(calls)) < 0.01 and calls < 2**16:  # calibrate: ~10 ms a timing
        calls *= 2
    return min([seconds] + [clock(calls) for _ in range(repeats)]) / calls


def compute_bound(args, data, dtype: str) -> dict:
    """The time the book's run would take if it did nothing but its matmuls, each at the best
    speed the machine's libraries reach for that shape (NumPy and torch; CuPy and torch on GPU)."""
    (x_train, _), (x_test, _) = data
    libraries = ["numpy", "torch"] if args.device == "cpu" else ["torch"]
    if args.device != "cpu":
        try:
            import cupy  # noqa: F401

            libraries.insert(0, "cupy")
        except ImportError:
            pass
    rows = min(EVAL_CHUNK, x_train.shape[0])
    ops = []
    for part, specs in (("step", step_matmuls()), ("eval", eval_matmuls(rows))):
        for spec in specs:
            label, (m, k), (_, n) = spec[:3]
            seconds = {
                library: time_matmul(library, args.device, dtype, spec, args.repeats)
                for library in libraries
            }
            shape = f"({m},{k})@({k},{n})"
            ops.append(
                {"part": part, "label": label, "shape": shape, "mkn": [m, k, n], "seconds": seconds}
            )
    return bound_totals(
        {
            "libraries": libraries,
            "ops": ops,
            "iters": args.iters,
            "evaluations": len(range(0, args.iters, max(x_train.shape[0] // peers.BATCH_SIZE, 1))),
            "chunks_per_evaluation": math.ceil(x_train.shape[0] / rows)
            + math.ceil(x_test.shape[0] / rows),
        }
    )


def bound_totals(bound: dict) -> dict:
    """Add each op's best library and GFLOP/s, and the totals: one step, one evaluation chunk,
    the whole run (iters steps + evaluations x chunks of evaluation)."""
    for op in bound["ops"]:
        op["best"] = min(op["seconds"], key=op["seconds"].get)
        m, k, n = op["mkn"]
        op["gflops"] = 2 * m * k * n / op["seconds"][op["best"]] / 1e9
    step, chunk = (
        sum(op["seconds"][op["best"]] for op in bound["ops"] if op["part"] == part)
        for part in ("step", "eval")
    )
    evaluations = bound["evaluations"] * bound["chunks_per_evaluation"]
    return {
        **bound,
        "step_s": step,
        "eval_chunk_s": chunk,
        "run_s": bound["iters"] * step + evaluations * chunk,
    }


def merge_bounds(first: dict, second: dict) -> dict:
    """The better (lower) of two measurements of the bound, op by op."""
    ops = [
        {**a, "seconds": {lib: min(a["seconds"][lib], b["seconds"][lib]) for lib in a["seconds"]}}
        for a, b in zip(first["ops"], second["ops"], strict=True)
    ]
    return bound_totals({**first, "ops": ops})


# -- where xpnet's step spends its time -----------------------------------------------------------


def profile_step(contestant: Xpnet, init, seed: int, steps: int, top: int = 15) -> dict:
    """cProfile over `steps` steps of xpnet's Trainer: the top functions by own time, per step."""
    contestant.fresh(init, seed)
    contestant.train(1)
    profiler = cProfile.Profile()
    profiler.enable()
    contestant.train(steps, evaluate=False)
    contestant.synchronize()
    profiler.disable()
    stats = pstats.Stats(profiler)
    rows = []
    for (filename, line, function), (_, calls, own, cumulative, _) in stats.stats.items():
        rows.append(
            {
                "function": f"{short_path(filename)}:{line}({function})",
                "calls_per_step": calls / steps,
                "own_us_per_step": own / steps * 1e6,
                "cumulative_us_per_step": cumulative / steps * 1e6,
            }
        )
    rows.sort(key=lambda row: row["own_us_per_step"], reverse=True)
    return {"steps": steps, "total_us_per_step": stats.total_tt / steps * 1e6, "top": rows[:top]}


def short_path(filename: str) -> str:
    for marker in ("site-packages/", "src/", "lib/python"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return Path(filename).name if "/" in filename else filename


# -- CUDA graphs ----------------------------------------------------------------------------------


def cuda_graph_check(contestant, init, seed: int) -> dict:
    """Whether xpnet's step (loss_and_gradient + SGD update on one gathered batch) can be captured
    into a CUDA graph, and the eager and replayed step times when it can.

    A captured step is PyTorch's (torch.cuda.graph, --backend torch). On CuPy the attempt reports
    why it fails: CuPy's cuBLAS wrapper raises NotImplementedError during stream capture (up to
    CuPy's main branch; cupy#6290), and every matmul of the step calls cuBLAS."""
    if not isinstance(contestant, Xpnet) or contestant.backend.name not in ("cupy", "torch"):
        return {"status": "not run: no GPU (xpnet runs on the CPU here)"}
    if contestant.backend.name == "torch" and contestant.backend.device.type != "cuda":
        return {"status": "not run: no GPU (xpnet runs on the CPU here)"}
    contestant.fresh(init, seed)
    trainer, backend = contestant.trainer, contestant.backend
    xp, net = backend.xp, trainer.net
    batch = backend.asarray(np.arange(peers.BATCH_SIZE))
    x_batch, t_batch = (
        xp.take(trainer.x_train, batch, axis=0),
        xp.take(trainer.t_train, batch, axis=0),
    )

    def step():
        _, grads = net.loss_and_gradient(x_batch, t_batch)
        trainer.optimizer.update(net.params, grads)

    def per_step(function, n=200):
        function()
        backend.synchronize()
        start = time.perf_counter()
        for _ in range(n):
            function()
        backend.synchronize()
        return (time.perf_counter() - start) / n * 1e6

    result = {"backend": backend.name, "eager_us": per_step(step)}
    try:
        if backend.name == "cupy":
            import cupy

            # expected to raise at the first matmul (cupy#6290); kept to report CuPy's answer
            stream = cupy.cuda.Stream(non_blocking=True)
            with stream:
                stream.begin_capture()
                try:
                    step()
                finally:
                    graph = stream.end_capture()

            def replay():
                graph.launch(stream)

            def wait():
                stream.synchronize()

        else:
            import torch

            graph = torch.cuda.CUDAGraph()
            side = torch.cuda.Stream()
            side.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(side):
                step()  # warm-up on a side stream, as torch.cuda.graphs asks
            torch.cuda.current_stream().wait_stream(side)
            with torch.cuda.graph(graph):
                step()

            def replay():
                graph.replay()

            def wait():
                torch.cuda.synchronize()

        replay()
        wait()
        start = time.perf_counter()
        for _ in range(200):
            replay()
        wait()
        result.update(status="captured", graph_us=(time.perf_counter() - start) / 200 * 1e6)
    except Exception as error:  # the report says why capture failed; that is the finding
        result.update(status="capture failed", error=f"{type(error).__name__}: {error}")
    return result


# -- main -----------------------------------------------------------------------------------------


def main(argv=None) -> None:
    args = parse_args(argv)
    common.set_torch_threads(args.threads)
    data, data_text = load_data(args.data)
    contestants = make_contestants(args, data)
    names = list(contestants)
    inits: dict[int, dict] = {}

    def init_for(seed):
        if seed not in inits:
            inits[seed] = initial_weights(seed)
        return inits[seed]

    result: dict = {
        "script": "bench_train",
        "machine": common.machine_info(),
        "settings": {
            "device": args.device,
            "backend": args.backend,
            "iters": args.iters,
            "batch_size": peers.BATCH_SIZE,
            "learning_rate": peers.LEARNING_RATE,
            "repeats": args.repeats,
            "full_repeats": args.full_repeats,
            "step_iters": STEP_ITERS,
            "threads": args.threads,
            "seed": args.seed,
            "data": data_text,
            "quick": args.quick,
        },
        "contestants": {
            name: {"label": c.name, "dtype": c.dtype, "device": c.device}
            for name, c in contestants.items()
        },
        "peak_rss_at_start": common.peak_rss_bytes(),
    }

    common.progress("warming up every contestant ...")
    for c in contestants.values():
        c.fresh(init_for(args.seed), args.seed)
        c.train(1)
        c.train(50, evaluate=False)
        c.synchronize()

    common.progress("the limit: matmuls alone ...")
    dtypes = sorted({c.dtype for c in contestants.values()})
    bounds = {dtype: compute_bound(args, data, dtype) for dtype in dtypes}

    common.progress(f"workload 2: {STEP_ITERS} steps without evaluation ...")

    def steps(name, r):
        return time_steps(contestants[name], init_for(args.seed + r), args.seed + r)

    step_s = common.interleaved(names, args.repeats, steps)
    result["steps"] = {"us": {name: [s * 1e6 for s in values] for name, values in step_s.items()}}

    common.progress(f"workload 1: the book's run, {args.iters} iterations ...")

    def full_run(name, r):
        return time_full_run(contestants[name], init_for(args.seed + r), args.seed + r, args.iters)

    runs = common.interleaved(names, args.full_repeats, full_run)
    result["runs"] = {"rounds": runs}

    if "xpnet" in runs:
        common.progress("accuracy check: the book's net on xpnet's batches ...")
        result["accuracy_check"] = [
            same_batches_check(data, init_for(run["seed"]), run["seed"], args.iters, run)
            for run in runs["xpnet"]
        ]

    common.progress("the limit again (the lower of both measurements counts) ...")
    for dtype in dtypes:
        bounds[dtype] = merge_bounds(bounds[dtype], compute_bound(args, data, dtype))
    result["bound"] = bounds

    result["steps"].update(
        analyse(
            {n: [s / 1e6 for s in v] for n, v in result["steps"]["us"].items()},
            contestants,
            {d: b["step_s"] for d, b in bounds.items()},
        )
    )
    result["runs"].update(
        analyse(
            {n: [run["seconds"] for run in v] for n, v in runs.items()},
            contestants,
            {d: b["run_s"] for d, b in bounds.items()},
        )
    )
    result["peak_rss_at_end"] = common.peak_rss_bytes()

    xpnet_contestant = contestants.get("xpnet")
    if xpnet_contestant is not None and args.profile_steps > 0:
        common.progress("profiling xpnet's step with cProfile ...")
        steps_to_profile = min(args.profile_steps, STEP_ITERS)
        result["profile"] = profile_step(
            xpnet_contestant, init_for(args.seed), args.seed, steps_to_profile
        )
    if xpnet_contestant is not None:
        result["cuda_graph"] = cuda_graph_check(xpnet_contestant, init_for(args.seed), args.seed)

    common.finish(result, args.json, report.train_report(result))


def analyse(seconds: dict[str, list[float]], contestants: dict, bound: dict[str, float]) -> dict:
    """Medians, paired ratios to the textbook (float64) and to the faster PyTorch eager peer,
    and each median as a multiple of the compute bound of its dtype."""
    summaries = {name: common.summary(values) for name, values in seconds.items()}
    torch_names = [name for name in seconds if name.startswith("torch-")]
    torch_reference = min(torch_names, key=lambda n: summaries[n]["median"], default=None)
    return {
        "summary": summaries,
        "ratio_to_textbook": common.paired_ratios(seconds, "textbook-f64"),
        "torch_reference": torch_reference,
        "ratio_to_torch": common.paired_ratios(seconds, torch_reference) if torch_reference else {},
        "ratio_to_bound": {
            name: summaries[name]["median"] / bound[contestants[name].dtype] for name in seconds
        },
    }


if __name__ == "__main__":
    main()
