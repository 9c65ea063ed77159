"""Files that cannot be imported, said with the fix (xpnet.check.unimportable): a package folder
that holds no Python file (a git submodule not checked out), syntax of a newer Python."""

from __future__ import annotations

import sys

import pytest

from xpnet.check.learner import LearnerError, load_learner
from xpnet.check.unimportable import NEWER_SYNTAX, _submodule
from xpnet.cli import main

from .learner_shapes import book_repo, edit, refusal, write

GITMODULES = """
[submodule "vendor/book"]
\tpath = vendor/book
\turl = https://example.org/book.git
[submodule "upstream"]
\tpath = upstream
\turl = https://example.org/deep-learning-from-scratch.git
"""


@pytest.fixture(autouse=True)
def _own_path(monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))


@pytest.mark.parametrize("where", ["the file", "its layers module"])
def test_a_submodule_not_checked_out_is_named_with_its_url_and_the_git_command(
    tmp_path, monkeypatch, capsys, where
):
    """The book's repository as a submodule upstream/, cloned without --recurse-submodules:
    upstream/ is an empty folder, so Python says "No module named 'upstream.common'"."""
    root = tmp_path / "repo"
    net_file = book_repo(root)
    write(root / ".gitmodules", GITMODULES)
    (root / "upstream").mkdir()
    importer = net_file if where == "the file" else net_file.parent / "my_layers.py"
    if where != "the file":
        write(importer, "from upstream.common.layers import *\n")
        edit(net_file, "from common.layers import Affine", "from my_layers import Affine")
    else:
        edit(
            net_file,
            "from common.layers import Affine",
            "from upstream.common.layers import Affine",
        )
    monkeypatch.chdir(root)
    said = refusal(net_file)
    assert said.startswith(f"{importer.name} line ")
    assert f"imports upstream.common, but {root / 'upstream'} holds no Python file" in said
    assert f"it is a git submodule of the repository in {root}" in said
    assert "(https://example.org/deep-learning-from-scratch.git), not checked out" in said
    assert f"git -C {root} submodule update --init" in said
    assert main(["check", str(net_file)]) == 2
    assert "submodule update --init" in capsys.readouterr().err


def test_an_empty_package_folder_without_gitmodules_says_to_fill_it(tmp_path, monkeypatch):
    root = tmp_path / "repo"
    net_file = book_repo(root)
    (root / "mylib" / "layers").mkdir(parents=True)  # folders, and no .py at any depth
    edit(net_file, "from common.layers import Affine", "from mylib.layers import Affine")
    monkeypatch.chdir(root)
    said = refusal(net_file)
    assert said.endswith(
        f"imports mylib.layers, but {root / 'mylib'} holds no Python file: put the mylib"
        " package's files there"
    )


def test_submodule_reads_gitmodules_paths_exactly(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitmodules").write_text(GITMODULES)
    assert _submodule(tmp_path / "vendor" / "book") == (tmp_path, "https://example.org/book.git")
    assert _submodule(tmp_path / "vendor") is None  # a folder above a submodule is not one
    assert _submodule(tmp_path / "other") is None
    (tmp_path / ".gitmodules").unlink()
    assert _submodule(tmp_path / "upstream") is None  # the repository's root ends the search


@pytest.mark.parametrize(
    "line",
    [
        "def numerical_gradient[T](f, x: T) -> T:",
        "class Net[T]:",
        "type Params = dict[str, object]",
    ],
)
def test_syntax_of_a_newer_python_is_named_with_the_version_it_needs(tmp_path, monkeypatch, line):
    """A learner's repository written for Python 3.12 (its .python-version says so), checked
    by an xpnet installed in an older Python: the line, what it uses, the Python it needs."""
    _, what, version = next(entry for entry in NEWER_SYNTAX if entry[0].match(line))
    root = tmp_path / "repo"
    net_file = book_repo(root)
    write(root / ".python-version", "3.12\n")
    write(
        net_file.parent / "helpers_new.py", line + ("\n    pass\n" if line.endswith(":") else "\n")
    )
    edit(net_file, "from collections", "import helpers_new\nfrom collections")
    monkeypatch.chdir(root)
    if sys.version_info >= version:  # this Python parses it
        assert load_learner(str(net_file)).cls.__name__ == "TwoLayerNet"
        return
    with pytest.raises(LearnerError) as error:
        load_learner(str(net_file))
    assert str(error.value) == (
        f"helpers_new.py line 1 uses {what}, syntax of Python {version[0]}.{version[1]} and"
        f" later; this is Python {sys.version_info[0]}.{sys.version_info[1]} ({sys.executable})."
        f" Check with xpnet installed in a Python >= {version[0]}.{version[1]} (the repository's"
        " .python-version asks for 3.12)"
    )


def test_another_syntax_error_is_the_learners_own_traceback(tmp_path, monkeypatch):
    root = tmp_path / "repo"
    net_file = book_repo(root)
    edit(net_file, "from collections", "print 'hello'\nfrom collections")
    monkeypatch.chdir(root)
    said = refusal(net_file)
    assert said.startswith("SyntaxError: Missing parentheses in call to 'print'")
    assert "syntax of Python" not in said


def test_a_mistyped_module_of_the_learners_package_is_named_with_the_close_one(tmp_path):
    # the survey's `from common.grdient import numerical_gradient`, after `from common.functions
    # import *`: the file's own layers below it are never defined, so the functions the import
    # before it brought are not checked in their place (that would pass common/, not the file)
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    write(root / "common" / "__init__.py", "")
    write(root / "common" / "functions.py", "def sigmoid(x):\n    return x\n")
    write(root / "common" / "gradient.py", "def numerical_gradient(f, x):\n    return x\n")
    layers = "class Relu:\n    def forward(self, x):\n        return x\n"
    imports = "import sys, os\nsys.path.append(os.pardir)\nfrom common.functions import *\n"
    path = write(root / "ch05" / "layers.py", imports + "from common.grdient import *\n" + layers)
    said = refusal(path)
    assert said == (
        f"layers.py line 4 imports common.grdient, but {root / 'common'} holds no grdient.py; it"
        " holds gradient.py: a typo? import common.gradient"
    )
    edit(path, "common.grdient", "common.nothing_close")  # no close name: the traceback says it
    assert "No module named 'common.nothing_close'" in refusal(path)


def test_an_import_spelled_in_another_case_than_its_folder_says_so(tmp_path):
    # the survey's `from MNIST_Dataset.load_data import load_mnist` beside MNIST_dataset/,
    # which macOS finds: not a library to pip install
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    write(root / "MNIST_dataset" / "load_data.py", "def load_mnist():\n    return None\n")
    net = "import sys, os\nsys.path.append(os.pardir)\n"
    net += "from MNIST_Dataset.load_data import load_mnist\n"
    said = refusal(write(root / "Try" / "net.py", net))
    assert said.endswith(
        f"{root / 'MNIST_dataset'} differs from MNIST_Dataset in case only: macOS and Windows,"
        " whose file names ignore case, find it there; this system does not: import"
        " MNIST_dataset as the folder spells it (or rename the folder)"
    )
    assert "pip install" not in said


def test_the_books_mnist_under_a_folder_of_another_case_is_named_in_the_stand_ins_note(tmp_path):
    """`from MNIST_Dataset.mnist import load_mnist` beside MNIST_dataset/mnist.py: this system
    finds no such package, and xpnet's stand-in of the book's dataset/mnist.py answers; its
    note said "no folder holds it" of a folder that macOS would find. It names the folder."""
    from xpnet.check.found import NoNetwork

    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    write(root / "MNIST_dataset" / "mnist.py", "def load_mnist():\n    raise SystemExit(1)\n")
    net = "from MNIST_Dataset.mnist import load_mnist\nimport numpy as np\n\n"
    net += "def softmax(x):\n    e = np.exp(x - np.max(x, axis=-1, keepdims=True))\n"
    net += "    return e / np.sum(e, axis=-1, keepdims=True)\n"
    with pytest.raises(NoNetwork) as raised:
        load_learner(str(write(root / "ch04" / "net.py", net)))
    said = next(n for n in raised.value.notes if "MNIST_Dataset.mnist" in n)
    assert "xpnet's stand-in answered it" in said
    assert said.endswith(
        f"{root / 'MNIST_dataset'} differs from MNIST_Dataset in case only: macOS and Windows,"
        " whose file names ignore case, find it there; this system does not: import"
        " MNIST_dataset.mnist as the folder spells it to check yours"
    )
