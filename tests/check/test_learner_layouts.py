"""Learners' files laid out as their authors have them: `xpnet check` finds the folder that
holds the package a file imports (its own, an ancestor up to the repository's root, the current
folder), answers MNIST offline, stops top-level work at the time limit, and when it cannot go on
says what it found, what is missing and the fix."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from xpnet.check.learner import LearnerError, build, check_learner, load_learner
from xpnet.cli import main

from .learner_shapes import (
    CH04_NET,
    MNIST_PY,
    MULTI_LAYER_NET,
    TRAIN_AT_IMPORT,
    batch,
    book_repo,
    edit,
    oracle_passes,
    refusal,
    write,
)


@pytest.fixture(autouse=True)
def _own_path(monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))  # a learner's sys.path.append is undone


def note_of(learner, words: str) -> str:
    found = [note for note in learner.notes if words in note]
    assert found, learner.notes
    return found[0]


@pytest.mark.parametrize(
    "header",
    [
        "",  # an IDE runs it from the repository's root
        "import sys, os\nsys.path.append(os.pardir)\n",  # the book's line
        "import sys\nsys.path.append('.')\n",
        "import sys, os\nsys.path.append(os.path.join(os.getcwd(), 'lib'))\n",
        "import sys\nsys.path.append('C:\\\\Users\\\\someone\\\\deep-learning')\n",
    ],
    ids=["none", "pardir", "dot", "getcwd", "windows-path"],
)
@pytest.mark.parametrize("run_in", ["file's folder", "root", "elsewhere"])
def test_common_in_the_repository_root_is_found_from_anywhere(
    tmp_path, monkeypatch, header, run_in
):
    net_file = book_repo(tmp_path / "repo", header=header)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    folder = {"file's folder": net_file.parent, "root": tmp_path / "repo"}.get(run_in, elsewhere)
    monkeypatch.chdir(folder)
    learner = load_learner(str(net_file))
    affine = learner.cls.__init__.__globals__["Affine"]
    assert affine.__module__ == "common.layers"
    assert "common" not in sys.modules and "common.layers" not in sys.modules
    uses_own_path = header.startswith("import sys, os\nsys.path.append(os.pardir)")
    if run_in == "file's folder" and uses_own_path:
        assert not [n for n in learner.notes if "imports common" in n]  # found as for them
    elif run_in != "root":  # from the root: found by the path when the current folder is on it
        said = note_of(learner, "imports common")
        assert f"found in {tmp_path / 'repo'} (the repository's root)" in said


def test_a_sibling_module_and_its_own_imports_are_found(tmp_path, monkeypatch):
    """ch05/two_layer_net.py imports ch05/layers.py, which imports a package at the root."""
    net_file = book_repo(tmp_path / "repo")
    (net_file.parent / "layers.py").write_text("from common.layers import *  # noqa\n")
    edit(net_file, "from common.layers import Affine", "from layers import Affine")
    monkeypatch.chdir(tmp_path)
    learner = load_learner(str(net_file))
    assert learner.cls.__name__ == "TwoLayerNet"
    assert "layers" not in sys.modules


def test_every_module_of_a_package_is_read_for_its_imports(tmp_path, monkeypatch):
    """The net imports common.gradient, its ch05/layers.py imports common.layers, which imports
    mytools/ at the root, run from outside the repository: common/layers.py is read for its
    imports too, not only the first module of common/ imported, so mytools/ is found."""
    net_file = book_repo(tmp_path / "repo")
    write(tmp_path / "repo" / "mytools" / "tools.py", "VALUE = 7\n")
    layers = tmp_path / "repo" / "common" / "layers.py"
    layers.write_text("from mytools.tools import VALUE\n" + layers.read_text())
    write(net_file.parent / "layers.py", "from common.layers import *  # noqa\n")
    edit(
        net_file,
        "from common.layers import Affine",
        "from common.gradient import numerical_gradient  # noqa\nfrom layers import Affine",
    )
    monkeypatch.chdir(tmp_path)
    learner = load_learner(str(net_file))
    affine = learner.cls.__init__.__globals__["Affine"]
    assert affine.forward.__globals__["VALUE"] == 7  # common/layers.py's globals
    said = note_of(learner, "two_layer_net.py imports common, mytools, found in")  # one note
    assert f"found in {tmp_path / 'repo'} (the repository's root)" in said


def test_a_module_that_imports_its_own_package_is_checked_as_its_importers_import_it(
    tmp_path, monkeypatch
):
    """lib/two_layer_net.py does `from lib import common as c` and `from common.layers import
    ...`: ch04's scripts import it as lib.two_layer_net with the root on the path. As a script,
    lib/ comes first on the path and lib/common.py hides the root's common/ ('common' is not a
    package); imported as lib.two_layer_net it is checked, with a note saying so."""
    net_file = book_repo(tmp_path / "repo", chapter="lib")
    (net_file.parent / "__init__.py").touch()
    write(net_file.parent / "common.py", "SCALE = 1.0\n")
    edit(net_file, "import numpy as np", "import numpy as np\nfrom lib import common as c")
    monkeypatch.chdir(tmp_path / "repo")
    learner = load_learner(str(net_file))
    said = note_of(learner, "imports its own package lib")
    assert "'common' is not a package" in said
    assert f"checked as module lib.two_layer_net, with {tmp_path / 'repo'} on the path" in said
    assert learner.cls.__module__ == "lib.two_layer_net"
    assert "lib" not in sys.modules and "lib.two_layer_net" not in sys.modules
    net, _ = build(learner, input_size=12, hidden_size=6, output_size=4)
    x, t = batch()
    assert check_learner(net, learner, x, t, num_classes=4).check.passed is True


def test_a_script_that_fails_as_a_module_of_its_package_too_says_the_scripts_error(tmp_path):
    net_file = book_repo(tmp_path / "repo", chapter="lib")
    (net_file.parent / "__init__.py").touch()
    edit(net_file, "import numpy as np", "import numpy as np\nfrom lib import absent_module")
    said = refusal(net_file)
    assert "cannot import name 'absent_module' from 'lib'" in said
    assert "imports its own package" not in said


def test_a_module_moved_to_another_folder_of_the_repository_is_said_with_where_it_is(tmp_path):
    """The learner moved sigmoid.py into self_implement/ and kept `from sigmoid import ...`:
    the message names the file where it is, and no `pip install sigmoid` (a stranger's name)."""
    net_file = book_repo(tmp_path / "repo")
    write(tmp_path / "repo" / "self_implement" / "sigmoid.py", "def sigmoid(x):\n    return x\n")
    write(tmp_path / "repo" / ".venv" / "lib" / "sigmoid.py", "")  # never the learner's
    edit(net_file, "import numpy as np", "import numpy as np\nfrom sigmoid import sigmoid")
    said = refusal(net_file)
    assert "no folder holds a sigmoid/ package or sigmoid.py" in said
    assert said.endswith(
        "The repository has self_implement/sigmoid.py, in another folder (moved?): import it from"
        " there (from self_implement.sigmoid import ..., run from the repository's root), or put"
        " it back beside two_layer_net.py"
    )
    assert "pip install" not in said


@pytest.mark.parametrize(
    "named",
    [
        "/Users/someone/Desktop/DLFS_01/ch03/",  # the tail is a folder of the repository
        "C:\\Users\\someone\\DLFS_01\\ch03",  # the same on Windows
        "/home/someone/elsewhere/ch03",  # the repository under another name
    ],
    ids=["posix", "windows", "renamed"],
)
def test_an_absolute_path_of_the_learners_machine_is_read_as_the_folder_of_the_repository(
    tmp_path, named
):
    """The learner's sys.path.append("/Users/someone/.../DLFS_01/ch03/") reaches ch03/ of their
    machine; in a clone elsewhere that is ch03/ of the repository, where the import is found."""
    net_file = book_repo(tmp_path / "DLFS_01")
    write(tmp_path / "DLFS_01" / "ch03" / "own_sigmoid.py", "def sigmoid(x):\n    return x\n")
    header = f"import sys\nsys.path.append({named!r})\nfrom own_sigmoid import sigmoid\n"
    net_file.write_text(header + net_file.read_text())
    learner = load_learner(str(net_file))
    said = note_of(learner, "imports own_sigmoid")
    assert f"found in {tmp_path / 'DLFS_01' / 'ch03'}" in said
    assert "a path of another machine whose end is ch03/ of this repository" in said


def test_a_relative_path_with_windows_separators_is_read_with_slashes(tmp_path):
    """sys.path.append("..\\lib"), written on Windows, names ../lib there; here "..\\lib" is one
    odd name, and the import found nowhere left a file of functions with none to check."""
    net_file = book_repo(tmp_path / "repo")
    write(tmp_path / "repo" / "lib" / "own_sigmoid.py", "def sigmoid(x):\n    return x\n")
    header = 'import sys\nsys.path.append("..\\\\lib")\nfrom own_sigmoid import sigmoid\n'
    net_file.write_text(header + net_file.read_text())
    learner = load_learner(str(net_file))
    said = note_of(learner, "imports own_sigmoid")
    assert f"found in {tmp_path / 'repo' / 'lib'}" in said
    assert "read from ch05/ (Windows's \\ read as /) as python runs two_layer_net.py" in said


def test_a_package_found_nowhere_is_named_with_the_places_looked(tmp_path, monkeypatch):
    net_file = book_repo(tmp_path / "repo")
    edit(net_file, "from common.layers import Affine", "from mylib.layers import Affine")
    monkeypatch.chdir(tmp_path / "repo")
    said = refusal(net_file)
    assert said.startswith("two_layer_net.py line 10 imports mylib, but")
    assert "no folder holds a mylib/ package or mylib.py" in said
    assert str(net_file.parent) in said and str(tmp_path / "repo") in said
    assert said.endswith("; or, if mylib is a library, install it: " + said.rsplit(": ", 1)[1])
    assert said.rsplit(": ", 1)[1].endswith(" -m pip install mylib")


@pytest.mark.parametrize("how", ["from layers", "from .layers"])
@pytest.mark.parametrize("missing", ["library", "folder"])
def test_what_the_learners_other_module_imports_and_no_one_has_is_named_there(
    tmp_path, monkeypatch, missing, how
):
    """ch05/two_layer_net.py imports ch05/layers.py (absolutely, or relatively in a package),
    whose line 2 imports what is nowhere: a library this Python lacks (pip's advice) or a package
    no folder holds (where xpnet looked), said at the line of layers.py, not as a traceback."""
    from xpnet.check import unimportable as unimportable_module

    monkeypatch.setitem(unimportable_module.OTHER_LIBRARIES, "xpnet_absent_lib", "absent-lib")
    name = {"library": "xpnet_absent_lib", "folder": "xpnet_absent_util"}[missing]
    net_file = book_repo(tmp_path / "repo")
    write(net_file.parent / "layers.py", f"from common.layers import *  # noqa\nimport {name}\n")
    edit(net_file, "from common.layers import Affine", f"{how} import Affine")
    if how == "from .layers":
        (net_file.parent / "__init__.py").touch()
    monkeypatch.chdir(tmp_path / "repo")
    said = refusal(net_file)
    assert said.startswith(f"layers.py line 2 imports {name}, ")
    if missing == "library":
        assert said.endswith("-m pip install absent-lib")
    else:
        assert "no folder holds a xpnet_absent_util/ package or xpnet_absent_util.py" in said
        assert str(net_file.parent) in said and said.endswith("pip install xpnet_absent_util")
    assert "Traceback" not in said and "layers" not in sys.modules
    assert "ch05.layers" not in sys.modules


def test_a_module_of_a_package_found_is_not_said_to_be_found_nowhere(tmp_path, monkeypatch):
    """common/ is there but has no common/optimizer.py: said as the book's file common/ lacks."""
    net_file = book_repo(tmp_path / "repo")
    edit(net_file, "from common.layers import Affine", "from common.optimizer import Affine")
    monkeypatch.chdir(tmp_path / "repo")
    said = refusal(net_file)
    assert (
        "two_layer_net.py line 10 imports common.optimizer, the book's common/optimizer.py, but"
        f" your common/ ({tmp_path / 'repo' / 'common'}) lacks optimizer.py" in said
    )
    assert "no folder holds" not in said


def test_without_a_git_folder_the_search_stops_below_the_filesystems_root(tmp_path):
    from xpnet.check.folders import _places

    folder = tmp_path / "repo" / "ch05"
    folder.mkdir(parents=True)
    places = _places(folder)
    assert places[:3] == [folder, folder.parent, tmp_path]
    assert Path(folder.anchor) not in places[:-1]  # the current folder, last, may be anything
    (tmp_path / "repo" / ".git").mkdir()
    assert _places(folder)[:2] == [folder, folder.parent]
    assert tmp_path not in _places(folder)[:-1]


def test_mnist_at_import_is_answered_offline_and_training_is_stopped(tmp_path, monkeypatch):
    """The book's train_neuralnet.py pasted under the class, without a __main__ guard: MNIST
    comes from the bundled sample (the learner's load_mnist would download), the loop runs
    until the time limit, and the class is checked as defined by then."""
    net_file = book_repo(tmp_path / "repo")
    write(tmp_path / "repo" / "dataset" / "__init__.py", "")
    write(tmp_path / "repo" / "dataset" / "mnist.py", MNIST_PY)
    edit(net_file, "from collections", "from dataset.mnist import load_mnist\nfrom collections")
    net_file.write_text(net_file.read_text().split('if __name__ == "__main__":')[0])
    net_file.write_text(net_file.read_text() + TRAIN_AT_IMPORT)
    monkeypatch.chdir(net_file.parent)
    learner = load_learner(str(net_file), time_limit=1.0)
    assert "MNIST for two_layer_net.py's top-level code came from xpnet's bundled sample" in (
        learner.notes
    )
    stopped = note_of(learner, "still running after 1 s")
    assert "training at import? Put it under if __name__ == '__main__':" in stopped
    assert "TwoLayerNet was checked as defined by then" in stopped
    assert note_of(learner, "printed 1 line(s), not shown")
    net, _ = build(learner, input_size=12, hidden_size=6, output_size=4)
    x, t = batch()
    result = check_learner(net, learner, x, t, num_classes=4)
    assert result.check.passed == oracle_passes(net, x, t) is True


def test_the_books_dataset_mnist_is_a_stand_in_where_the_learner_has_none(tmp_path):
    path = write(
        tmp_path / "net.py",
        """
        from dataset.mnist import load_mnist
        (x_train, t_train), _ = load_mnist(one_hot_label=True)
        SHAPE = x_train.shape, t_train.shape


        class Net:
            def __init__(self, input_size, hidden_size, output_size):
                self.params = {}

            def loss(self, x, t):
                return 0.0

            def gradient(self, x, t):
                return {}
        """,
    )
    learner = load_learner(str(path))
    assert learner.cls.__init__.__globals__["SHAPE"] == ((4000, 784), (4000, 10))
    assert "dataset" not in sys.modules and "dataset.mnist" not in sys.modules


@pytest.mark.parametrize("own", [None, "loader.py"])
def test_the_books_dataset_without_its_mnist_py_is_answered_by_the_stand_in(tmp_path, own):
    """A repository with the book's dataset/ (__init__.py, lena.png) but not its mnist.py (left
    out, as a `mnist*` line of .gitignore does) gets the stand-in; a dataset/ with a file of the
    learner's own is theirs, and its lack of mnist.py is said."""
    write(tmp_path / "dataset" / "__init__.py", "")
    (tmp_path / "dataset" / "lena.png").write_bytes(b"\x89PNG")
    if own:
        write(tmp_path / "dataset" / own, "def load():\n    return None\n")
    path = write(
        tmp_path / "ch04" / "net.py",
        """
        import sys, os
        sys.path.append(os.pardir)
        from dataset.mnist import load_mnist
        (x_train, t_train), _ = load_mnist(one_hot_label=True)
        SHAPE = x_train.shape, t_train.shape


        class Net:
            def __init__(self, input_size, hidden_size, output_size):
                self.params = {}

            def loss(self, x, t):
                return 0.0

            def gradient(self, x, t):
                return {}
        """,
    )
    if own:
        assert "lacks mnist.py" in refusal(path)
        return
    learner = load_learner(str(path))
    assert learner.cls.__init__.__globals__["SHAPE"] == ((4000, 784), (4000, 10))
    assert note_of(learner, "imports dataset.mnist")
    assert "dataset" not in sys.modules and "dataset.mnist" not in sys.modules


def test_an_error_at_import_after_the_class_is_a_note_naming_the_line(tmp_path):
    net_file = book_repo(tmp_path / "repo")
    net_file.write_text(net_file.read_text() + "\nopen('/no/such/mnist.pkl')\n")
    learner = load_learner(str(net_file))
    said = note_of(learner, "top-level code raised FileNotFoundError")
    assert "after defining TwoLayerNet: checked as defined by then" in said
    assert f"(two_layer_net.py, line {len(net_file.read_text().splitlines())})" in said
    assert " at line " not in said  # the place is said once


def test_import_time_work_without_a_class_is_refused_at_the_time_limit(tmp_path):
    path = write(tmp_path / "loop.py", "while True:\n    pass\n")
    with pytest.raises(LearnerError, match=r"loop.py's top-level code was still running after"):
        load_learner(str(path), time_limit=0.5)


def test_the_chapter_4_net_takes_one_hot_targets_and_says_so(tmp_path):
    repo = tmp_path / "repo"
    book_repo(repo)
    path = write(repo / "ch04" / "two_layer_net.py", CH04_NET)
    learner = load_learner(str(path))
    net, _ = build(learner, input_size=12, hidden_size=6, output_size=4)
    x, t = batch()
    result = check_learner(net, learner, x, t, num_classes=4)
    assert result.form == "one-hot"
    assert result.check.passed == oracle_passes(net, x, np.eye(4)[t]) is True
    said = " ".join(result.notes)
    assert "TwoLayerNet takes one-hot targets t of shape (3, 4)" in said
    assert "with class labels of shape (3,) it raised ValueError" in said
    assert "in gradient (two_layer_net.py, line" in said


def test_the_books_common_inside_a_package_of_the_learners_is_found_for_its_own_imports(
    tmp_path, monkeypatch
):
    """The book's code kept as a package (book/common/layers.py, which imports common.functions
    as the book's does), imported by the learner as book.common.layers: plain Python finds
    common only with book/ on the path; xpnet finds it there, with a note, never the stand-in."""
    import shutil

    repo = tmp_path / "repo"
    book_repo(repo)
    shutil.move(repo / "common", repo / "book" / "common")
    write(repo / "book" / "__init__.py", "")
    net = repo / "ch05" / "two_layer_net.py"
    text = net.read_text().replace("from common.layers import", "from book.common.layers import")
    net.write_text("import sys, os\nsys.path.append(os.pardir)\n" + text)
    # run from the file's folder, as the learner does: os.pardir is then repo/, never the
    # parent of the test runner's folder (where another book/ may lie)
    monkeypatch.chdir(net.parent)
    learner = load_learner(str(net))
    said = " ".join(learner.notes)
    assert (
        f"two_layer_net.py imports common from inside {repo / 'book' / 'common'} (from common.x"
        f" import ...), which plain Python finds only with {repo / 'book'} on the path"
    ) in said
    assert "stand-in" not in said
    left = [
        m
        for m in list(sys.modules.values())
        if str(getattr(m, "__file__", "")).startswith(str(repo))
    ]
    assert left == []  # the learner's modules are gone after the import, common's too
    net_, _ = build(learner, input_size=12, hidden_size=6, output_size=4)
    x, t = batch()
    assert check_learner(net_, learner, x, t, num_classes=4).check.passed


def test_a_loss_of_none_names_the_function_whose_none_it_returns(tmp_path):
    """loss(x, t) returns cross_entropy_error(...), which has lost its return: the problem names
    that function and its line; a loss with no return of its own is said as before."""
    repo = tmp_path / "repo"
    book_repo(repo)
    functions = repo / "common" / "functions.py"
    edit(functions, "    return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size",
         "    loss = -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size")  # fmt: skip
    learner = load_learner(str(write(repo / "ch04" / "two_layer_net.py", CH04_NET)))
    net, _ = build(learner, input_size=12, hidden_size=6, output_size=4)
    x, t = batch()
    problems = check_learner(net, learner, x, t, num_classes=4).check.problems
    assert problems == (
        "loss(x, t) returns None, what cross_entropy_error (functions.py, line 17) returned: a"
        " return statement missing there?",
    )
    own = CH04_NET.replace("return cross_entropy_error(self.predict(x), t)",
                           "cross_entropy_error(self.predict(x), t)")  # fmt: skip
    book_repo(tmp_path / "b")
    learner = load_learner(str(write(tmp_path / "b" / "ch04" / "own.py", own)))
    net, _ = build(learner, input_size=12, hidden_size=6, output_size=4)
    problems = check_learner(net, learner, x, t, num_classes=4).check.problems
    assert problems[0].startswith("loss(x, t) returns None: it must return the loss")


def test_parameters_kept_under_another_name_are_checked_and_trained_with_a_note(tmp_path):
    """self.param for the book's self.params: its one dict of arrays is checked, with a note;
    a wrong gradient in it is still wrong (the numerical gradient reaches the same arrays); a
    class with two such dicts, or none, is refused as before."""
    repo = tmp_path / "repo"
    book_repo(repo)
    renamed = CH04_NET.replace("self.params", "self.param")
    path = write(repo / "ch04" / "two_layer_net.py", renamed)
    learner = load_learner(str(path))
    net, _ = build(learner, input_size=12, hidden_size=6, output_size=4)
    assert net.params is net.param
    assert "TwoLayerNet keeps its parameters in self.param, a dict of arrays" in learner.notes[-1]
    x, t = batch()
    result = check_learner(net, learner, x, t, num_classes=4)
    assert result.check.passed == oracle_passes(net, x, np.eye(4)[t]) is True
    wrong = write(repo / "ch05" / "net.py", renamed.replace("np.sum(dy, axis=0)", "np.sum(dy)"))
    learner = load_learner(str(wrong))
    net, _ = build(learner, input_size=12, hidden_size=6, output_size=4)
    result = check_learner(net, learner, x, t, num_classes=4)
    assert not result.check.passed and not result.check["b2"].passed
    second = "self.param = {}\n        self.old = {'W': np.ones(2)}"
    two = renamed.replace("self.param = {}", second)
    learner = load_learner(str(write(repo / "ch05" / "two.py", two)))
    with pytest.raises(LearnerError, match="has no dict for net.params"):
        build(learner, input_size=12, hidden_size=6, output_size=4)


def test_a_chapter_4_gradient_that_raises_in_both_forms_fails_the_check(tmp_path, capsys):
    """W2.T missing in a hand-written gradient (no layers): loss(x, t) runs, gradient(x, t)
    raises with labels and with one-hot rows: backprop is wrong, exit 1 with its line."""
    from xpnet.cli import main

    repo = tmp_path / "repo"
    book_repo(repo)
    path = write(repo / "ch04" / "two_layer_net.py", CH04_NET.replace("dy, W2.T", "dy, W2"))
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "check FAILED: gradient(x, t) raised an error in your code after loss(x, t)" in out
    assert "(it takes one-hot targets: class labels raised ValueError" in out
    assert f'File "{path}", line ' in out and "in gradient" in out


def test_a_chapter_4_net_with_only_numerical_gradient_is_checked_against_xpnets(tmp_path):
    repo = tmp_path / "repo"
    book_repo(repo)
    path = write(repo / "ch04" / "two_layer_net.py", CH04_NET.split("    def gradient")[0])
    learner = load_learner(str(path))
    assert learner.method == "numerical_gradient"
    net, _ = build(learner, input_size=5, hidden_size=3, output_size=4)
    x, t = batch(D=5)
    result = check_learner(net, learner, x, t, num_classes=4)
    assert result.check.passed == oracle_passes(net, x, np.eye(4)[t], method="numerical_gradient")
    assert result.check.passed and result.check.method == "numerical_gradient"
    assert "has numerical_gradient(x, t) but no gradient(x, t)" in result.notes[0]
    assert "yours" in str(result.check).splitlines()[0]


def test_a_broken_numerical_gradient_fails(tmp_path):
    repo = tmp_path / "repo"
    book_repo(repo)
    edit(repo / "common" / "gradient.py", "(2 * h)", "h")  # a learner's slip: half the step
    path = write(repo / "ch04" / "two_layer_net.py", CH04_NET.split("    def gradient")[0])
    learner = load_learner(str(path))
    net, _ = build(learner, input_size=5, hidden_size=3, output_size=4)
    x, t = batch(D=5)
    result = check_learner(net, learner, x, t, num_classes=4)
    assert not result.check.passed
    assert result.check.passed == oracle_passes(net, x, np.eye(4)[t], method="numerical_gradient")
    assert all(p.factor == pytest.approx(2, rel=1e-3) for p in result.check)


def test_a_multi_layer_net_with_hidden_size_list_and_keyword_only_options(tmp_path):
    repo = tmp_path / "repo"
    book_repo(repo)
    path = write(repo / "common" / "multi_layer_net.py", MULTI_LAYER_NET)
    learner = load_learner(str(path))
    net, call = build(learner, input_size=6, output_size=4)
    assert call == "MultiLayerNet(input_size=6, hidden_size_list=[50, 50], output_size=4)"
    assert list(net.params) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    x, t = batch(D=6)
    result = check_learner(net, learner, x, t, num_classes=4)
    assert result.check.passed == oracle_passes(net, x, t) is True


def test_a_signature_xpnet_cannot_fill_is_refused_by_name(tmp_path):
    path = write(
        tmp_path / "net.py",
        """
        class Net:
            def __init__(self, input_size, hidden_size, output_size, optimizer):
                self.params = {}

            def loss(self, x, t):
                return 0.0

            def gradient(self, x, t):
                return {}
        """,
    )
    with pytest.raises(LearnerError) as error:
        build(load_learner(str(path)))
    assert "its __init__ needs optimizer, which xpnet cannot guess" in str(error.value)
    assert "Give optimizer a default value in Net.__init__" in str(error.value)


def test_a_class_without_gradient_says_what_it_has_and_lacks(tmp_path, capsys):
    path = write(
        tmp_path / "net.py",
        """
        class Net:
            def predict(self, x):
                return x

            def loss(self, x, t):
                return 0.0
        """,
    )
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "found none: Net (line 1) has loss(), predict() but no gradient()" in err
    assert f"or name it: xpnet check {path}:CLASS" in err


def test_xpnet_check_gives_a_verdict_on_the_chapter_4_net_run_from_the_root(
    tmp_path, monkeypatch, capsys
):
    """End to end, as the learner runs it: the book's layout, from the repository's root."""
    repo = tmp_path / "repo"
    book_repo(repo)
    write(repo / "ch04" / "two_layer_net.py", CH04_NET)
    monkeypatch.chdir(repo)
    assert main(["check", "ch04/two_layer_net.py"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("xpnet check: TwoLayerNet of ch04/two_layer_net.py on 3 images\n")
    assert "note: ch04/two_layer_net.py" not in out  # common is in the current folder
    assert "note: TwoLayerNet takes one-hot targets t of shape (3, 10)" in out
    assert "check PASSED on a batch of 3, float64" in out


def test_a_training_script_that_imports_the_net_checks_the_imported_class(tmp_path, monkeypatch):
    """The book's ch04/train_neuralnet.py: `from two_layer_net import TwoLayerNet`, then the
    training loop without a __main__ guard. The file defines no class; the one it imports from
    the learner's own file is checked, as defined when the time limit stopped the loop."""
    repo = tmp_path / "repo"
    book_repo(repo)
    write(repo / "ch04" / "two_layer_net.py", CH04_NET)
    path = write(
        repo / "ch04" / "train_neuralnet.py",
        "import sys, os\nsys.path.append(os.pardir)\nfrom two_layer_net import TwoLayerNet\n"
        "net = TwoLayerNet(12, 6, 4)\nwhile True:\n    pass\n",
    )
    monkeypatch.chdir(repo)
    learner = load_learner(str(path.relative_to(repo)), time_limit=0.5)
    assert learner.cls.__name__ == "TwoLayerNet"
    assert note_of(learner, "defines no network class of its own; it imports TwoLayerNet").endswith(
        "(from two_layer_net.py)"
    )
    assert "TwoLayerNet was checked as defined by then" in note_of(learner, "still running")
    net, _ = build(learner, input_size=12, hidden_size=6, output_size=4)
    x, t = batch()
    result = check_learner(net, learner, x, t, num_classes=4)
    assert result.form == "one-hot"
    assert result.check.passed == oracle_passes(net, x, np.eye(4)[t]) is True


def test_a_class_imported_from_an_installed_package_is_not_the_learners(tmp_path):
    path = write(tmp_path / "run.py", "from xpnet import TwoLayerNet\n")
    with pytest.raises(LearnerError, match="found none: it defines no class"):
        load_learner(str(path))


def test_xpnets_own_load_mnist_at_import_is_answered_from_the_sample(tmp_path, monkeypatch):
    """A learner's file that loads MNIST through xpnet at import (either spelling) gets the
    bundled sample, not a download, and is told so; after the import, load_mnist is itself."""
    import xpnet
    import xpnet.datasets.mnist as mnist

    def no_download(*args, **kwargs):
        raise AssertionError("load_mnist went for the files")

    monkeypatch.setattr(mnist, "_mnist_arrays", no_download)
    path = write(
        tmp_path / "net.py",
        "import xpnet\nfrom xpnet import load_mnist\n\n"
        "(x, t), _ = load_mnist(one_hot_label=True)\n(x2, t2), _ = xpnet.load_mnist()\n\n\n"
        "class Net:\n    SHAPES = x.shape, t.shape, t2.shape\n"
        "    def loss(self, x, t): ...\n    def gradient(self, x, t): ...\n",
    )
    learner = load_learner(str(path))
    assert learner.cls.SHAPES == ((4000, 784), (4000, 10), (4000,))
    assert "MNIST for net.py's top-level code came from xpnet's bundled sample" in learner.notes
    with pytest.raises(AssertionError, match="went for the files"):
        xpnet.load_mnist()


def test_a_notebook_exported_as_a_script_is_checked_without_its_magics(tmp_path, capsys):
    """jupyter nbconvert --to script writes get_ipython().run_line_magic(...) lines, which fail
    outside Jupyter: they find a stand-in that does nothing, and a note says so."""
    path = book_repo(
        tmp_path / "repo",
        header="""\
        import sys, os
        sys.path.append(os.pardir)
        get_ipython().run_line_magic('matplotlib', 'inline')
        get_ipython().system('pip install numpy')
        """,
    )
    assert main(["check", str(path)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "calls get_ipython() (a notebook exported as a script): %matplotlib, !pip" in out
    assert "check PASSED" in out


def test_input_at_import_ends_at_once_instead_of_waiting_unseen(tmp_path, monkeypatch):
    """Its prompt would be hidden (what the file prints is kept) and the check would wait for
    the time limit: standard input is empty during the import."""
    path = book_repo(tmp_path / "repo")
    with path.open("a") as file:
        file.write("\nepochs = int(input('epochs? '))\n")
    monkeypatch.setattr(sys, "stdin", _NeverAnswers())
    learner = load_learner(str(path), time_limit=5)
    assert learner.cls.__name__ == "TwoLayerNet"
    assert "raised EOFError" in " ".join(learner.notes)


class _NeverAnswers:
    def readline(self, *args):
        raise AssertionError("the learner's input() read the terminal")

    read = readline


def test_of_several_network_classes_the_books_name_is_checked_and_the_others_said(tmp_path):
    path = book_repo(tmp_path / "repo")
    with path.open("a") as file:
        file.write("\n\nclass TwoLayerNetWithDropout(TwoLayerNet):\n    pass\n")
    learner = load_learner(str(path))
    assert learner.cls.__name__ == "TwoLayerNet"
    assert "also defines TwoLayerNetWithDropout: checked TwoLayerNet, the book's name" in (
        " ".join(learner.notes)
    )
    edit(path, "class TwoLayerNet:", "class MyNet:")
    edit(path, "(TwoLayerNet):", "(MyNet):")
    with pytest.raises(LearnerError, match=r"found MyNet, TwoLayerNetWithDropout\. Name it"):
        load_learner(str(path))


def test_a_library_this_python_lacks_is_named_with_its_pip_install(tmp_path, monkeypatch):
    """`import cupy as np` (or matplotlib) where it is not installed: the advice is pip's, not a
    folder to put it in."""
    from xpnet.check import unimportable as unimportable_module

    libraries = unimportable_module.OTHER_LIBRARIES
    monkeypatch.setitem(libraries, "xpnet_absent_gpu_lib", "absent-gpu-lib")
    net_file = book_repo(tmp_path / "repo")
    edit(net_file, "import numpy as np", "import xpnet_absent_gpu_lib as np")
    said = refusal(net_file)
    assert said.startswith("two_layer_net.py line 9 imports xpnet_absent_gpu_lib, a library")
    assert said.endswith("-m pip install absent-gpu-lib")
    assert "no folder holds" not in said
    cupy = unimportable_module._pip_install("cupy")
    assert "-m pip install cupy-cuda12x (CuPy needs an NVIDIA GPU" in cupy
    strict = unimportable_module._pip_install("array_api_strict")
    assert strict.endswith("pip install array-api-strict")


@pytest.mark.parametrize(
    "body", ["pass", "...", '"""Todo: backprop."""', "raise NotImplementedError", "return None"]
)
def test_a_placeholder_gradient_beside_a_numerical_gradient_checks_the_numerical(tmp_path, body):
    """A chapter-4 net with the chapter-5 method stubbed (`def gradient(self, f, x): pass`)."""
    repo = tmp_path / "repo"
    book_repo(repo)
    stub = f"    def gradient(self, f, x):\n        {body}\n"
    path = write(repo / "ch04" / "two_layer_net.py", CH04_NET.split("    def gradient")[0] + stub)
    learner = load_learner(str(path))
    assert learner.placeholder_gradient and learner.method == "numerical_gradient"
    net, _ = build(learner, input_size=5, hidden_size=3, output_size=4)
    x, t = batch(D=5)
    result = check_learner(net, learner, x, t, num_classes=4)
    assert result.check.passed == oracle_passes(net, x, np.eye(4)[t], method="numerical_gradient")
    assert result.check.passed and result.check.method == "numerical_gradient"
    said = " ".join(result.notes)
    assert (
        "TwoLayerNet.gradient is a placeholder (its body does nothing: ch04/two_layer_net.py"
        in said
    )


def test_a_written_gradient_is_no_placeholder():
    from xpnet.check.found import is_placeholder

    def written(self, x, t):
        """Backprop."""
        return None if x is None else {"W1": x}

    def stub(self, x, t):
        """Backprop, later."""
        raise NotImplementedError("chapter 5")

    assert not is_placeholder(written) and is_placeholder(stub)
    assert not is_placeholder(len)  # no source: never called a placeholder


def test_an_error_both_target_forms_raise_alike_is_not_blamed_on_one_hot(tmp_path):
    """b2 sized like the hidden layer: forward raises the same for labels and one-hot rows."""
    net_file = book_repo(tmp_path / "repo")
    edit(
        net_file,
        'self.params["b2"] = np.zeros(output_size)',
        'self.params["b2"] = np.zeros(hidden_size)',
    )
    learner = load_learner(str(net_file))
    net, _ = build(learner, input_size=12, hidden_size=6, output_size=4)
    x, t = batch()
    with pytest.raises(ValueError, match="broadcast") as error:
        check_learner(net, learner, x, t, num_classes=4)
    assert not getattr(error.value, "xpnet_before", "")


def test_a_python_2_import_beside_the_importing_module_is_found(tmp_path, monkeypatch):
    """common/layers.py does `from functions import *` (Python 2 looked beside the module)."""
    net_file = book_repo(tmp_path / "repo")
    edit(
        tmp_path / "repo" / "common" / "layers.py",
        "from common.functions import",
        "from functions import",
    )
    monkeypatch.chdir(tmp_path / "repo")
    learner = load_learner(str(net_file))
    said = note_of(learner, "imports functions")
    assert f"found in {tmp_path / 'repo' / 'common'} (beside the module that imports it" in said
    assert "functions" not in sys.modules
    net, _ = build(learner, input_size=12, hidden_size=6, output_size=4)
    x, t = batch()
    assert check_learner(net, learner, x, t, num_classes=4).check.passed is True


def _as_package(root, net_file, *, init: bool):
    """The book's repository turned into a package `book` run by `python -m`: common/'s modules
    and the net import relatively (from ..common.layers import Affine)."""
    book = root / "book"
    book.mkdir()
    (root / "common").rename(book / "common")
    (root / "ch05").rename(book / "ch05")
    for module in (book / "common").glob("*.py"):
        module.write_text(module.read_text().replace("from common.", "from ."))
    net = book / "ch05" / "two_layer_net.py"
    edit(net, "from common.layers import Affine", "from ..common.layers import Affine")
    if init:
        for folder in (book, book / "common", book / "ch05"):
            (folder / "__init__.py").touch()
    return net


@pytest.mark.parametrize("init", [True, False], ids=["__init__.py", "namespace packages"])
@pytest.mark.parametrize("run_in", ["root", "file's folder"])
def test_a_module_of_a_package_that_imports_relatively_is_checked_as_python_m_runs_it(
    tmp_path, monkeypatch, init, run_in
):
    """book/ch05/two_layer_net.py: `from ..common.layers import Affine`, run by the learner as
    python -m book.ch05.two_layer_net from the repository's root."""
    root = tmp_path / "repo"
    net_file = _as_package(root, book_repo(root), init=init)
    monkeypatch.chdir(root if run_in == "root" else net_file.parent)
    before = set(sys.modules)
    learner = load_learner(str(net_file))
    said = note_of(learner, "imports relatively")
    assert "checked as module book.ch05.two_layer_net of its package" in said
    assert f"with {root} on the path" in said
    assert learner.cls.__init__.__globals__["Affine"].__module__ == "book.common.layers"
    assert not {m for m in set(sys.modules) - before if m.split(".")[0] == "book"}
    assert str(root) not in sys.path
    net, _ = build(learner, input_size=12, hidden_size=6, output_size=4)
    x, t = batch()
    assert check_learner(net, learner, x, t, num_classes=4).check.passed is True


def test_a_net_in_a_packages_init_that_imports_relatively_is_checked(tmp_path, capsys):
    """mynet/__init__.py defines the net with `from .layers import *`: checked as package mynet,
    its __init__ run once."""
    root = tmp_path / "repo"
    book_repo(root)
    package = root / "mynet"
    package.mkdir()
    layers = (root / "common" / "layers.py").read_text()
    functions = (root / "common" / "functions.py").read_text()
    (package / "functions.py").write_text(functions)
    (package / "layers.py").write_text(layers.replace("from common.functions", "from .functions"))
    net = (root / "ch05" / "two_layer_net.py").read_text()
    init = package / "__init__.py"
    init.write_text(
        "RUNS = []\nRUNS.append(1)\n"
        + net.replace("from common.layers import Affine", "from .layers import Affine")
    )
    learner = load_learner(str(init))
    assert learner.cls.__module__ == "mynet" and learner.cls.__init__.__globals__["RUNS"] == [1]
    assert "mynet" not in sys.modules and "mynet.layers" not in sys.modules
    assert main(["check", str(init)]) == 0
    assert "checked as module mynet of its package" in capsys.readouterr().out


def test_a_relative_import_whose_module_is_missing_names_it(tmp_path):
    """from .layers import Affine with no layers.py beside it: Python's own error, in the
    learner's code, not a confusion about the module's name."""
    net_file = book_repo(tmp_path / "repo")
    edit(net_file, "from common.layers import Affine", "from .layers import Affine")
    said = refusal(net_file)
    assert "No module named 'ch05.layers'" in said
    assert "xpnet_check" not in said and "no known parent package" not in said


@pytest.mark.parametrize(
    "entry",
    [
        'sys.path.append("../03. Neural Net")',
        'sys.path.insert(0, os.path.join(os.pardir, "03. Neural Net"))',
        'sys.path.append(os.pardir + "/03. Neural Net")',
    ],
    ids=["append", "insert-join", "pardir-plus"],
)
@pytest.mark.parametrize("run_in", ["root", "elsewhere"])
def test_a_sibling_folder_the_file_puts_on_its_path_is_found_from_anywhere(
    tmp_path, monkeypatch, entry, run_in
):
    """ch05/two_layer_net.py appends ../03. Neural Net to sys.path, a path relative to where
    python runs (the learner runs it in ch05/): from the repository's root or elsewhere that
    names nothing, and xpnet check reads it from the file's folder, with a note naming the line."""
    net_file = book_repo(tmp_path / "repo", header=f"import sys, os\n{entry}\n")
    write(tmp_path / "repo" / "03. Neural Net" / "neural_layers.py", "from common.layers import *")
    edit(net_file, "from common.layers import Affine", "from neural_layers import Affine")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(tmp_path / "repo" if run_in == "root" else elsewhere)
    learner = load_learner(str(net_file))
    said = note_of(learner, "two_layer_net.py imports neural_layers, found in")
    assert str(tmp_path / "repo" / "03. Neural Net") in said
    assert f"named by two_layer_net.py's {entry}, read from ch05/ as python runs" in said
    net, _ = build(learner, input_size=12, hidden_size=6, output_size=4)
    x, t = batch()
    assert check_learner(net, learner, x, t, num_classes=4).check.passed is True
    assert "neural_layers" not in sys.modules


def test_a_folder_the_learners_own_path_finds_gets_no_note(tmp_path, monkeypatch):
    """Run in the file's folder, as its author does, the learner's own sys.path finds it."""
    header = 'import sys, os\nsys.path.append(os.pardir)\nsys.path.append("../lib")\n'
    net_file = book_repo(tmp_path / "repo", header=header)
    write(tmp_path / "repo" / "lib" / "neural_layers.py", "from common.layers import *")
    edit(net_file, "from common.layers import Affine", "from neural_layers import Affine")
    monkeypatch.chdir(net_file.parent)
    learner = load_learner(str(net_file))
    assert not [note for note in learner.notes if "neural_layers" in note], learner.notes


def test_a_path_the_file_computes_is_not_run_and_names_no_folder(tmp_path, monkeypatch):
    """Only plain text is read: sys.path.append(FOLDER) with a variable is not evaluated."""
    header = 'import sys\nFOLDER = "../lib"\nsys.path.append(FOLDER)\n'
    net_file = book_repo(tmp_path / "repo", header=header)
    write(tmp_path / "repo" / "lib" / "neural_layers.py", "from common.layers import *")
    edit(net_file, "from common.layers import Affine", "from neural_layers import Affine")
    monkeypatch.chdir(tmp_path / "repo")
    with pytest.raises(LearnerError, match="imports neural_layers, but no folder holds"):
        load_learner(str(net_file))


def test_a_time_limit_in_a_method_names_the_top_level_line_that_called_it(tmp_path):
    """Stopped inside the learner's own method, the note names the top-level line that runs
    (what to put under if __name__ == '__main__':) and the method's line it was in."""
    path = write(
        tmp_path / "slow.py",
        """
        class Net:
            def params_of(self):
                while True:
                    pass

            def loss(self, x, t):
                return 0.0

            def gradient(self, x, t):
                return {}

        net = Net()
        net.params_of()
        """,
    )
    learner = load_learner(str(path), time_limit=0.5)
    stopped = note_of(learner, "still running after 0.5 s")
    assert "(at line 13, in params_of at line 3 when stopped)" in stopped


def test_a_timeout_after_several_classes_says_they_were_checked(tmp_path):
    """The note of a file stopped at import names each class defined by then, in plural."""
    net_file = book_repo(tmp_path / "repo")
    net_file.write_text(net_file.read_text().split('if __name__ == "__main__":')[0])
    net_file.write_text(
        net_file.read_text() + "\nclass Spare:\n    pass\n\nwhile True:\n    pass\n"
    )
    learner = load_learner(str(net_file), time_limit=1.0)
    stopped = note_of(learner, "still running after 1 s")
    assert stopped.endswith("TwoLayerNet, Spare were checked as defined by then")
