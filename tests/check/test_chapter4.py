"""`xpnet check` on a file of chapters 3-4 with no network: numerical_diff, numerical_gradient,
gradient_descent, softmax, cross_entropy_error, ... and simpleNet, each held to the book's
published numbers (4.2-4.4) and to xpnet's own functions; each typical mistake, a one-line edit
of the book's code, is found and said with its fix."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from xpnet.check.chapter4 import check_functions
from xpnet.cli import main

from .learner_shapes import BOOK, checked_without_network, edited, refusal, write


@pytest.fixture(autouse=True)
def _own_path(monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))


# the book's ch04 code, as a learner types it (gradient_1d.py, gradient_2d.py, gradient_method.py)
NUMERICAL_DIFF = """
def numerical_diff(f, x):
    h = 1e-4
    return (f(x + h) - f(x - h)) / (2 * h)
"""
NUMERICAL_GRADIENT = """
import numpy as np

def numerical_gradient(f, x):
    h = 1e-4
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        idx = it.multi_index
        tmp_val = x[idx]
        x[idx] = float(tmp_val) + h
        fxh1 = f(x)
        x[idx] = tmp_val - h
        fxh2 = f(x)
        grad[idx] = (fxh1 - fxh2) / (2 * h)
        x[idx] = tmp_val
        it.iternext()
    return grad
"""
GRADIENT_DESCENT = """
def gradient_descent(f, init_x, lr=0.01, step_num=100):
    x = init_x
    for i in range(step_num):
        grad = numerical_gradient(f, x)
        x -= lr * grad
    return x
"""
SIMPLE_NET = """
import numpy as np
from common.functions import softmax, cross_entropy_error

class simpleNet:
    def __init__(self):
        self.W = np.random.randn(2, 3)

    def predict(self, x):
        return np.dot(x, self.W)

    def loss(self, x, t):
        z = self.predict(x)
        y = softmax(z)
        return cross_entropy_error(y, t)

net = simpleNet()
print(net.loss(np.array([0.6, 0.9]), np.array([0, 0, 1])))
"""
SOFTMAX_3_5 = """
import numpy as np

def softmax(a):
    c = np.max(a)
    exp_a = np.exp(a - c)
    return exp_a / np.sum(exp_a)
"""
ERRORS_4_2 = """
import numpy as np

def mean_squared_error(y, t):
    return 0.5 * np.sum((y - t) ** 2)

def cross_entropy_error(y, t):
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)
    batch_size = y.shape[0]
    return -np.sum(t * np.log(y + 1e-7)) / batch_size
"""


def checked(tmp_path, source: str, *, name: str = "ch04/gradient.py", common: bool = False):
    """The check of a learner's file of chapter 4 holding source (beside the book's common/)."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True, exist_ok=True)
    if common:
        write(root / "common" / "__init__.py", "")
        write(root / "common" / "functions.py", (BOOK / "common" / "functions.py").read_text())
    path = write(root / name, ("import sys, os\nsys.path.append(os.pardir)\n" + source))
    return checked_without_network(str(path), check_functions)


def test_the_books_chapter_4_functions_pass_with_the_books_numbers(tmp_path):
    report = checked(tmp_path, NUMERICAL_DIFF + NUMERICAL_GRADIENT + GRADIENT_DESCENT)
    assert [r.name for r in report] == ["numerical_diff", "numerical_gradient", "gradient_descent"]
    assert report.passed and all(r.passed and not r.reason for r in report)
    assert report["numerical_gradient"].where == "ch04/gradient.py, line 10"


@pytest.mark.parametrize(
    ("source", "old", "new", "name", "said"),
    [
        (NUMERICAL_DIFF, "h = 1e-4", "h = 1e-50", "numerical_diff", "x + h == x in floating"),
        (
            NUMERICAL_DIFF,
            "(f(x + h) - f(x - h)) / (2 * h)",
            "(f(x + h) - f(x)) / h",
            "numerical_diff",
            "the forward difference (f(x+h) - f(x)) / h",
        ),
        (NUMERICAL_DIFF, "/ (2 * h)", "/ h", "numerical_diff", "twice as much: divide by 2*h"),
        (
            NUMERICAL_GRADIENT,
            "(fxh1 - fxh2) / (2 * h)",
            "(fxh1 - fxh2) / h",
            "numerical_gradient",
            "is [12., 16.]; the gradient is [6., 8.], twice as much",
        ),
        (
            NUMERICAL_GRADIENT,
            "        x[idx] = tmp_val\n",
            "",
            "numerical_gradient",
            "leaves x changed ([2.9999, 3.9999]): restore each entry",
        ),
        (
            NUMERICAL_GRADIENT,
            'it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])',
            'x = x.copy()\n    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])',
            "numerical_gradient",
            "the book's use in simpleNet, is 0 everywhere: it changes a copy of x",
        ),
        (
            GRADIENT_DESCENT,
            "x -= lr * grad",
            "x += lr * grad",
            "gradient_descent",
            "it climbs: step against the gradient",
        ),
        (GRADIENT_DESCENT, "x -= lr * grad", "x -= 0.01 * grad", "gradient_descent", "lr is not"),
        (GRADIENT_DESCENT, "range(step_num)", "range(100)", "gradient_descent", "step_num is not"),
        (GRADIENT_DESCENT, "    return x", "        return x", "gradient_descent", "only one step"),
        (
            GRADIENT_DESCENT,
            "x -= lr * grad",
            "x = lr * grad",
            "gradient_descent",
            "x = lr * grad puts the step in x's place: subtract it from x",
        ),
        (
            ERRORS_4_2,
            "np.log(y + 1e-7)",
            "np.log(y)",
            "cross_entropy_error",
            "is nan; it should be 0.510825: log(0) is -inf where y1 is 0, and 0 * -inf is nan",
        ),
        (
            ERRORS_4_2,
            "    if y.ndim == 1:\n"
            "        t = t.reshape(1, t.size)\n"
            "        y = y.reshape(1, y.size)\n",
            "",
            "cross_entropy_error",
            "is 0.0510825; it should be 0.510825: 10 times too small, divided by y1's length",
        ),
        (
            ERRORS_4_2,
            "0.5 * np.sum",
            "0.5 + np.sum",
            "mean_squared_error",
            "is 0.695, 0.5 + np.sum((y - t)**2), a + for the book's *",
        ),
        (
            ERRORS_4_2,
            "return 0.5 * np.sum((y - t) ** 2)",
            "return 0.5 * np.sum((y - t) ** 2) / y.shape[0]",
            "mean_squared_error",
            "is 0.00975, 10 times too small, divided by y1's length",
        ),
        (
            NUMERICAL_GRADIENT.replace("        it.iternext()\n", "").replace(
                "float(tmp_val)", "tmp_val"
            ),
            """    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        idx = it.multi_index
        tmp_val = x[idx]""",
            """    for idx in range(x.shape[0]):  # a row of a 2-D x at a time
        tmp_val = x[idx].copy()""",
            "numerical_gradient",
            "it moves a whole row of x at a time (range(x.shape[0])): iterate over every element",
        ),
    ],
)
def test_each_mistake_is_wrong_and_said(tmp_path, source, old, new, name, said):
    rest = NUMERICAL_GRADIENT if name == "gradient_descent" else ""
    report = checked(tmp_path, rest + edited(source, old, new))
    assert not report.passed
    assert not report[name].passed
    assert said in report[name].reason
    assert said.split(":")[0] in " ".join(str(report).split())


def test_a_1d_only_numerical_gradient_is_right_with_a_note_and_wrong_in_simple_net(tmp_path):
    """The loop of the book's 4.3.3 (for idx in range(x.size)), as the book prints it: right at
    the book's points, with a note that a 2-D W's rows are not its entries; simpleNet, which
    needs them, is wrong with it."""
    one_d = edited(
        NUMERICAL_GRADIENT,
        """    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        idx = it.multi_index
""",
        "    for idx in range(x.size):\n",
    ).replace("        it.iternext()\n", "")
    report = checked(tmp_path, one_d)
    result = report["numerical_gradient"]
    assert result.passed and not result.reason
    assert result.note.startswith("right for a 1-D x, as the book's 4.3.3 prints it;")
    assert "of a 2-D W (a weight matrix, as simpleNet's W, 4.4.2) raised" in result.note
    assert "np.nditer(x, flags=['multi_index'])" in result.note
    report = checked(tmp_path / "b", one_d + SIMPLE_NET, common=True)
    assert not report.passed and not report["simpleNet"].passed
    assert "numerical_gradient(lambda w: net.loss(x, t), net.W) raised" in (
        report["simpleNet"].reason
    )


def test_the_books_simple_net_passes_and_its_mistakes_are_named(tmp_path):
    report = checked(tmp_path, NUMERICAL_GRADIENT + SIMPLE_NET, common=True)
    assert [r.name for r in report] == [
        "softmax",
        "cross_entropy_error",
        "numerical_gradient",
        "simpleNet",
    ]
    assert report.passed
    assert report["softmax"].where == "common/functions.py, line 6"
    wrong = checked(tmp_path / "b", edited(SIMPLE_NET, "y = softmax(z)", "y = z"), common=True)
    reason = wrong["simpleNet"].reason
    assert not wrong.passed
    assert "loss(x, t) is nan (the log of a score <= 0: softmax makes the scores" in reason
    assert "the softmax cross-entropy of predict(x) is" in reason
    assert "x = [0.6, 0.9], t = [0., 0., 1.]" in reason  # the book's example of 4.4.2


def test_simple_net_s_gradient_is_its_loss_derivative_by_the_learners_numerical_gradient(
    tmp_path,
):
    """dW by the learner's own numerical_gradient against x.T (softmax(x W) - t): a
    numerical_gradient that works on a copy of W gives 0, wrong in both rows."""
    copying = edited(
        NUMERICAL_GRADIENT, "grad = np.zeros_like(x)", "x = x.copy()\n    grad = np.zeros_like(x)"
    )
    report = checked(tmp_path, copying + SIMPLE_NET, common=True)
    assert not report["numerical_gradient"].passed
    reason = report["simpleNet"].reason
    assert "by your numerical_gradient is [[0., 0., 0.]," in reason
    assert "the derivative of the loss is x.T (softmax(x W) - t) =" in reason


def test_a_simple_net_whose_predict_ends_in_the_softmax_is_right_with_a_note(tmp_path):
    """predict(x) returning softmax(x W), loss(x, t) its cross-entropy (as in
    sooyoungkim/flipped-deep-learning-from-scratch, ch04/simplenet.py) is the book's loss, the
    softmax moved into predict: right, not held to the softmax of those probabilities; its
    gradient is still checked."""
    moved = edited(
        edited(SIMPLE_NET, "return np.dot(x, self.W)", "return softmax(np.dot(x, self.W))"),
        "y = softmax(z)",
        "y = z",
    )
    report = checked(tmp_path, NUMERICAL_GRADIENT + moved, common=True)
    assert report.passed, report["simpleNet"].reason
    assert "its predict(x) returns softmax(x W), the probabilities" in report["simpleNet"].note
    copying = edited(
        NUMERICAL_GRADIENT, "grad = np.zeros_like(x)", "x = x.copy()\n    grad = np.zeros_like(x)"
    )
    wrong = checked(tmp_path / "b", copying + moved, common=True)["simpleNet"]
    assert not wrong.passed and "by your numerical_gradient is [[0., 0., 0.]," in wrong.reason
    log_missing = edited(moved, "return cross_entropy_error(y, t)", "return -np.sum(t * y)")
    wrong = checked(tmp_path / "c", NUMERICAL_GRADIENT + log_missing, common=True)["simpleNet"]
    assert not wrong.passed
    assert "the cross-entropy of predict(x), softmax(x W), is" in wrong.reason


LINEAR_REGRESSION = """
import numpy as np

def gradient_descent(X, y, weights, bias, learning_rate, epochs):
    for _ in range(epochs):
        error = X @ weights + bias - y
        weights = weights - learning_rate * X.T @ error / len(y)
        bias = bias - learning_rate * np.mean(error)
    return weights, bias
"""


def test_a_function_of_the_books_name_that_cannot_take_the_books_call_is_said_not_checked(
    tmp_path, monkeypatch, capsys
):
    """A gradient_descent of a linear regression (as in Ckhanoyan/deep-learning-from-scratch,
    scripts/mock house pricing_code.py) cannot be called as the book's (f, init_x, lr,
    step_num): it is named as not checked, and the file's others are checked; alone in its file,
    the file holds none of the book's, said with the note (it was xpnet's TypeError)."""
    report = checked(tmp_path, NUMERICAL_GRADIENT + LINEAR_REGRESSION)
    assert [r.name for r in report] == ["numerical_gradient"] and report.passed
    (said,) = report.skipped
    assert said.startswith("gradient_descent (ch04/gradient.py, line ")
    assert (
        "takes (X, y, weights, bias, learning_rate, epochs), not the book's (f, init_x, lr=0.01,"
        " step_num=100): not checked" in said
    )
    path = write(tmp_path / "alone" / "regression.py", LINEAR_REGRESSION)
    (tmp_path / "alone" / ".git").mkdir()
    monkeypatch.chdir(path.parent)
    assert main(["check", "regression.py"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "Traceback" not in err and "TypeError" not in err
    assert "regression.py, line 3) takes (X, y, weights, bias, learning_rate, epochs)" in err


def test_softmax_of_chapter_3_is_right_with_a_note_and_errors_are_held_to_the_book(tmp_path):
    report = checked(tmp_path, SOFTMAX_3_5 + ERRORS_4_2, name="ch03/functions.py")
    assert report.passed
    assert "right for one sample (1-D); for a batch (2-D" in report["softmax"].note
    assert "takes one-hot t only" in report["cross_entropy_error"].note
    naive = edited(SOFTMAX_3_5, "np.exp(a - c)", "np.exp(a)")
    said = checked(tmp_path / "b", naive, name="ch03/functions.py")["softmax"].reason
    assert "exp overflows; subtract the largest input first" in said
    summed = edited(ERRORS_4_2, "/ batch_size", "")
    said = checked(tmp_path / "c", summed, name="ch03/f.py")["cross_entropy_error"].reason
    assert (
        "the sum of the two: divide by the batch size for the mean, 1.4067 (the book's 4.2.4)"
        in said
    )
    doubled = edited(ERRORS_4_2, "0.5 * np.sum", "np.sum")
    said = checked(tmp_path / "d", doubled, name="ch03/f.py")["mean_squared_error"].reason
    assert "is 0.195, twice the book's 0.0975" in said


CROSS_ENTROPY_LABELS = """
import numpy as np

def cross_entropy_error(y, t):
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)
    batch_size = y.shape[0]
    return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size
"""


def test_targets_first_by_their_names_are_called_so_and_a_simple_net_of_a_batch_only_is_said(
    tmp_path,
):
    """cross_entropy(real, prediction): the names say the targets come first, so it is called
    that way, with a note. simpleNet whose cross-entropy takes y.shape[0] as the batch size
    divides the book's 1-D example by its 3 classes."""
    source = (
        "import numpy as np\n\n"
        "def cross_entropy_error(real, prediction):\n"
        "    batch_size = prediction.shape[0]\n"
        "    return -np.sum(real * np.log(prediction + 1e-7)) / batch_size\n"
    )
    report = checked(tmp_path, source)
    result = report["cross_entropy_error"]
    assert not result.passed  # right for a batch; 10 times too small for the book's 1-D y1
    assert "10 times too small, divided by y1's length" in result.reason
    assert "it takes (real, prediction), the targets first: called so" in result.note
    batched = source.replace(
        "    batch_size",
        "    if prediction.ndim == 1:\n        real,"
        " prediction = real[None], prediction[None]\n    batch_size",
    )
    result = checked(tmp_path / "b", batched)["cross_entropy_error"]
    assert result.passed and "the targets first: called so" in result.note
    net = SIMPLE_NET.replace("from common.functions import softmax, cross_entropy_error\n", "")
    net = net.replace("cross_entropy_error(y, t)", "cross_entropy_error(t, y)")
    reason = checked(tmp_path / "c", SOFTMAX_3_5 + source + net)["simpleNet"].reason
    assert ": 3 times too small, divided by 3, y's length: for one sample" in reason


def test_the_books_cross_entropy_for_labels_is_right_with_a_note_and_held_to_labels(tmp_path):
    """The book's version for class labels (4.2.4) raises with the one-hot t of 4.2.2: right,
    with a note; a mistake in it is said with labels, not as the IndexError of one-hot t."""
    report = checked(tmp_path, CROSS_ENTROPY_LABELS)
    result = report["cross_entropy_error"]
    assert result.passed and not result.reason
    assert "it takes class labels only (t = [2, 2])" in result.note
    assert "raised IndexError" in result.note
    assert "t = t.argmax(axis=1)" in result.note
    summed = checked(tmp_path / "b", edited(CROSS_ENTROPY_LABELS, " / batch_size", ""))
    reason = summed["cross_entropy_error"].reason
    assert not summed.passed
    assert reason.startswith(
        "cross_entropy_error of the batch [y1, y2] with labels t = [2, 2] is 2.81341, the sum"
    )
    first = edited(CROSS_ENTROPY_LABELS, "y[np.arange(batch_size), t]", "y[0, t]")
    reason = checked(tmp_path / "c", first)["cross_entropy_error"].reason
    assert "with labels t = [2, 2] is 0.510825; it should be 1.4067" in reason


def test_the_command_line_exits_0_or_1_and_a_file_of_nothing_it_knows_stays_2(
    tmp_path, monkeypatch, capsys
):
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    write(root / "ch04" / "gradient_1d.py", NUMERICAL_DIFF)
    write(root / "ch04" / "wrong.py", edited(NUMERICAL_DIFF, "/ (2 * h)", "/ h"))
    write(root / "ch05" / "buy_apple.py", "apple = 100\nprint(apple * 2)\n")
    monkeypatch.chdir(root)
    assert main(["check", "ch04/gradient_1d.py"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("xpnet check: the functions of ch04/gradient_1d.py by their book names")
    assert "numerical_diff  ch04/gradient_1d.py, line 1  ok" in out
    assert "check PASSED: 1 of 1 right" in out
    assert main(["check", "ch04/wrong.py"]) == 1
    out = capsys.readouterr().out
    assert "check FAILED: 0 of 1 right" in out and "- numerical_diff: numerical_diff(" in out
    assert main(["check", "ch05/buy_apple.py"]) == 2
    err = capsys.readouterr().err
    assert "it defines no class" in err and ":CLASS" not in err  # no class there to name
    printing = edited(NUMERICAL_DIFF, "    h = 1e-4\n", "    h = 1e-4\n    print('h is', h)\n")
    write(root / "ch04" / "printing.py", printing)
    assert main(["check", "ch04/printing.py"]) == 0
    out = capsys.readouterr().out
    assert "h is" not in out and out.startswith("xpnet check: the functions of ch04/printing.py")


def test_a_simple_net_named_after_the_colon_is_checked_alone(tmp_path, monkeypatch, capsys):
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    write(root / "common" / "__init__.py", "")
    write(root / "common" / "functions.py", (BOOK / "common" / "functions.py").read_text())
    write(root / "ch04" / "net.py", "import sys, os\nsys.path.append(os.pardir)\n" + SIMPLE_NET)
    monkeypatch.chdir(root / "ch04")
    assert main(["check", "net.py:simpleNet"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("xpnet check: simpleNet of net.py")
    assert "simpleNet  ch04/net.py, line 7  ok" in out and "softmax" not in out.split("\n", 2)[2]
    said = refusal(root / "ch04" / "net.py")
    assert "simpleNet (line 7) has loss(), predict() but no gradient()" in said


def test_a_right_check_agrees_with_independent_numbers():
    """The oracle of the oracle: xpnet's functions give the book's published numbers."""
    from xpnet.check import chapter4
    from xpnet.functions import cross_entropy_error, softmax, sum_squared_error

    assert float(cross_entropy_error(chapter4.Y1, chapter4.T)) == pytest.approx(0.510825457, 1e-6)
    assert float(sum_squared_error(chapter4.Y2, chapter4.T)) == pytest.approx(0.5975)
    np.testing.assert_allclose(
        softmax(np.array([0.3, 2.9, 4.0])), [0.01821127, 0.24519181, 0.73659691], rtol=1e-6
    )


@pytest.mark.parametrize(
    ("learners", "book"),
    [
        ("sigmoid_function", "sigmoid"),
        ("softmax_func", "softmax"),
        ("my_softmax", "softmax"),
        ("cross_entropy_error_function", "cross_entropy_error"),
        ("cros_entropy_error", "cross_entropy_error"),
        ("numerical_gardient", "numerical_gradient"),
    ],
)
def test_a_book_function_suffixed_or_mistyped_is_checked_under_the_books_name(
    tmp_path, learners, book
):
    source = {
        "sigmoid": "import numpy as np\n\ndef sigmoid(x):\n    return 1 / (1 + np.exp(-x))\n",
        "softmax": SOFTMAX_3_5,
        "cross_entropy_error": ERRORS_4_2.split("def mean_squared_error")[0]
        + "def cross_entropy_error"
        + ERRORS_4_2.split("def cross_entropy_error")[1],
        "numerical_gradient": NUMERICAL_GRADIENT,
    }[book]
    report = checked(tmp_path, edited(source, f"def {book}(", f"def {learners}("))
    assert [r.name for r in report] == [book] and report[book].passed, str(report)
    assert report[book].note.startswith(f"{learners} (ch04/gradient.py, line ")
    assert f"is read as {book}, the book's name: rename it" in report[book].note
    wrong = edited(source, f"def {book}(", f"def {learners}(")
    if book == "cross_entropy_error":  # the survey's: mistyped, and without the book's delta
        wrong = edited(wrong, "np.log(y + 1e-7)", "np.log(y)")
        reason = checked(tmp_path / "wrong", wrong)[book].reason
        assert "is nan; it should be 0.510825" in reason


def test_a_private_name_and_a_name_of_the_books_are_never_read_as_another(tmp_path):
    source = "def _softmax(x):\n    return x\n\ndef softmax_grad(x):\n    return x\n"
    report = checked(tmp_path, source)
    assert not report.results
    assert report.skipped == (
        "gradient.py defines functions (softmax_grad), none under the book's names (sigmoid,"
        " softmax, mean_squared_error, cross_entropy_error, numerical_diff, numerical_gradient,"
        " gradient_descent) nor close to them: xpnet checks a function by the book's name",
    )


def test_a_file_of_functions_under_none_of_the_books_names_says_so(tmp_path, capsys):
    path = write(tmp_path / "repo" / "ch03" / "step.py", "def step(x):\n    return x > 0\n")
    (tmp_path / "repo" / ".git").mkdir()
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "note: step.py defines functions (step), none under the book's names" in err


def test_a_function_returning_none_or_text_is_said_so_with_what_it_should_return(tmp_path):
    """softmax without its return statement returns None; a loss returning a text is said as a
    str, not as None; each with what the book's function returns."""
    missing = edited(SOFTMAX_3_5, "return exp_a / np.sum(exp_a)", "exp_a / np.sum(exp_a)")
    said = checked(tmp_path, missing + ERRORS_4_2, name="ch03/functions.py")["softmax"].reason
    assert "returns None, not an array of shape (3,)" in said
    text = edited(ERRORS_4_2, "return 0.5 * np.sum((y - t) ** 2)", "return 'mse'")
    said = checked(tmp_path / "b", text, name="ch03/f.py")["mean_squared_error"].reason
    assert "returns a str, not a number" in said


def test_functions_defined_before_the_script_part_fails_are_checked_with_a_note(
    tmp_path, monkeypatch, capsys
):
    # the book's gradient_1d.py saving its plot to a path of the repository's root: run from
    # ch04/ the learner's own python would fail there too, after numerical_diff is defined
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    script = "\nopen('ch04/gradient_1d.png', 'rb')\n"
    write(root / "ch04" / "gradient_1d.py", NUMERICAL_DIFF + script)
    write(root / "ch04" / "wrong.py", edited(NUMERICAL_DIFF, "/ (2 * h)", "/ h") + script)
    write(root / "ch04" / "early.py", "open('ch04/plot.png', 'rb')\n" + NUMERICAL_DIFF)
    monkeypatch.chdir(root / "ch04")
    assert main(["check", "gradient_1d.py"]) == 0
    out = capsys.readouterr().out
    assert "top-level code raised FileNotFoundError" in out
    assert "after defining numerical_diff: checked as defined by then" in out
    assert "check PASSED: 1 of 1 right" in out
    assert main(["check", "wrong.py"]) == 1  # a wrong one is still wrong
    assert "check FAILED: 0 of 1 right" in capsys.readouterr().out
    assert main(["check", "early.py"]) == 2  # raised before defining it: nothing to check
    assert "FileNotFoundError" in capsys.readouterr().err


def test_a_softmax_of_batches_only_is_right_with_a_note_and_a_wrong_one_stays_wrong(tmp_path):
    # the survey's: np.max(x, axis=1), what TwoLayerNet gives it, raises on the book's 1-D example
    rows = """
import numpy as np

def softmax(x):
    x = x - np.max(x, axis=1).reshape(-1, 1)
    e = np.exp(x)
    return e / np.sum(e, axis=1).reshape(-1, 1)
"""
    result = checked(tmp_path, rows)["softmax"]
    assert result.passed, result.reason
    assert result.note.startswith("right for a batch (2-D, a row per sample")
    assert "it raises AxisError: axis 1 is out of bounds" in result.note
    naive = checked(tmp_path / "naive", edited(rows, "x = x - np.max", "x = 0 * np.max"))
    assert not naive["softmax"].passed and "AxisError" in naive["softmax"].reason
    summed = checked(tmp_path / "sum", edited(rows, "np.sum(e, axis=1)", "np.sum(e)"))
    assert not summed["softmax"].passed


def test_a_name_with_a_word_of_another_book_function_is_not_read_as_a_typo(tmp_path):
    # the survey's numerical_descent(f, init_x, lr, step): a gradient descent, 0.8 close to
    # numerical_gradient by difflib, was checked (and failed) as numerical_gradient
    descent = edited(GRADIENT_DESCENT, "def gradient_descent(", "def numerical_descent(")
    report = checked(tmp_path, NUMERICAL_DIFF + descent)
    assert [r.name for r in report] == ["numerical_diff"] and report.passed
    typo = edited(NUMERICAL_GRADIENT, "def numerical_gradient(", "def numerical_gardient(")
    assert checked(tmp_path / "typo", typo)["numerical_gradient"].passed


def test_a_numerical_diff_that_prints_its_value_is_wrong_with_why(tmp_path):
    # the survey's `return print(...)`: float(None) raised in xpnet's check, which gave no verdict
    printing = edited(
        NUMERICAL_DIFF,
        "return (f(x + h) - f(x - h)) / (2 * h)",
        "return print((f(x + h) - f(x - h)) / (2 * h))",
    )
    result = checked(tmp_path, printing)["numerical_diff"]
    assert not result.passed
    assert result.reason == (
        "numerical_diff(function_1, 5) returns None, not a number: return the value (print only"
        " shows it)"
    )
    pair = edited(NUMERICAL_DIFF, "return (f(x", "return h, (f(x")
    assert "returns a tuple, not a number" in checked(tmp_path / "b", pair)["numerical_diff"].reason


def test_the_books_cross_entropy_of_one_sample_is_right_with_a_note_and_a_batch_sum_is_wrong(
    tmp_path,
):
    # the book's 4.2.2, typed in: it sums a batch, as a softmax of 3.5 runs over it whole
    one_sample = """
import numpy as np

def cross_entropy_error(y, t):
    delta = 1e-7
    return -np.sum(t * np.log(y + delta))
"""
    result = checked(tmp_path, one_sample)["cross_entropy_error"]
    assert result.passed, result.reason
    assert result.note.startswith("right for one sample (1-D), as the book's 4.2.2 writes it")
    assert "(2.81341 for [y1, y2]), not their mean (1.4067)" in result.note
    said = edited(one_sample, "delta = 1e-7", "delta = 1e-7  # y.shape is (10,): one sample")
    assert checked(tmp_path / "said", said)["cross_entropy_error"].passed  # a comment is no code
    # written for a batch (its batch size read) and summed: wrong, as before
    summed = checked(tmp_path / "b", edited(ERRORS_4_2, "/ batch_size", ""))
    assert "the sum of the two" in summed["cross_entropy_error"].reason
    uphill = checked(tmp_path / "c", edited(one_sample, "-np.sum", "np.sum"))
    assert not uphill["cross_entropy_error"].passed


def test_a_numerical_diff_taking_the_point_first_by_its_names_is_called_so(tmp_path):
    # the survey's numerical_diff(x, f): right in its own order, WRONG (a TypeError) in the book's
    swapped = edited(NUMERICAL_DIFF, "def numerical_diff(f, x):", "def numerical_diff(x, f):")
    descent = edited(GRADIENT_DESCENT, "(f, init_x, lr", "(init_x, f, lr")
    report = checked(tmp_path, swapped + NUMERICAL_GRADIENT + descent)
    assert report.passed, str(report)
    said = "the function second: called so (the book's is (f, x))"
    assert report["numerical_diff"].note == f"it takes (x, f), {said}"
    assert report["gradient_descent"].note == f"it takes (init_x, f), {said}"
    wrong = edited(swapped, "/ (2 * h)", "/ h")  # still held to the book's numbers
    assert not checked(tmp_path / "b", wrong)["numerical_diff"].passed


def test_a_cross_entropy_right_only_swapped_under_names_that_say_no_order_is_wrong_and_said(
    tmp_path,
):
    # the survey's cross_entropy_error(x, y) = -sum(x * log(y + delta)): x is the targets
    ambiguous = """
import numpy as np

def cross_entropy_error(x, y):
    if x.ndim == 1:
        x, y = x.reshape(1, x.size), y.reshape(1, y.size)
    return -np.sum(x * np.log(y + 1e-7)) / x.shape[0]
"""
    reason = checked(tmp_path, ambiguous)["cross_entropy_error"].reason
    assert reason.startswith("cross_entropy_error(y1, t) of the book's 4.2.2 is 6.44724;")
    assert reason.endswith(
        "; called with its arguments swapped it is right: it takes the targets first, which its"
        " parameters' names (x, y) do not say. The book's code calls cross_entropy_error(y, t):"
        " take (y, t), or name them (t, y)"
    )
    named = edited(ambiguous, "def cross_entropy_error(x, y):", "def cross_entropy_error(t, y):")
    named = named.replace("x.", "t.").replace("x, y =", "t, y =").replace("(x *", "(t *")
    assert checked(tmp_path / "b", named)["cross_entropy_error"].passed  # names say it: called so
