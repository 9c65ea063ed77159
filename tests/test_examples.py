"""The examples run and print the book's numbers, on the session's backend.

Each example is imported from its file (examples/ is not a package) and its main() run with small
settings, --out in tmp_path and the --backend/--device of the `backend` fixture (XPNET_BACKEND);
the test reads what it printed and checks the figures it wrote. The book's own numbers are
checked on NumPy, the oracle; every other backend must print NumPy's numbers, up to rounding.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import numpy as np
import pytest
from conftest import IN_PLACE, TRAINING
from flags import cli_flags

from xpnet.backends import IMMUTABLE, Backend, get_backend

pytest.importorskip("matplotlib")

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
NUMBER = re.compile(r"-?\d+\.?\d*(?:e([-+]\d+))?")


def run_example(name: str, args: list[str], capsys, backend: Backend | None = None) -> str:
    """What main() printed, run on backend (NumPy on the CPU when None)."""
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    flags = cli_flags(backend) if backend is not None else ["--device", "cpu", "--backend", "numpy"]
    module.main([*flags, *args])
    return capsys.readouterr().out


def not_numpy(backend: Backend) -> Backend:
    if backend.name == "numpy":
        pytest.skip("NumPy is the oracle: the tests above check its numbers against the book")
    return backend


def numbers(text: str) -> np.ndarray:
    """Every number in text, in order."""
    return np.array([float(n.group()) for n in NUMBER.finditer(text)])


def line_after(output: str, prefix: str) -> str:
    """The text after prefix on the first line that starts with it (leading spaces ignored)."""
    for line in output.splitlines():
        if line.strip().startswith(prefix):
            return line.strip()[len(prefix) :]
    raise AssertionError(f"no line starting with {prefix!r} in:\n{output}")


def assert_png(path: Path) -> None:
    assert path.is_file(), f"{path} was not written"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000


def test_numerical_gradient_prints_the_books_values(capsys, tmp_path):
    out = run_example("numerical_gradient", ["--out", str(tmp_path)], capsys)
    assert numbers(line_after(out, "x =  5.0:"))[0] == 0.1999999999990898
    assert numbers(line_after(out, "x = 10.0:"))[0] == 0.2999999999986347
    for point, grad in (("(3.0, 4.0)", [6, 8]), ("(0.0, 2.0)", [0, 4]), ("(3.0, 0.0)", [6, 0])):
        printed = line_after(out, f"x = {point}:").split("(book")[0]
        np.testing.assert_allclose(numbers(printed), grad, atol=1e-6)


def test_gradient_field_arrows_point_to_the_origin(capsys, tmp_path):
    out = run_example("gradient_field", ["--out", str(tmp_path)], capsys)
    assert "grad f at 289 points" in out
    np.testing.assert_allclose(numbers(line_after(out, "-grad f at (-2.0, -2.0):")), [4, 4])
    assert "arrows pointing towards the origin: 288 of 289" in out
    assert_png(tmp_path / "gradient_field.png")


def test_gradient_descent_ends_where_the_book_does(capsys, tmp_path):
    out = run_example("gradient_descent", ["--out", str(tmp_path)], capsys)
    books = {
        "lr = 0.1  :": [-6.11110793e-10, 8.14814391e-10],
        "lr = 10   :": [-2.58983747e13, -1.29524862e12],
        "lr = 1e-10:": [-2.99999994, 3.99999992],
    }
    for prefix, book in books.items():
        ours = numbers(line_after(out, prefix).split("(book")[0])
        np.testing.assert_allclose(ours, book, rtol=1e-8)
    assert_png(tmp_path / "gradient_descent.png")


def test_simple_net_matches_the_book(capsys, tmp_path):
    out = run_example("simple_net", ["--out", str(tmp_path)], capsys)
    np.testing.assert_allclose(
        numbers(line_after(out, "predict(x):")), [1.05414809, 0.63071653, 1.1328074], atol=1e-8
    )
    assert numbers(line_after(out, "loss:"))[0] == pytest.approx(0.9280682857864075, abs=1e-12)
    dW = numbers(out.split("dW:")[1].split("book:")[0])
    book_dW = [0.21924763, 0.14356247, -0.36281009, 0.32887144, 0.2153437, -0.54421514]
    np.testing.assert_allclose(dW, book_dW, atol=2e-7)  # the 1e-7 guard in the log moves it


@pytest.mark.skip_lazy(reason=IN_PLACE)
def test_simple_net_random_W_is_seeded(backend, capsys):
    first = run_example("simple_net", ["--random-W", "--seed", "3"], capsys, backend)
    again = run_example("simple_net", ["--random-W", "--seed", "3"], capsys, backend)
    other = run_example("simple_net", ["--random-W", "--seed", "4"], capsys, backend)
    assert first == again != other


def test_gradient_check_passes_for_both_networks(backend, capsys, tmp_path):
    args = ["--out", str(tmp_path), "--hidden-size", "10", "--samples", "2"]
    out = run_example("gradient_check", args, capsys, backend)
    assert "relu (chapter 5)" in out and "sigmoid (chapter 4)" in out
    assert out.count("gradient check PASSED") == 2
    for row in re.findall(r"^(?:W1|b1|W2|b2) .*$", out, flags=re.MULTILINE):
        assert numbers(row)[-2] < 1e-9  # mean abs difference, like the book's 1e-13 .. 1e-10


@pytest.mark.slow
def test_check_broken_network_finds_each_mistake(capsys, tmp_path):
    args = ["--out", str(tmp_path), "--hidden-size", "5"]
    out = run_example("check_broken_network", args, capsys)
    reports = {
        part.split("\n", 1)[0]: " ".join(part.split("\n", 1)[1].split())
        for part in out.split("\n== mistake: ")[1:]
    }
    assert list(reports) == ["w2-from-affine1", "sum", "copies", "none"]
    assert (
        "W2: the gradient has shape (784, 5) but W2 has shape (5, 10), the shape of W1"
        in (reports["w2-from-affine1"])
    )
    assert "right: W1, b1, b2; wrong: W2." in reports["w2-from-affine1"]
    assert "W1, b1, W2, b2: backprop is 3 times the numerical gradient" in reports["sum"]
    assert "right: W2, b2; wrong: W1, b1." in reports["copies"]
    assert "numerical gradient is exactly 0" in reports["copies"]
    assert "check PASSED" in reports["none"] and "WRONG" not in reports["none"]
    assert sum("check FAILED" in report for report in reports.values()) == 3


@pytest.mark.skip_lazy(reason=IN_PLACE)
def test_check_broken_network_prints_numpys_report_on_other_backends(backend, capsys, tmp_path):
    """One mistake, a small net: each loss call is slow on array-api-strict."""
    backend = not_numpy(backend)
    if backend.name in IMMUTABLE:
        pytest.skip(
            f"{backend.name}: the example's book-style layers hold their parameter arrays, which"
            " a check reaches only by writing in place (test_netcheck.py checks immutable nets)"
        )
    args = ["--out", str(tmp_path), "--hidden-size", "2", "--mistake", "sum"]
    expected = run_example("check_broken_network", args, capsys)
    got = run_example("check_broken_network", args, capsys, backend)
    assert "W1, b1, W2, b2: backprop is 3 times" in " ".join(got.split())
    assert_same_numbers(got, expected, rtol=1e-6)  # relative errors ~1e-6 of rounding apart


@pytest.mark.skip_lazy(reason=TRAINING)
def test_train_two_layer_net_learns_and_plots(backend, capsys, tmp_path):
    args = ["--out", str(tmp_path), "--iters", "81"]
    out = run_example("train_two_layer_net", args, capsys, backend)
    for name in ("ch4_sigmoid", "ch5_relu"):
        epochs = [line for line in out.split(f"\n{name}:")[1].splitlines() if "epoch" in line]
        assert len(epochs) == 3  # after steps 1, 41 and 81 (40 steps per epoch)
        first_acc = numbers(epochs[0].split("|")[1])
        assert all(0.0 <= a <= 1.0 for a in first_acc)
        for kind in ("accuracy", "loss"):
            assert_png(tmp_path / f"{name}_{kind}.png")
    relu_last = numbers(out.split("ch5_relu: ")[-1].split("last epoch:")[1].splitlines()[0])
    assert relu_last[0] > 0.5  # 81 ReLU steps already beat chance (0.1) by far


def test_array_generic_keeps_numpys_types(capsys, tmp_path):
    """NumPy's own case (0-d results come back as numpy.float64 scalars): NumPy in every session."""
    out = run_example("array_generic", ["--out", str(tmp_path)], capsys)
    # run_example passes --backend numpy: one library, the rest is not tried
    assert out.startswith("numpy: x is numpy.ndarray, float64, on cpu")
    assert "softmax(float32 x)     -> numpy.ndarray, float32, on cpu" in out
    error = numbers(line_after(out, "numerical_gradient").split("exact| =")[1])[0]
    assert error < 1e-8


@pytest.mark.skip_lazy(reason=IN_PLACE)
def test_array_generic_keeps_the_callers_library_and_device(backend, capsys):
    backend = not_numpy(backend)
    out = run_example("array_generic", [], capsys, backend)
    # array-api-strict's arrays are made on "device1" whatever --device says: not the default
    device = backend.device
    if backend.name == "array_api_strict":
        device = get_backend("device1", backend="array_api_strict").device
    module = {"jax": "jaxlib"}.get(backend.name, backend.name)  # JAX's arrays: jaxlib.ArrayImpl
    assert out.startswith(f"{backend.name}: x is {module}.")
    results = [line for line in out.splitlines() if "->" in line]
    assert len(results) == 4
    for line in results:
        assert f"-> {module}." in line and line.split(" on ")[1].startswith(str(device)), line
    error = numbers(line_after(out, "numerical_gradient").split("exact| =")[1])[0]
    assert error < 1e-8


def test_jax_backend_gradients_agree_and_training_equals_numpys(backend, capsys):
    if backend.name != "jax":
        pytest.skip("examples/jax_backend.py is JAX's example: it runs in the jax session")
    out = run_example("jax_backend", ["--iters", "41"], capsys, backend)
    for key in ("W1", "b1", "W2", "b2"):
        to_autodiff, to_numerical = numbers(line_after(out, key))
        assert to_autodiff < 1e-12 and to_numerical < 1e-8  # jax.grad: rounding; central: h^2
    assert "jax    compiled (jax.jit)" in out
    assert numbers(line_after(out, "max |params - NumPy's| ="))[0] < 1e-9
    assert numbers(line_after(out, "max |loss - NumPy's|   ="))[0] < 1e-9


def assert_same_numbers(got: str, expected: str, *, rtol: float = 1e-9) -> None:
    """got is expected's text, with each number equal up to rounding.

    rtol: a correct backend differs from NumPy by rounding (a GPU's exp, log or pow may be an ulp
    off NumPy's); numerical differences divide that by 2h = 2e-4, about 1e-12 relative. Plus one
    unit in the 8th decimal (of the mantissa, in e-notation): array2string prints 8, and two
    results a rounding apart can print one unit apart there. A wrong result (float32, a forward
    difference, a lost device) is off by 1e-6 or more.
    """

    def lines(out: str) -> list[str]:  # not the lines naming the backend or the file
        skip = ("#", "each gradient is", "wrote")
        return [line for line in out.splitlines() if not line.strip().startswith(skip)]

    got_lines, expected_lines = lines(got), lines(expected)
    assert [NUMBER.sub("#", line) for line in got_lines] == [
        NUMBER.sub("#", line) for line in expected_lines
    ]
    for got_line, expected_line in zip(got_lines, expected_lines, strict=True):
        pairs = zip(NUMBER.finditer(got_line), NUMBER.finditer(expected_line), strict=True)
        for a, b in pairs:
            unit = 1e-8 * 10.0 ** int(b.group(1) or 0)
            tolerance = rtol * abs(float(b.group())) + unit
            assert abs(float(a.group()) - float(b.group())) <= tolerance, (
                f"{a.group()} is not NumPy's {b.group()} in\n  {got_line}\n  {expected_line}"
            )


def test_assert_same_numbers_tells_rounding_from_a_wrong_result():
    assert_same_numbers("dW: [0.21924764 6.1e-10]", "dW: [0.21924763 6.1e-10]")
    assert_same_numbers("x = 5.0: 0.1999999999990901", "x = 5.0: 0.1999999999990898")
    for wrong in ("dW: [0.21924766 6.1e-10]", "dW: [0.21924763 6.2e-10]", "dW: [0.2192476]"):
        with pytest.raises(AssertionError):
            assert_same_numbers(wrong, "dW: [0.21924763 6.1e-10]")
    with pytest.raises(AssertionError):
        assert_same_numbers("x = 5.0: 0.2000010000000000", "x = 5.0: 0.1999999999990898")


@pytest.mark.skip_lazy(reason=IN_PLACE)
@pytest.mark.parametrize(
    "name", ["numerical_gradient", "gradient_field", "gradient_descent", "simple_net"]
)
def test_example_prints_numpys_numbers_on_other_backends(name, backend, capsys, tmp_path):
    backend = not_numpy(backend)
    expected = run_example(name, ["--out", str(tmp_path / "numpy")], capsys)
    got = run_example(name, ["--out", str(tmp_path / backend.name)], capsys, backend)
    assert_same_numbers(got, expected)
    for figure in (tmp_path / "numpy").glob("*.png"):  # drawn from the backend's arrays too
        assert_png(tmp_path / backend.name / figure.name)


def test_dask_example_refuses_a_gpu_it_would_not_use(capsys):
    """dask_evaluate.py computes on the CPU: --device cuda ran there, exit 0, saying nothing."""
    pytest.importorskip("dask.distributed")
    with pytest.raises(SystemExit) as stopped:
        run_example("dask_evaluate", ["--device", "cuda"], capsys)
    err = capsys.readouterr().err
    assert stopped.value.code == 2
    assert err.splitlines()[-1].endswith(
        "error: --device cuda: this example computes with Dask on the CPU; use --device cpu"
    )


@pytest.mark.parametrize(
    ("name", "flags", "message"),
    [
        ("train_two_layer_net", ["--iters", "0"], "argument --iters: expected a positive integer"),
        ("train_two_layer_net", ["--lr", "-1"], "argument --lr: expected a positive, finite"),
        ("train_two_layer_net", ["--batch-size", "0"], "argument --batch-size: expected a"),
        ("gradient_check", ["--samples", "0"], "argument --samples: expected a positive integer"),
        ("gradient_field", ["--out", "{file}"], "--out {file} is a file, not a folder"),
        ("gradient_descent", ["--out", "{file}/sub"], "--out {file}/sub: {file} is a file, not a"),
    ],
)
def test_an_example_refuses_a_bad_flag_in_one_line(name, flags, message, capsys, tmp_path):
    """--iters 0 crashed with an IndexError after training, --lr -1 and --batch-size 0 with a
    traceback in Python's words (learning_rate=0.1), an --out that is a file with
    FileExistsError once the work was done: now each is the flag's one line, exit 2, at once."""
    file = tmp_path / "a-file"
    file.write_text("not a folder")
    flags = [flag.format(file=file) for flag in flags]
    with pytest.raises(SystemExit) as stopped:
        run_example(name, flags, capsys)
    err = capsys.readouterr().err
    assert stopped.value.code == 2 and "Traceback" not in err
    assert f": error: {message.format(file=file)}" in err.splitlines()[-1]  # prog: error: ...
