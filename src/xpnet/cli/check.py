"""`xpnet check FILE.py[:CLASS]` (a learner's own network) and `xpnet gradcheck` (xpnet's own).

Both compare backpropagation with the numerical gradient and print the report; exit
(:class:`~xpnet.cli.words.Exit`) OK passed, FAILED failed, USAGE unusable (the file, its class,
or the data).
"""

from __future__ import annotations

import sys
import textwrap

from ..backends import get_backend
from ..check.culprits import wrong_functions
from ..check.importing import TIME_LIMIT
from ..check.learner import (
    SAMPLES,
    LearnerError,
    NoNetwork,
    backprop_raised,
    build,
    check_learner,
    learner_traceback,
    load_learner,
    raised_in_backprop,
)
from ..check.quiet import kept
from ..check.timelimit import CHECK_TIME_LIMIT, CheckTimeout, limit, stopped_in
from .data import load_data
from .words import Exit, for_the_command_line

BOOK_CALL = "(input_size=784, hidden_size=50, output_size=10)"


def check_command(args) -> int:
    """``xpnet check FILE.py[:CLASS]``: a learner's network, backprop against numerical.

    Parameters
    ----------
    args : argparse.Namespace
        ``args.file``: ``FILE.py`` or ``FILE.py:CLASS``; ``args.time_limit``: seconds the
        file's top-level code may run when imported (wall clock), and each check of its code
        (CPU time); None: TIME_LIMIT and CHECK_TIME_LIMIT.

    Returns
    -------
    int
        Exit.OK when the network passes, Exit.FAILED when the check fails, Exit.USAGE when the
        file or class cannot be used (one line, or the learner's own traceback, on stderr).
    """
    imported = TIME_LIMIT if args.time_limit is None else args.time_limit
    checked = CHECK_TIME_LIMIT if args.time_limit is None else args.time_limit
    try:
        learner = load_learner(args.file, time_limit=imported)
        with limit(checked, CheckTimeout):
            net, call = build(learner)
        result = check_learner(net, learner, time_limit=checked)
    except NoNetwork as missing:
        return _functions(missing, args.file, checked)
    except CheckTimeout as stopped:
        print(f"xpnet check: error: {stopped_in(stopped, checked)}", file=sys.stderr)
        return Exit.USAGE
    except LearnerError as error:
        print(f"xpnet check: error: {for_the_command_line(error)}", file=sys.stderr)
        return Exit.USAGE
    except Exception as error:  # raised inside the learner's network
        if not raised_in_backprop(error):
            print(f"xpnet check: error: {learner_traceback(error)}", file=sys.stderr)
            return Exit.USAGE
        _header(learner, args.file)  # the forward ran, a backward raised: a verdict
        print(backprop_raised(error))
        return Exit.FAILED
    cls = learner.cls
    _header(learner, args.file)
    if call != f"{cls.__name__}{BOOK_CALL}":
        print(f"built as {call}")
    for note in learner.notes + result.notes:
        print(f"note: {note}")
    print(result.check)
    if not result.check.passed:  # the cause may be a function of the book's that the net calls
        for said in wrong_functions(cls):
            print(textwrap.fill(f"- {said}", 100, subsequent_indent="  "))
    return Exit.OK if result.check.passed else Exit.FAILED


def _functions(missing: NoNetwork, file: str, time_limit: float | None = None) -> int:
    """A file with no network class: the book's functions, simpleNet-like classes and layers in
    it, checked (:mod:`xpnet.check.chapter4`, :mod:`xpnet.check.chapter5`), each kind within
    time_limit seconds; where it holds none, the error."""
    from ..check.chapter4 import check_functions
    from ..check.chapter5 import check_layers

    try:
        with kept():  # a learner's debug prints in a loop, its progress bars
            with limit(time_limit, CheckTimeout):
                functions = check_functions(missing.namespace, only=missing.only)
            with limit(time_limit, CheckTimeout):
                layers = check_layers(missing.namespace, only=missing.only)
    except CheckTimeout as stopped:
        print(f"xpnet check: error: {stopped_in(stopped, time_limit)}", file=sys.stderr)
        return Exit.USAGE
    except Exception as error:  # raised in the learner's code, outside the functions checked
        print(f"xpnet check: error: {learner_traceback(error)}", file=sys.stderr)
        return Exit.USAGE
    both = functions is not None and layers is not None
    report = functions + layers if both else functions or layers
    if report is None or not report.results:
        print(f"xpnet check: error: {for_the_command_line(missing)}", file=sys.stderr)
        for skipped in report.skipped if report is not None else ():
            print(f"note: {skipped}", file=sys.stderr)
        return Exit.USAGE
    path = file.partition(":")[0]
    if missing.only is not None:
        what = "its loss, no gradient(x, t)" if functions is not None else "a layer, on its own"
        print(f"xpnet check: {missing.only.__name__} of {path} ({what})")
    else:
        kinds = [k for k, p in (("functions", functions), ("layers", layers)) if p and p.results]
        print(
            f"xpnet check: the {' and '.join(kinds)} of {path} by their book names (it holds"
            " no network)"
        )
    for note in missing.notes:
        print(f"note: {note}")
    print(report)
    return Exit.OK if report.passed else Exit.FAILED


def _header(learner, file: str) -> None:
    print(f"xpnet check: {learner.cls.__name__} of {file.partition(':')[0]} on {SAMPLES} images")


def gradcheck_command(args) -> int:
    """``xpnet gradcheck``: xpnet's own TwoLayerNet, backprop against the numerical gradient.

    Parameters
    ----------
    args : argparse.Namespace
        The gradcheck command's flags (--device, --backend, --dataset, --hidden-size, ...).

    Returns
    -------
    int
        Exit.OK when every parameter's gradient agrees, else Exit.FAILED; Exit.USAGE (one line
        on stderr) for a --samples larger than the training set.
    """
    from ..check.gradcheck import gradient_check
    from ..nets import TwoLayerNet

    backend = get_backend(args.device, backend=args.backend)
    print(f"xpnet gradcheck: {backend.describe()}, float64")
    (x, t), _, _, description = load_data(args.dataset, args.data_dir, doing="checking")
    if args.samples > len(x):
        print(
            f"xpnet gradcheck: error: argument --samples: expected at most {len(x)}, the training"
            f" images of the {description}; got {args.samples}",
            file=sys.stderr,
        )
        return Exit.USAGE
    print(f"data: the first {args.samples} images of the {description}")
    net = TwoLayerNet(
        int(x[0].size),
        args.hidden_size,
        10,
        activation=args.activation,
        backend=backend,
        dtype="float64",
        seed=args.seed,
    )
    x_batch = backend.asarray(x[: args.samples], dtype="float64")
    t_batch = backend.asarray(t[: args.samples])
    result = gradient_check(net, x_batch, t_batch)
    print(result)
    return Exit.OK if result.passed else Exit.FAILED
