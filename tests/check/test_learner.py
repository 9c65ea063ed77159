"""`xpnet check FILE.py[:CLASS]`: the learner's file imported (never its __main__ block), its
class found and built as the book does, checked on 3 images of the bundled sample; exit 0 when it
passes, 1 when the check fails, 2 when the file or class cannot be used."""

from __future__ import annotations

import shutil
import sys
import types
from pathlib import Path

import pytest

from xpnet.check.learner import LearnerError, load_class
from xpnet.cli import main

LEARNER = Path(__file__).resolve().parent.parent / "learner"
BOOK = LEARNER / "two_layer_net.py"


def copy_learner(tmp_path: Path, name: str = "learner") -> Path:
    folder = tmp_path / name
    shutil.copytree(LEARNER, folder, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1
    path.write_text(text.replace(old, new))


@pytest.mark.slow
def test_the_books_network_passes_xpnet_check(capsys):
    code = main(["check", str(BOOK)])  # its __main__ block would raise SystemExit
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.startswith(f"xpnet check: TwoLayerNet of {BOOK} on 3 images")
    assert "check PASSED on a batch of 3, float64" in out and "WRONG" not in out


@pytest.mark.slow
def test_a_faulty_network_fails_with_exit_1_and_the_diagnosis(tmp_path, capsys):
    folder = copy_learner(tmp_path)
    edit(folder / "common" / "layers.py", "dx = dx / batch_size", "dx = dx")
    code = main(["check", f"{folder / 'two_layer_net.py'}:TwoLayerNet"])
    out = " ".join(capsys.readouterr().out.split())
    assert code == 1
    assert "check FAILED" in out and out.count("WRONG") == 4 and "the batch size N=3" in out


def test_each_check_imports_its_own_sibling_modules(tmp_path):
    """Two folders, each with its own `common`: the second load must not reuse the first's."""
    good = copy_learner(tmp_path, "good")
    bad = copy_learner(tmp_path, "bad")
    edit(bad / "common" / "layers.py", "np.sum(dout, axis=0)", "np.sum(dout)")
    for folder in (good, bad):
        net_class = load_class(str(folder / "two_layer_net.py"))
        affine = net_class.__init__.__globals__["Affine"]
        assert Path(affine.forward.__code__.co_filename) == folder / "common" / "layers.py"
        assert str(folder) not in sys.path
    assert "common" not in sys.modules and "common.layers" not in sys.modules


def test_a_module_of_the_same_name_imported_before_is_set_aside(tmp_path, monkeypatch):
    other = types.ModuleType("common")
    other.__file__ = str(tmp_path / "elsewhere" / "common" / "__init__.py")
    monkeypatch.setitem(sys.modules, "common", other)
    net_class = load_class(str(BOOK))
    affine = net_class.__init__.__globals__["Affine"]
    assert Path(affine.forward.__code__.co_filename) == LEARNER / "common" / "layers.py"
    assert sys.modules["common"] is other and "common.layers" not in sys.modules


def test_two_candidate_classes_need_a_name(tmp_path, capsys):
    """Neither has the book's name (TwoLayerNet, which would be checked: test_learner_layouts)."""
    folder = copy_learner(tmp_path)
    path = folder / "two_layer_net.py"
    text = path.read_text().replace("class TwoLayerNet:", "class Mine:")
    path.write_text(text + "\n\nclass Other(Mine):\n    pass\n")
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "found Mine, Other" in err and f"xpnet check {path}:CLASS" in err
    assert load_class(f"{path}:Other").__name__ == "Other"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            "missing.py",
            "FILE must be an existing Python file (name.py) or Jupyter notebook (name.ipynb);"
            " got 'missing.py'",
        ),
        (f"{BOOK}:Net", "two_layer_net.py has no class Net; its classes: OrderedDict"),
    ],
)
def test_an_unusable_file_or_class_is_one_line_and_exit_2(spec, message, capsys):
    assert main(["check", spec]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_a_backward_that_raises_fails_the_check_and_shows_its_place(tmp_path, capsys):
    """The forward pass ran and a layer's backward raised: backprop is wrong, a verdict (exit 1)
    with the learner's own frames, not a file xpnet could not use (exit 2)."""
    folder = copy_learner(tmp_path)
    edit(folder / "common" / "layers.py", "        dx = np.dot(dout, self.W.T)\n",
         "        dx = np.dot(dout, self.W)\n")  # fmt: skip
    assert main(["check", str(folder / "two_layer_net.py")]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"xpnet check: TwoLayerNet of {folder / 'two_layer_net.py'} on 3 images")
    said = out.split("check FAILED: gradient(x, t) raised an error in your code after loss(x")[1]
    assert "ValueError: shapes (3,10) and (50,10) not aligned" in said
    assert "(raised in your code)" in said
    assert f'File "{folder / "common" / "layers.py"}", line 42, in backward' in said
    assert "hint: Affine2 (Affine.backward" in said
    assert "xpnet" not in said.split("(raised in your code)")[1].replace(str(tmp_path), "")


def test_an_error_in_the_learners_forward_is_no_verdict(tmp_path, capsys):
    """A forward pass that raises may be xpnet's input, not the learner's bug: exit 2."""
    folder = copy_learner(tmp_path)
    edit(folder / "common" / "layers.py", "        out = np.dot(self.x, self.W) + self.b\n",
         "        out = np.dot(self.x, self.W.T) + self.b\n")  # fmt: skip
    assert main(["check", str(folder / "two_layer_net.py")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("xpnet check: error: ValueError: shapes (3,784) and (50,784)")
    assert f'File "{folder / "common" / "layers.py"}", line ' in err


def test_a_mistyped_name_is_said_with_the_name_python_would_suggest(tmp_path, capsys):
    """A NameError in the learner's code names the close name its frame knows, as Python's own
    traceback does: ReLu for the imported Relu (case alone), slef for self."""
    folder = copy_learner(tmp_path)
    edit(folder / "two_layer_net.py", '"Relu1"] = Relu()', '"Relu1"] = ReLu()')
    assert main(["check", str(folder / "two_layer_net.py")]) == 2
    err = capsys.readouterr().err
    assert "NameError: name 'ReLu' is not defined; did you mean 'Relu'? (raised in" in err
    folder = copy_learner(tmp_path, "b")
    edit(folder / "common" / "layers.py", "        self.mask = x <= 0\n",
         "        self.mask = x <= 0\n        slef.x = x\n")  # fmt: skip
    assert main(["check", str(folder / "two_layer_net.py")]) == 2
    assert "name 'slef' is not defined; did you mean 'self'?" in capsys.readouterr().err


def test_an_import_error_in_the_learners_file_shows_its_place(tmp_path):
    path = tmp_path / "net.py"
    path.write_text("import numpy as np\n\nW = np.zeros(3) @ np.zeros(4)\n")
    with pytest.raises(LearnerError, match=r"ValueError: .*\(raised in your code\)") as error:
        load_class(str(path))
    assert f'File "{path}", line 3, in <module>' in str(error.value)


def test_a_class_that_the_book_cannot_build_is_exit_2(tmp_path, capsys):
    path = tmp_path / "net.py"
    path.write_text(
        "class Net:\n    def __init__(self):\n        self.params = {}\n"
        "    def loss(self, x, t):\n        return 0.0\n"
        "    def gradient(self, x, t):\n        return {}\n"
    )
    assert main(["check", str(path)]) == 2
    assert "cannot build Net(input_size=784, hidden_size=50, output_size=10)" in (
        capsys.readouterr().err
    )


@pytest.mark.slow
def test_the_readmes_report_is_a_real_run(tmp_path, monkeypatch, capsys):
    """The docs' "Check your own network" (docs/check.md, once README's section) shows `xpnet
    check` on the book's network with W2's gradient collected from the first Affine layer: the
    same text as a run now."""
    readme = (LEARNER.parent.parent / "docs" / "check.md").read_text()
    shown = readme.split("$ xpnet check two_layer_net.py")[1].split("\n", 1)[1].split("```")[0]
    folder = copy_learner(tmp_path)
    edit(
        folder / "two_layer_net.py",
        'grads["W2"], grads["b2"] = self.layers["Affine2"].dW',
        'grads["W2"], grads["b2"] = self.layers["Affine1"].dW',
    )
    monkeypatch.chdir(folder)
    assert main(["check", "two_layer_net.py"]) == 1
    assert capsys.readouterr().out == shown


def test_the_books_layout_with_sys_path_append_pardir_works(tmp_path, monkeypatch, capsys):
    """The book's ch05/two_layer_net.py reaches ../common with sys.path.append(os.pardir), from
    the folder it runs in: xpnet check run there finds it too, and reports its frames."""
    book = tmp_path / "book"
    shutil.copytree(LEARNER / "common", book / "common")
    (book / "ch05").mkdir()
    text = BOOK.read_text().replace(
        "from collections import OrderedDict\n",
        "import os\nimport sys\nfrom collections import OrderedDict\n\n"
        "sys.path.append(os.pardir)\n",
    )
    (book / "ch05" / "two_layer_net.py").write_text(text)
    edit(book / "common" / "layers.py", "self.x = x\n", "self.x = x.T\n")  # a learner's bug
    monkeypatch.chdir(book / "ch05")
    monkeypatch.setattr(sys, "path", list(sys.path))  # the file's append is undone afterwards
    try:
        assert main(["check", "two_layer_net.py"]) == 2
    finally:
        for name in [n for n in sys.modules if n.split(".")[0] == "common"]:
            del sys.modules[name]
    err = capsys.readouterr().err
    assert "ValueError: shapes" in err and "(raised in your code)" in err
    assert '../common/layers.py", line 38, in forward' in err  # beside the file's folder
    assert 'ch05/two_layer_net.py", line' in err and "xpnet/" not in err


def test_a_type_error_inside_the_learners_init_shows_its_place(tmp_path, capsys):
    path = tmp_path / "net.py"
    path.write_text(
        "class Net:\n    def __init__(self, input_size, hidden_size, output_size):\n"
        "        self.params = {'W': [0.0] * None}\n"
        "    def loss(self, x, t):\n        return 0.0\n"
        "    def gradient(self, x, t):\n        return {}\n"
    )
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "TypeError: can't multiply sequence" in err
    assert f'File "{path}", line 3, in __init__' in err


def test_a_mistyped_book_name_gets_the_books_size_and_another_name_is_still_refused():
    from xpnet.check.building import build_arguments

    class Typed:
        def __init__(self, input_size, hiden_size, ouput_size, weight_init_std=0.01): ...

    assert build_arguments(Typed) == ([], {"input_size": 784, "hiden_size": 50, "ouput_size": 10})

    class Other:
        def __init__(self, input_size, hidden_size, output_size, seed): ...

    with pytest.raises(LearnerError, match="its __init__ needs seed, which xpnet cannot guess"):
        build_arguments(Other)
