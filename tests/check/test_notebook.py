"""`xpnet check NOTEBOOK.ipynb`: a learner's net in a Jupyter notebook, its code cells run in
order in one module (magics and shell lines not run), checked as a .py file is, with the cell
and line named wherever xpnet points at the learner's code."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from xpnet.check.learner import build, check_learner, load_learner
from xpnet.check.notebook import _python, code_cells, script
from xpnet.cli import main

from .learner_shapes import BOOK, batch, book_repo, oracle_passes, refusal, write


@pytest.fixture(autouse=True)
def _own_path(monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))


def notebook(path: Path, *cells: str, markdown_first: bool = True) -> Path:
    """A notebook of format 4 at path: a markdown cell, then a code cell per text."""
    found = [{"cell_type": "markdown", "metadata": {}, "source": ["# my net\n"]}] * markdown_first
    found += [
        {
            "cell_type": "code",
            "execution_count": None,
            "metadata": {},
            "outputs": [],
            "source": text.splitlines(keepends=True),
        }
        for text in cells
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps({"cells": found, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    )
    return path


def book_net() -> str:
    """The book's chapter-5 TwoLayerNet, without its __main__ block."""
    return (BOOK / "two_layer_net.py").read_text().split('if __name__ == "__main__":')[0]


def book_notebook(root: Path, *after: str) -> Path:
    """root/ch05/two_layer_net.ipynb beside the book's root/common/: the path cell, the net's
    cell (cell 3, counting the markdown cell), then the cells ``after``."""
    book_repo(root).unlink()  # common/ and the .git, and no .py net
    setup = "import sys, os\nsys.path.append(os.pardir)\n%matplotlib inline\n!pip list\n"
    return notebook(root / "ch05" / "two_layer_net.ipynb", setup, book_net(), *after)


def test_a_notebooks_net_is_checked_as_the_same_net_in_a_file(tmp_path, monkeypatch, capsys):
    path = book_notebook(tmp_path / "repo", "%%time\nnet = TwoLayerNet(784, 50, 10)\ndisplay(net)")
    monkeypatch.chdir(tmp_path / "repo")
    learner = load_learner(str(path))
    assert learner.cls.__name__ == "TwoLayerNet"
    assert "two_layer_net.ipynb's magics and shell lines were not run: %matplotlib, !pip" in (
        learner.notes
    )
    net, _ = build(learner, input_size=12, hidden_size=6, output_size=4)
    x, t = batch()
    assert check_learner(net, learner, x, t, num_classes=4).check.passed
    assert oracle_passes(net, x, t)
    assert main(["check", "ch05/two_layer_net.ipynb"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("xpnet check: TwoLayerNet of ch05/two_layer_net.ipynb on 3 images")
    assert "check PASSED" in out


def test_a_wrong_backward_in_a_cell_is_found_and_its_cell_named(tmp_path, monkeypatch, capsys):
    """The Affine layer written in the notebook, its dW transposed: FAILED, and the layer's
    backward is named by its cell and line."""
    affine = (BOOK / "common" / "layers.py").read_text()
    affine = affine[affine.index("class Affine") : affine.index("class SoftmaxWithLoss")]
    affine = affine.replace("np.dot(self.x.T, dout)", "np.dot(self.x.T, dout) * 2")
    assert "* 2" in affine
    net = book_net().replace("from common.layers import Affine, Relu, SoftmaxWithLoss", "")
    root = tmp_path / "repo"
    book_repo(root).unlink()
    path = notebook(
        root / "ch05" / "net.ipynb",
        "import numpy as np\nfrom common.layers import Relu, SoftmaxWithLoss",
        affine,
        net,
        markdown_first=False,
    )
    monkeypatch.chdir(root)
    assert main(["check", str(path)]) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert "check FAILED" in out
    assert "(Affine.backward, ch05/net.ipynb [cell 2], line" in out


def test_an_error_before_the_class_names_the_cell_and_its_line(tmp_path, monkeypatch):
    root = tmp_path / "repo"
    book_repo(root).unlink()
    path = notebook(
        root / "ch05" / "net.ipynb", "import numpy as np\n\nx = np.ones(3) @ np.ones(4)"
    )
    monkeypatch.chdir(root)
    said = refusal(path)
    assert said.startswith("ValueError: matmul: ")
    assert f'File "{path} [cell 2]", line 3, in <module>' in said


def test_training_cells_after_the_class_stop_at_the_time_limit(tmp_path, monkeypatch):
    path = book_notebook(tmp_path / "repo", "steps = 0\nwhile True:\n    steps += 1")
    monkeypatch.chdir(tmp_path / "repo")
    learner = load_learner(str(path), time_limit=0.5)
    said = next(note for note in learner.notes if "still running after 0.5 s" in note)
    assert said.startswith("two_layer_net.ipynb's cells were still running after 0.5 s (at cell 4,")
    assert "training? The cells after it were not run" in said and "__main__" not in said
    assert said.endswith("TwoLayerNet was checked as defined by then")


def test_a_cell_that_raises_after_the_class_is_said_and_the_class_checked(tmp_path, monkeypatch):
    path = book_notebook(tmp_path / "repo", "undefined_name")
    monkeypatch.chdir(tmp_path / "repo")
    learner = load_learner(str(path))
    said = next(note for note in learner.notes if "raised NameError" in note)
    assert said.startswith("cell 4 raised NameError: name 'undefined_name' is not defined in")
    assert "(two_layer_net.ipynb [cell 4], line 1)" in said
    assert said.endswith("run one by one: TwoLayerNet checked as they defined it")


def test_a_cell_that_raises_before_the_class_does_not_stop_the_cells_after_it(
    tmp_path, monkeypatch, capsys
):
    """As a learner runs cells one by one: a download cell that fails on another machine (the
    learner's own path) before the net's cell, then the net checked; a notebook of errors only is
    its first error."""
    root = tmp_path / "repo"
    book_repo(root).unlink()
    setup = "import sys, os\nsys.path.append(os.pardir)\n"
    download = "with open('/home/someone/mnist.pkl', 'rb') as f:\n    data = f.read()"
    path = notebook(root / "ch05" / "net.ipynb", setup, download, book_net(), "1 / 0")
    monkeypatch.chdir(root)
    learner = load_learner(str(path))
    said = next(note for note in learner.notes if "cell 3 raised FileNotFoundError" in note)
    assert "; cell 5 raised ZeroDivisionError: division by zero in <module>" in said
    assert main(["check", "ch05/net.ipynb"]) == 0
    assert "check PASSED" in capsys.readouterr().out
    errors = notebook(root / "ch05" / "c.ipynb", "x = 1 / 0", "y = undefined")
    assert refusal(errors).startswith("ZeroDivisionError: division by zero")


LOOP = "steps = 0\nwhile True:\n    steps += 1"


def test_a_failed_import_does_not_stop_the_cells_after_it(tmp_path, monkeypatch, capsys):
    """A cell importing what is not here (a library not installed, the book's ch04/gradient_2d.py
    left out of the repository: chibakoo0130/deep_learning_from_scratch_master, ch4.ipynb) stops
    no later cell, as in Jupyter: the net after it is checked, the import named in a note; where
    nothing gets defined, or what is defined uses a name the failed cell left unbound (its
    ``import numpy as np`` under the failed line too), the import is said with its fix."""
    root = tmp_path / "repo"
    book_repo(root).unlink()
    setup = "import sys, os\nsys.path.append(os.pardir)\n"
    path = notebook(
        root / "ch05" / "net.ipynb", setup, "from gradient_2d import numerical_gradient", book_net()
    )
    monkeypatch.chdir(root)
    learner = load_learner(str(path))
    assert learner.cls.__name__ == "TwoLayerNet"
    said = next(note for note in learner.notes if "cell 3 raised" in note)
    assert said.startswith("cell 3 raised ModuleNotFoundError: No module named 'gradient_2d'")
    assert main(["check", "ch05/net.ipynb"]) == 0
    assert "check PASSED" in capsys.readouterr().out
    stopped = notebook(root / "ch05" / "b.ipynb", setup, "import absent_library", "x = 1 / 0")
    assert "imports absent_library, but no folder holds" in refusal(stopped)
    first = "import absent_library as lib\nimport numpy as np"
    needed = notebook(
        root / "ch05" / "c.ipynb", first, book_net().replace("import numpy as np", "")
    )
    assert "imports absent_library, but no folder holds" in refusal(needed)
    again = notebook(root / "ch05" / "d.ipynb", first, book_net())  # its own numpy import
    assert load_learner(str(again)).cls.__name__ == "TwoLayerNet"
    training = notebook(root / "ch05" / "e.ipynb", setup, "import absent_library", book_net(), LOOP)
    said = next(n for n in load_learner(str(training), time_limit=0.5).notes if "still" in n)
    assert "; before it, cell 3 raised ModuleNotFoundError: No module named 'absent_" in said


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("{", "net.ipynb is not a Jupyter notebook: its JSON breaks at line 1"),
        ('{"worksheets": []}', "an old format 3; upgrade it with jupyter nbconvert"),
        ("[1, 2]", "net.ipynb is not a Jupyter notebook of format 4 (it has no cells)"),
    ],
)
def test_a_file_that_is_no_notebook_is_refused_with_what_is_wrong(tmp_path, text, said):
    path = tmp_path / "net.ipynb"
    path.write_text(text)
    assert said in refusal(path)
    assert not refusal(path).startswith("NotebookError")  # xpnet's own class is no news


def test_xpnet_check_names_no_class_of_xpnets_own_but_the_learners(tmp_path, capsys):
    from xpnet.cli import main

    (tmp_path / "bad.ipynb").write_text("{not json")
    assert main(["check", str(tmp_path / "bad.ipynb")]) == 2
    assert capsys.readouterr().err.startswith(
        "xpnet check: error: bad.ipynb is not a Jupyter notebook: its JSON breaks at line 1"
    )
    (tmp_path / "raises.py").write_text("x = 1 / 0\n")
    assert main(["check", str(tmp_path / "raises.py")]) == 2
    assert "ZeroDivisionError: division by zero" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("cell", "python"),
    [
        ("%matplotlib inline", "get_ipython().run_line_magic('matplotlib', 'inline')"),
        ("  !pip install numpy", "  get_ipython().system('pip install numpy')"),
        ("files = !ls -l", "files = get_ipython().getoutput('ls -l')"),
        ("names = %who_ls", "names = get_ipython().run_line_magic('who_ls', '')"),
        ("%%bash\necho hi", "get_ipython().run_cell_magic('bash', '', 'echo hi')"),
        ("%%time\nx = 1\ny = 2", "\nx = 1\ny = 2"),  # the body runs, on its own lines
        ("x = a % b\nif a != b:\n    y = 1", "x = a % b\nif a != b:\n    y = 1"),
    ],
)
def test_magics_and_shell_lines_become_calls_as_nbconvert_writes_them(cell, python):
    assert _python(cell) == python


def test_a_notebooks_imports_are_read_from_its_code_cells_only(tmp_path):
    path = notebook(
        tmp_path / "n.ipynb", "import numpy as np", "%matplotlib inline\nfrom common import x"
    )
    assert [number for number, _ in code_cells(path)] == [2, 3]
    assert "# my net" not in script(path) and "from common import x" in script(path)


def test_xpnet_train_net_trains_a_notebooks_net_as_the_same_net_in_a_file(
    tmp_path, monkeypatch, capsys
):
    """`xpnet train --net NOTEBOOK.ipynb`: checked, then trained, to the same losses as the same
    class in a .py file (the check and the training run the notebook's code cells once)."""
    book_notebook(tmp_path / "repo")
    monkeypatch.chdir(tmp_path / "repo")
    runs = {}
    for name, net in (
        ("notebook", "ch05/two_layer_net.ipynb"),
        ("file", str(BOOK / "two_layer_net.py")),
    ):
        args = ["train", "--net", net, "--dataset", "sample", "--no-plot", "--iters", "40"]
        assert main([*args, "--batch-size", "200", "--out", str(tmp_path / name)]) == 0
        runs[name] = capsys.readouterr().out
    text = runs["notebook"]
    assert "xpnet train --net: TwoLayerNet of ch05/two_layer_net.ipynb" in text
    assert "check PASSED" in text and "done: 40 iterations" in text
    assert "magics and shell lines were not run" in text
    assert text.splitlines()[-2].split()[:3] == runs["file"].splitlines()[-2].split()[:3]
    config = json.loads((tmp_path / "notebook" / "config.json").read_text())
    assert config["learner"] == {
        "file": str((tmp_path / "repo" / "ch05" / "two_layer_net.ipynb").resolve()),
        "class": "TwoLayerNet",
        "call": "TwoLayerNet(input_size=784, hidden_size=50, output_size=10)",
        "params": {"W1": [784, 50], "b1": [50], "W2": [50, 10], "b2": [10]},
    }


def test_a_notebook_without_a_net_names_its_classes_by_cell_and_line(tmp_path):
    path = notebook(
        tmp_path / "layers.ipynb",
        "import numpy as np",
        "class Relu:\n    def forward(self, x):\n        return np.maximum(0, x)\n",
    )
    said = refusal(path)
    assert "found none: Relu ([cell 3], line 1) has none of loss, gradient" in said


COLAB = (
    "from google.colab import drive, files\n"
    "drive.mount('/content/drive')\n"
    "%cd /content/drive/MyDrive/deep-learning-from-scratch/ch05\n"
    "uploaded = files.upload()\n"
)


def test_a_colab_notebook_mounting_drive_is_checked_with_a_note(tmp_path, monkeypatch, capsys):
    """Off Colab, `from google.colab import drive` fails, and a failed import stops the cells:
    a stand-in answers it, its calls do nothing, and a note says so; google.colab is gone after
    the check."""
    path = book_notebook(tmp_path / "repo")
    cells = json.loads(path.read_text())
    cells["cells"].insert(1, {**cells["cells"][1], "source": COLAB.splitlines(keepends=True)})
    path.write_text(json.dumps(cells))
    learner = load_learner(str(path))
    said = [n for n in learner.notes if "google.colab" in n]
    assert said == [
        "two_layer_net.ipynb imports google.colab, Google Colab's own, not installed here: a"
        " stand-in answered it, and drive.mount(), files.upload() did nothing; the files"
        " two_layer_net.ipynb uses are read from the folders around it"
    ]
    assert "google.colab" not in sys.modules and "google" not in sys.modules
    monkeypatch.chdir(tmp_path / "repo")
    assert main(["check", "ch05/two_layer_net.ipynb"]) == 0
    assert "check PASSED" in capsys.readouterr().out


def test_a_colab_notebook_changing_into_its_drive_runs_on_in_its_own_folder(tmp_path, monkeypatch):
    """Colab's next line after drive.mount: os.chdir into the book's folders in the learner's
    Drive. Off Colab that folder is not there: the change is skipped, with a note, the
    imports are found around the notebook, and the current folder is the caller's after; a
    change into a folder that is here is made, and undone after the import."""
    path = book_notebook(tmp_path / "repo")
    drive = "/content/drive/MyDrive/deep-learning-from-scratch/ch05"
    here = tmp_path / "elsewhere"
    here.mkdir()
    cells = json.loads(path.read_text())
    source = f"import os\n{COLAB}os.chdir({drive!r})\nos.chdir({str(here)!r})\n"
    cells["cells"].insert(1, {**cells["cells"][1], "source": source.splitlines(keepends=True)})
    path.write_text(json.dumps(cells))
    monkeypatch.chdir(tmp_path)
    chdir = os.chdir
    learner = load_learner(str(path))
    assert (
        f"two_layer_net.ipynb [cell 2], line 6 changes into {drive!r}, a folder of Google"
        " Colab's (its Drive) that is not on this machine: that change was skipped, and"
        f" two_layer_net.ipynb runs on from its own folder ({path.parent})"
    ) in learner.notes
    assert not any(str(here) in note for note in learner.notes)
    assert Path.cwd() == tmp_path
    assert os.chdir is chdir
    assert main(["check", str(path)]) == 0


def test_the_warnings_of_top_level_code_are_a_note_not_output(tmp_path, capsys):
    """A cell's np.log(0) warns while the notebook runs, as a print prints: a note says it, and
    nothing of it reaches stderr."""
    path = book_notebook(tmp_path / "repo")
    cells = json.loads(path.read_text())
    source = ["import numpy as np\n", "np.log(np.zeros(1))\n"]
    cells["cells"].insert(1, {**cells["cells"][1], "source": source})
    path.write_text(json.dumps(cells))
    learner = load_learner(str(path))
    assert (
        "two_layer_net.ipynb's top-level code warned 1 time(s), not shown (the first:"
        " RuntimeWarning: divide by zero encountered in log, two_layer_net.ipynb [cell 2], line 2)"
    ) in learner.notes
    assert "RuntimeWarning" not in capsys.readouterr().err


def test_the_colab_stand_in_leaves_an_installed_google_package_alone(tmp_path, monkeypatch):
    """google is a namespace package where protobuf or google-auth is installed: their modules
    still import, and only google.colab is the stand-in's."""
    site = tmp_path / "site"
    (site / "google" / "auth").mkdir(parents=True)
    (site / "google" / "auth" / "__init__.py").write_text("NAME = 'installed'\n")
    monkeypatch.syspath_prepend(str(site))
    path = notebook(
        tmp_path / "nb.ipynb",
        "import google.auth\nfrom google.colab import drive\ndrive.mount('/content/drive')\n",
        "class Net:\n    AUTH = google.auth.NAME\n",
    )
    with pytest.raises(Exception, match="Net"):
        load_learner(str(path))  # no network: the notebook ran to its class
    from xpnet.check.importing import import_file

    imported = import_file(path)
    assert imported.error is None
    assert imported.module.Net.AUTH == "installed"
    assert any("drive.mount() did nothing" in n for n in imported.notes)
    for name in ("google", "google.auth", "google.colab"):
        sys.modules.pop(name, None)


def test_a_class_replaced_by_a_later_import_is_said_and_the_notebooks_own_checked(
    tmp_path, monkeypatch, capsys
):
    """The survey's notebook: its own TwoLayerNet (b2 summed over every axis) in one cell, then
    the book's `from two_layer_net import TwoLayerNet`, which replaces it. The notebook's own
    class is checked, and fails; it was the imported one, which passed (exit 0)."""
    root = tmp_path / "repo"
    book_repo(root)  # ch05/two_layer_net.py: the book's net, right
    own = book_net().replace('self.layers["Affine2"].db', 'self.layers["Affine2"].db.sum()')
    assert own != book_net()
    path = notebook(
        root / "ch05" / "backprop.ipynb",
        "import sys, os\nsys.path.append(os.pardir)\n" + own,
        "from two_layer_net import TwoLayerNet\nnet = TwoLayerNet(784, 50, 10)",
    )
    learner = load_learner(str(path))
    assert "[cell 2]" in learner.cls.gradient.__code__.co_filename  # the notebook's own
    said = [n for n in learner.notes if "replaces it" in n]
    assert said == [
        "backprop.ipynb: cell 2, line 15 defines TwoLayerNet, and the import in cell 3, line 1"
        " replaces it (TwoLayerNet of two_layer_net.py): checked backprop.ipynb's own"
        " TwoLayerNet, not the imported one; give one of them another name"
    ]
    assert not any("defines no network class of its own" in n for n in learner.notes)
    monkeypatch.chdir(root)
    assert main(["check", str(path)]) == 1
    assert main(["check", f"{path}:TwoLayerNet"]) == 1
    assert "b2" in capsys.readouterr().out


OWN_SOFTMAX_WITH_LOSS = """
import sys, os
sys.path.append(os.pardir)
import numpy as np
from common.functions import softmax, cross_entropy_error


class SoftmaxWithLoss:  # the learner's own, wrong: forward returns nothing
    def __init__(self):
        self.loss = self.y = self.t = None

    def forward(self, x, t):
        self.t = t
        self.y = softmax(x)
        self.loss = cross_entropy_error(self.y, self.t)

    def backward(self, dout=1):
        return (self.y - self.t) / self.t.shape[0]


from common.layers import SoftmaxWithLoss  # a later cell, pasted below (the survey's file)
"""


def test_a_layer_replaced_by_a_later_import_is_the_learners_own_checked(tmp_path, capsys):
    """The survey's layer_naive.py: its own SoftmaxWithLoss, whose forward returns None, then the
    book's imported over it. The note said its own was checked, but the imported one was: PASS."""
    root = tmp_path / "repo"
    book_repo(root)
    path = write(root / "ch05" / "layer_naive.py", OWN_SOFTMAX_WITH_LOSS)
    assert main(["check", str(path)]) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert "checked layer_naive.py's own SoftmaxWithLoss, not the imported one" in out
    assert "SoftmaxWithLoss ch05/layer_naive.py, line 7 WRONG" in out
    assert "returns None" in out


def test_a_layer_a_network_uses_from_a_later_import_is_said_not_checked(tmp_path, capsys):
    """A net's file with its own Affine (dW twice too large), then the book's layers imported over
    it: the net is built with the imported Affine (right), and the note says the learner's own is
    not checked; it said "checked two_layer_net.py's own Affine", which was false."""
    root = tmp_path / "repo"
    net = book_repo(root)
    own_affine = (
        "import numpy as np\n\n\nclass Affine:\n"
        "    def __init__(self, W, b):\n        self.W, self.b = W, b\n\n"
        "    def forward(self, x):\n        self.x = x\n        return x @ self.W + self.b\n\n"
        "    def backward(self, dout):\n        self.dW = 2 * self.x.T @ dout\n"
        "        self.db = dout.sum(axis=0)\n        return dout @ self.W.T\n\n\n"
    )
    net.write_text("import sys, os\nsys.path.append(os.pardir)\n" + own_affine + net.read_text())
    assert main(["check", str(net)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert (
        "replaces it (Affine of layers.py): the network is built with the imported Affine (the"
        " name's class when it runs), so two_layer_net.py's own Affine is not checked" in out
    )
    assert "checked two_layer_net.py's own Affine" not in out


def test_a_chapter_7_network_of_a_notebook_is_named_by_its_cell_once(tmp_path, capsys):
    # the survey's "LeNet (net.ipynb [cell 6], [cell 6], line 5)"
    from .test_learner_running import CONVNET

    path = notebook(tmp_path / "convnet.ipynb", CONVNET)
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("xpnet check: error: SimpleConvNet (convnet.ipynb [cell 2], line 5) is")
