"""The examples run and print the book's numbers: each example's main() on NumPy, small settings.

Each example is imported from its file (examples/ is not a package) and run with --out in
tmp_path; the test reads what it printed and checks the figures it wrote.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib")

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run_example(name: str, args: list[str], capsys, backend: str = "numpy") -> str:
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(["--device", "cpu", "--backend", backend, *args])
    return capsys.readouterr().out


def numbers(text: str) -> np.ndarray:
    """Every number in text, in order."""
    return np.array([float(n) for n in re.findall(r"-?\d+\.?\d*(?:e[-+]\d+)?", text)])


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


def test_simple_net_random_W_is_seeded(capsys, tmp_path):
    first = run_example("simple_net", ["--random-W", "--seed", "3"], capsys)
    again = run_example("simple_net", ["--random-W", "--seed", "3"], capsys)
    other = run_example("simple_net", ["--random-W", "--seed", "4"], capsys)
    assert first == again != other


def test_gradient_check_passes_for_both_networks(capsys, tmp_path):
    args = ["--out", str(tmp_path), "--hidden-size", "10", "--samples", "2"]
    out = run_example("gradient_check", args, capsys)
    assert "relu (chapter 5)" in out and "sigmoid (chapter 4)" in out
    assert out.count("gradient check PASSED") == 2
    for row in re.findall(r"^(?:W1|b1|W2|b2) .*$", out, flags=re.MULTILINE):
        assert numbers(row)[-2] < 1e-9  # mean abs difference, like the book's 1e-13 .. 1e-10


def test_train_two_layer_net_learns_and_plots(capsys, tmp_path):
    out = run_example("train_two_layer_net", ["--out", str(tmp_path), "--iters", "120"], capsys)
    for name in ("ch4_sigmoid", "ch5_relu"):
        epochs = [line for line in out.split(f"\n{name}:")[1].splitlines() if "epoch" in line]
        assert len(epochs) == 3  # after steps 1, 41 and 81 (40 steps per epoch)
        first_acc = numbers(epochs[0].split("|")[1])
        assert all(0.0 <= a <= 1.0 for a in first_acc)
        for kind in ("accuracy", "loss"):
            assert_png(tmp_path / f"{name}_{kind}.png")
    relu_last = numbers(out.split("ch5_relu: ")[-1].split("last epoch:")[1].splitlines()[0])
    assert relu_last[0] > 0.5  # 120 ReLU steps already beat chance (0.1) by far


def test_array_generic_keeps_the_callers_library(capsys, tmp_path):
    out = run_example("array_generic", ["--out", str(tmp_path)], capsys)
    # run_example passes --backend numpy: one library, the rest is not tried
    assert out.startswith("numpy: x is numpy.ndarray, float64, on cpu")
    assert "softmax(float32 x)     -> numpy.ndarray, float32, on cpu" in out
    error = numbers(line_after(out, "numerical_gradient").split("exact| =")[1])[0]
    assert error < 1e-8


@pytest.mark.parametrize("library", ["array_api_strict", "torch"])
def test_array_generic_keeps_other_libraries_and_devices(library, capsys):
    pytest.importorskip(library)
    out = run_example("array_generic", [], capsys, backend=library)
    device = "Device('device1')" if library == "array_api_strict" else "on cpu"
    results = [line for line in out.splitlines() if "->" in line]
    assert len(results) == 4 and all(library in line and device in line for line in results)


@pytest.mark.parametrize("backend", ["array_api_strict", "torch"])
@pytest.mark.parametrize(
    "name", ["numerical_gradient", "gradient_field", "gradient_descent", "simple_net"]
)
def test_example_prints_the_same_numbers_on_other_backends(name, backend, capsys, tmp_path):
    pytest.importorskip(backend)
    expected = run_example(name, ["--out", str(tmp_path / "numpy")], capsys)
    got = run_example(name, ["--out", str(tmp_path / backend)], capsys, backend=backend)

    def numbers_only(out: str) -> list[str]:  # not the lines naming the backend or the file
        skip = ("#", "each gradient is", "wrote")
        return [line for line in out.splitlines() if not line.strip().startswith(skip)]

    assert numbers_only(got) == numbers_only(expected)
