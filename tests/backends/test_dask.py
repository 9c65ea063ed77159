"""Dask: a TwoLayerNet of dask arrays on a set larger than each worker's memory, NumPy the oracle.

One LocalCluster per session (2 worker processes, a memory limit below the data's size; a
worker that held the whole set would be killed by its nanny and the compute would fail). The
data is the bundled sample's 1000 test images tiled 100 times and read chunk by chunk on the
workers: its mean loss, accuracy and full-batch gradient equal those of the 1000 images, which
NumPy computes in memory. A scheduler plugin counts the graphs the scheduler receives: one per
evaluation. Runs where the session selects dask (XPNET_BACKEND=dask, or no XPNET_BACKEND).
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from conftest import selected

pytest.importorskip("dask.distributed")

import dask
import dask.array as da
from dask.distributed import Client
from distributed.diagnostics.plugin import SchedulerPlugin

import xpnet
from xpnet.backends import get_backend
from xpnet.cli import main
from xpnet.cli.evaluate import local_cluster
from xpnet.datasets.rows import TiledDigits, as_dask

if not any(name == "dask" for name, _, _ in selected()):
    pytest.skip("the session's XPNET_BACKEND does not select dask", allow_module_level=True)

MIB = 2**20
REPEAT, CHUNK_ROWS = 100, 10_000  # 100,000 x 784 float32 = 299 MiB in 10 chunks
MEMORY_LIMIT = 250 * MIB  # per worker: below the data's size


class GraphCounter(SchedulerPlugin):
    """Counts the task graphs the scheduler is sent: one per dask.compute (or .compute())."""

    def __init__(self) -> None:
        self.graphs = 0

    def update_graph(self, scheduler, **kwargs) -> None:
        self.graphs += 1


@pytest.fixture(scope="session")
def cluster():
    with (
        local_cluster(2, MEMORY_LIMIT) as cluster,
        Client(cluster) as client,
    ):
        counter = GraphCounter()
        cluster.scheduler.add_plugin(counter)
        yield cluster, client, counter


@pytest.fixture
def computes(cluster):
    """The number of graphs computed on the cluster since the test began, as a function."""
    _, _, counter = cluster
    start = counter.graphs
    return lambda: counter.graphs - start


@pytest.fixture(scope="session")
def nets():
    """The same network (seed 0, float32) on NumPy and on Dask."""
    make = dict(weight_init_std=0.1, dtype="float32", seed=0)
    dask_xp = get_backend("cpu", backend="dask").xp
    return xpnet.TwoLayerNet(784, 50, 10, **make), xpnet.TwoLayerNet(
        784, 50, 10, xp=dask_xp, **make
    )


@pytest.fixture(scope="session")
def tiled():
    """(x, t) as dask arrays read on the workers, and the 1000 images (x, t) on the host."""
    source = TiledDigits("sample", REPEAT)
    assert source.nbytes("float32") > MEMORY_LIMIT  # the point of the test
    x, t = as_dask(source, CHUNK_ROWS, "float32")
    return (x, t), source.read(0, 1000, "float32")


def test_the_dask_nets_parameters_are_numpys(nets):
    net_np, net_dask = nets
    assert net_dask.backend.name == "dask" and net_dask.backend.lazy
    for name, value in net_dask.params.items():
        assert isinstance(value, da.Array)
        np.testing.assert_array_equal(value.compute(), net_np.params[name])


def test_accuracy_loss_and_gradient_equal_numpys_one_compute_each(cluster, computes, nets, tiled):
    net_np, net_dask = nets
    (x, t), (x_host, t_host) = tiled
    assert x.numblocks == (REPEAT * 1000 // CHUNK_ROWS, 1)

    assert net_dask.accuracy(x, t) == net_np.accuracy(x_host, t_host)
    assert computes() == 1
    loss = net_dask.loss(x, t)
    assert computes() == 1  # lazy until asked
    assert float(loss) == pytest.approx(float(net_np.loss(x_host, t_host)), rel=1e-6)
    assert computes() == 2
    grads = net_dask.gradient(x, t)
    (grads,) = dask.compute(grads)
    assert computes() == 3
    for name, expected in net_np.gradient(x_host, t_host).items():
        np.testing.assert_allclose(grads[name], expected, rtol=1e-4, atol=1e-7)


def test_evaluate_is_one_compute_and_equals_numpy(cluster, computes, nets, tiled):
    net_np, net_dask = nets
    (x, t), (x_host, t_host) = tiled
    result = xpnet.evaluate(net_dask, x, t)
    assert computes() == 1
    expected = xpnet.evaluate(net_np, x_host, t_host)
    assert result.samples == REPEAT * 1000
    assert result.accuracy == expected.accuracy
    assert result.loss == pytest.approx(expected.loss, rel=1e-6)


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_one_hot_targets_and_float64_agree_with_numpy(cluster, computes, activation):
    """float64 and one-hot targets, both chapters' layers: NumPy's numbers within rounding."""
    rng = np.random.default_rng(1)
    x_host, t_host = rng.random((900, 784)), rng.integers(0, 10, 900)
    make = dict(weight_init_std=0.1, activation=activation, seed=3)
    net_np = xpnet.TwoLayerNet(784, 20, 10, **make)
    net_dask = xpnet.TwoLayerNet(784, 20, 10, xp=get_backend("cpu", backend="dask").xp, **make)
    x, t = da.from_array(x_host, chunks=(200, 784)), da.from_array(np.eye(10)[t_host], chunks=200)
    loss, grads = dask.compute(*net_dask.loss_and_gradient(x, t))
    assert computes() == 1
    expected_loss, expected = net_np.loss_and_gradient(x_host, np.eye(10)[t_host])
    assert loss == pytest.approx(float(expected_loss), rel=1e-12)
    for name in expected:
        np.testing.assert_allclose(grads[name], expected[name], rtol=1e-10, atol=1e-15)


def test_label_cross_entropy_works_without_take_along_axis():
    xp = get_backend("cpu", backend="dask").xp
    assert not hasattr(xp, "take_along_axis")  # else this test checks nothing new
    rng = np.random.default_rng(2)
    y, t = xpnet.softmax(rng.random((50, 10))), rng.integers(0, 10, 50)
    got = xpnet.cross_entropy_error(da.from_array(y, chunks=20), da.from_array(t, chunks=20))
    assert isinstance(got, da.Array)
    # the same terms, summed chunk by chunk: within an ulp or two
    assert float(got) == pytest.approx(float(xpnet.cross_entropy_error(y, t)), rel=1e-15)


def test_numerical_gradient_batched_works_and_loop_is_refused():
    rng = np.random.default_rng(4)
    x_host, t_host = rng.random((3, 12)), np.array([0, 2, 1])
    net_np = xpnet.TwoLayerNet(12, 5, 3, weight_init_std=0.5, seed=0)
    net_dask = xpnet.TwoLayerNet(
        12, 5, 3, weight_init_std=0.5, seed=0, xp=get_backend("cpu", backend="dask").xp
    )
    x, t = da.from_array(x_host, chunks=2), da.from_array(t_host, chunks=2)
    (grads,) = dask.compute(net_dask.numerical_gradient(x, t))
    backprop = net_np.gradient(x_host, t_host)
    for name, expected in net_np.numerical_gradient(x_host, t_host).items():
        np.testing.assert_allclose(grads[name], expected, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(grads[name], backprop[name], rtol=1e-5, atol=1e-8)
    with pytest.raises(ValueError, match=r"method='loop' perturbs dask arrays.*'batched'"):
        net_dask.numerical_gradient(x, t, method="loop")
    assert xpnet.gradient_check(net_dask, x, t).passed


def test_numerical_gradient_of_a_function_refuses_dask_arrays():
    x = da.from_array(np.array([3.0, 4.0]), chunks=1)
    message = r"perturbs x in place.*task graph.*x = x.compute\(\).*net.numerical_gradient"
    with pytest.raises(TypeError, match=message):
        xpnet.numerical_gradient(lambda v: (v**2).sum(), x)
    with pytest.raises(TypeError, match="gradient_descent|perturbs x in place"):
        xpnet.gradient_descent(lambda v: (v**2).sum(), x)
    np.testing.assert_array_equal(x.compute(), [3.0, 4.0])  # untouched


def test_training_on_dask_is_refused_naming_what_to_use(nets):
    _, net_dask = nets
    (train, test) = xpnet.load_mnist_sample()
    with pytest.raises(ValueError, match=r"\(xp=numpy\).*xpnet\.evaluate\(net, x, t\)$"):
        xpnet.train(net_dask, train, test, iters_num=1)


def test_evaluate_refuses_unknown_row_counts(nets):
    _, net_dask = nets
    x = da.ones((10, 784), chunks=5)
    x = x[x[:, 0] > 0]  # a filter: dask no longer knows the rows
    with pytest.raises(ValueError, match=r"unknown number of rows.*compute_chunk_sizes"):
        xpnet.evaluate(net_dask, x, da.zeros(10, dtype=int))


@pytest.mark.parametrize("method", ["loss", "accuracy", "gradient"])
def test_the_nets_methods_name_unknown_row_counts_with_the_fix(nets, method):
    # they said "t must have one row per sample of x: x has N=nan, t has shape (nan,)"
    net_np, net_dask = nets
    x_host = np.random.default_rng(0).random((10, 784), dtype=np.float32)
    t_host = np.arange(10) % 10
    x, t = da.asarray(x_host, chunks=5), da.asarray(t_host, chunks=5)
    keep = x[:, 0] > 0.5  # a filter: dask no longer knows the rows
    x, t = x[keep], t[keep]
    with pytest.raises(
        ValueError, match=r"x has an unknown number of rows .*x.compute_chunk_sizes"
    ):
        getattr(net_dask, method)(x, t)
    x.compute_chunk_sizes()
    with pytest.raises(
        ValueError, match=r"t has an unknown number of rows .*t.compute_chunk_sizes"
    ):
        getattr(net_dask, method)(x, t)
    t.compute_chunk_sizes()
    rows = x_host[:, 0] > 0.5
    (got,) = dask.compute(getattr(net_dask, method)(x, t))
    expected = getattr(net_np, method)(x_host[rows], t_host[rows])
    if method != "gradient":
        got, expected = {"value": got}, {"value": expected}
    for key, value in expected.items():
        np.testing.assert_allclose(np.asarray(got[key]), value, rtol=1e-5, atol=1e-6)


# -- xpnet evaluate -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    path = tmp_path_factory.mktemp("run") / "checkpoint.npz"
    net = xpnet.TwoLayerNet(784, 30, 10, weight_init_std=0.1, dtype="float32", seed=5)
    xpnet.save_checkpoint(path, net)
    return path, net


def run_cli(args, capsys) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def figures(out: str) -> tuple[float, float, int]:
    found = re.search(r"loss (\S+)  accuracy (\S+)  on (\d+) samples", out)
    assert found, out
    return float(found.group(1)), float(found.group(2)), int(found.group(3))


def test_cli_evaluate_on_an_existing_scheduler_equals_numpy(cluster, computes, checkpoint, capsys):
    path, net = checkpoint
    address = cluster[0].scheduler_address
    code, out, _ = run_cli(
        [
            "evaluate",
            str(path),
            "--backend",
            "dask",
            "--dataset",
            "sample",
            "--tile",
            "20",
            "--chunk-rows",
            "4000",
            "--scheduler",
            address,
        ],
        capsys,
    )
    assert code == 0 and f"the scheduler at {address} (2 workers)" in out
    assert "20000 x 784 float32 = 60 MiB, in 5 chunks" in out
    assert computes() == 1
    loss, accuracy, samples = figures(out)
    x, t = TiledDigits("sample").read(0, 1000)
    expected = xpnet.evaluate(net, x, t)
    assert samples == 20_000 and accuracy == round(expected.accuracy, 4)
    assert loss == pytest.approx(expected.loss, abs=2e-6)


def test_cli_evaluate_files_on_a_local_cluster_and_on_numpy(checkpoint, capsys, tmp_path):
    """.npy images with Zarr labels; the default LocalCluster (one small worker, to be quick)."""
    zarr = pytest.importorskip("zarr")
    path, net = checkpoint
    rng = np.random.default_rng(6)
    x, t = rng.integers(0, 256, (3000, 784), dtype=np.uint8), rng.integers(0, 10, 3000)
    np.save(tmp_path / "x.npy", x)
    zarr.save_array(str(tmp_path / "t.zarr"), t)
    files = ["--data", str(tmp_path / "x.npy"), "--labels", str(tmp_path / "t.zarr")]
    expected = xpnet.evaluate(net, (x / np.float32(255)).astype(np.float32), t)
    results = []
    for flags in (["--backend", "numpy"], ["--backend", "dask", "--workers", "1"]):
        code, out, _ = run_cli(
            ["evaluate", str(path), *files, "--chunk-rows", "1000", *flags], capsys
        )
        assert code == 0, out
        results.append(figures(out))
    assert "LocalCluster of 1 worker processes" in out
    for loss, accuracy, samples in results:
        assert samples == 3000 and accuracy == round(expected.accuracy, 4)
        assert loss == pytest.approx(expected.loss, abs=2e-6)


def test_dask_example_equals_numpy_on_the_sessions_cluster(cluster, capsys):
    """examples/dask_evaluate.py, small (--tile 10), on the session's cluster (no second one)."""
    from test_examples import numbers, run_example

    address = cluster[0].scheduler_address
    out = run_example("dask_evaluate", ["--tile", "10", "--scheduler", address], capsys)
    assert "cluster: 2 workers, memory limit 250 MiB each" in out
    dask_loss, dask_accuracy, samples = numbers(out.split("dask :")[1].splitlines()[0])[:3]
    numpy_loss, numpy_accuracy, _ = numbers(out.split("numpy:")[1].splitlines()[0])[:3]
    assert samples == 10_000 and dask_accuracy == numpy_accuracy > 0.5  # trained: beats chance
    assert dask_loss == pytest.approx(numpy_loss, abs=2e-6)
    assert numbers(out.split("max |dask - numpy| =")[1])[0] < 1e-5


def test_cli_train_on_dask_is_refused_in_one_line(capsys, tmp_path):
    args = ["train", "--backend", "dask", "--dataset", "sample", "--iters", "1", "--no-plot"]
    code, _, err = run_cli([*args, "--out", str(tmp_path / "run")], capsys)
    assert code == 2 and err.startswith("xpnet train: error: training refuses a network of dask")
    assert "xpnet evaluate CHECKPOINT --backend dask" in err and len(err.strip().splitlines()) == 1
    assert "(--backend numpy)" in err and "xp=" not in err and "xpnet.evaluate" not in err
