"""The Trainer: the book's mini-batch SGD loop (train_neuralnet.py, chapters 4-5), any backend.

Read it as the book's loop with three changes that keep a GPU busy:
- the data set is moved to the device once, and each batch is gathered there (``xp.take``);
- batch indices are drawn on the host in bulk, one epoch at a time, and moved in one transfer;
- the per-step losses stay on the device and come to the host only at log points.
So the step itself makes no host synchronization. The same seed gives the same run on every
backend, and a run resumed from :meth:`Trainer.state_dict` equals one never stopped.
"""

from __future__ import annotations

import math
import numbers
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from ..arguments import check_count, check_seed
from ..backends import Array, to_numpy
from ..errors import Arg, Use, XpnetTypeError, XpnetValueError
from ..history import EpochRecord, History
from ..optim import SGD
from ..step import training_step
from .divergence import diverged, stuck
from .epochs import accuracy, record_epoch
from .progress import interactive, progress_bar
from .schedule import Batches, next_stop
from .stopsignals import StopSignals, TrainingInterrupted

__all__ = ["Trainer"]

GRADS = ("backprop", "numerical")


class Trainer:
    """Mini-batch SGD on a network, resumable, with the book's evaluation every epoch.

    Parameters
    ----------
    net : TwoLayerNet
        Trained in place: a TwoLayerNet, or anything with params, loss_and_gradient,
        numerical_gradient, loss, accuracy, backend and dtype (a learner's book-style net gets
        that interface, :mod:`xpnet.check.trainable`).
    train_data, test_data : tuple of (x, t)
        Host arrays, x (N, ...) and t labels (N,) or one-hot (N, C); checked once here, then
        moved to the net's device.
    batch_size : int, default 100
        Rows of each mini-batch, at most the training set's size.
    learning_rate : float, default 0.1
        SGD's step size, a finite number > 0; ignored when optimizer is given.
    grad : {"backprop", "numerical"}, default "backprop"
        How each step's gradient is computed.
    seed : int or None, default None
        Seeds the batch order.
    optimizer : SGD or None, default None
        The optimizer (anything with ``lr`` and ``update(params, grads)``); None is
        ``SGD(lr=learning_rate)``.
    on_divergence : {"stop", "continue"}, default "stop"
        "stop" raises DivergenceError at the first log point after a non-finite loss;
        "continue" keeps going.
    log_every : int, default 50
        Steps between log points, where the losses come to the host and are checked.
    eval_chunk : int, default 10000
        Rows evaluated at a time, so an evaluation's memory stays bounded.
    step : str, default "auto"
        "auto" (the fastest correct path for the net's backend and device: xpnet.fast),
        "eager" (the Array API reference step, op by op), or a fast path's name ("jax-scan",
        "torch-graph", "cupy-fused", "cupy-graph").

    Attributes
    ----------
    history : History
        What the run has recorded so far.
    iteration : int
        Steps made.
    step_path, step_reason : str
        The name of the step in use, and why no faster one runs ("" when the fastest does).

    Raises
    ------
    ValueError
        An unknown grad or on_divergence, unusable data, batch_size, learning_rate, or a seed,
        log_every or eval_chunk below its least value.
    TypeError
        A learning_rate, seed, log_every, eval_chunk, optimizer or data of the wrong kind.
    FastPathUnavailable
        A fast path named by step that cannot be built for this net, backend or machine.

    Examples
    --------
    >>> import xpnet
    >>> (x, t), (x_test, t_test) = xpnet.load_mnist_sample()
    >>> trainer = xpnet.Trainer(xpnet.TwoLayerNet(784, 10, 10, seed=0), (x[:200], t[:200]),
    ...                         (x_test[:100], t_test[:100]), batch_size=50, seed=0,
    ...                         step="eager")
    >>> trainer.iters_per_epoch, trainer.step_path
    (4, 'eager')
    >>> history = trainer.run(5)
    >>> trainer.iteration, [record.iteration for record in history.epochs]
    (5, [1, 5])
    """

    def __init__(
        self,
        net,
        train_data,
        test_data,
        *,
        batch_size: int = 100,
        learning_rate: float = 0.1,
        grad: str = "backprop",
        seed: int | None = None,
        optimizer=None,
        on_divergence: str = "stop",
        log_every: int = 50,
        eval_chunk: int = 10_000,
        step: str = "auto",
    ) -> None:
        from ..check.trainable import refuse_grad, trainable
        from ..validate import check_training_data

        net = trainable(net)  # issue 23: a learner's book-style net gets xpnet's interface
        if grad not in GRADS:
            raise ValueError(f"grad must be one of {GRADS}; got {grad!r}")
        refuse_grad(net, grad)  # a learner's net without numerical_gradient: before any work
        if on_divergence not in ("stop", "continue"):
            raise ValueError(f"on_divergence must be 'stop' or 'continue'; got {on_divergence!r}")
        if optimizer is None:  # SGD's own check says lr=, not the name passed here
            _check_learning_rate(learning_rate)
        elif not (hasattr(optimizer, "lr") and callable(getattr(optimizer, "update", None))):
            raise TypeError(
                "Trainer: optimizer must have lr and update(params, grads), as xpnet.SGD has;"
                f" got {type(optimizer).__name__} {optimizer!r}; pass SGD(lr=0.1) or None"
            )
        seed = check_seed("Trainer", seed)  # before NumPy's SeedSequence says it its own way
        log_every = check_count("Trainer", "log_every", log_every, hint="the default is 50")
        eval_chunk = check_count("Trainer", "eval_chunk", eval_chunk, hint="the default is 10000")
        self.net = net
        self.num_classes, train_data, test_data = check_training_data(
            net, train_data, test_data, batch_size
        )  # the data's one host copy, checked
        self.x_train, self.t_train = self._to_device(train_data)
        self.x_test, self.t_test = self._to_device(test_data)
        self.train_size = int(self.x_train.shape[0])
        self.batch_size, self.grad, self.seed = int(batch_size), grad, seed
        self.optimizer = optimizer or SGD(lr=learning_rate)
        self.on_divergence, self.log_every, self.eval_chunk = on_divergence, log_every, eval_chunk
        self.iters_per_epoch = max(self.train_size // self.batch_size, 1)
        self._batches = Batches(
            net.backend, self.train_size, self.batch_size, self.iters_per_epoch, seed
        )
        self.iteration = 0
        self.history = History()
        with self.net.backend.activate():  # CuPy ignores device= here: enter the net's GPU
            self._losses = self.net.backend.xp.zeros(
                self.iters_per_epoch, dtype=self.net.dtype, device=self.net.backend.device
            )
        self._flushed = 0  # iterations whose loss is already in history.train_loss
        self._signals = StopSignals()
        self._warned = False
        from ..fast import choose

        with self.net.backend.activate():  # a fast path is built (compiled, captured) here
            self._fast, self.step_path, self.step_reason = choose(self, step)

    def _to_device(self, data) -> tuple[Array, Array]:
        """Move host (x, t), as check_training_data returns them, to the net's device once, in
        its dtype; labels become one-hot rows here, so that no step has to build them."""
        x, t = data  # host arrays already: no second copy of device data
        if t.ndim == 1:
            t = np.eye(self.num_classes)[t]
        backend = self.net.backend
        return backend.asarray(x, dtype=self.net.dtype), backend.asarray(t, dtype=self.net.dtype)

    # -- the loop --------------------------------------------------------------------------------

    def run(
        self,
        iters_num: int,
        *,
        callback: Callable[[EpochRecord], Any] | None = None,
        progress: bool | None = False,
    ) -> History:
        """Train until ``iters_num`` steps in all have been made (continuing a resumed run).

        The book's schedule evaluates after steps 1, E+1, 2E+1, ... (E = iters_per_epoch); when
        the last step was not one of them, the final model is evaluated too, so the last record
        of the History is always the model the run ends with.

        Parameters
        ----------
        iters_num : int
            Steps in all, counting those already made.
        callback : callable or None, default None
            Called with each evaluation's EpochRecord as it is made.
        progress : bool or None, default False
            Show a tqdm.auto bar; None: when stderr is a terminal or in a notebook.

        Returns
        -------
        History
            ``self.history``, with this run's steps and evaluations.

        Raises
        ------
        ValueError
            iters_num below the steps already made.
        TypeError
            iters_num not an integer, or a callback that cannot be called.
        DivergenceError
            A non-finite loss, with on_divergence "stop".
        TrainingInterrupted
            Ctrl-C or SIGTERM, at the end of a step.
        """
        iters_num = check_count("Trainer.run", "iters_num", iters_num, minimum=0)
        if iters_num < self.iteration:
            raise ValueError(f"iters_num={iters_num} is below the {self.iteration} steps done")
        if callback is not None and not callable(callback):
            raise TypeError(
                f"callback must be callable or None; got {type(callback).__name__} {callback!r};"
                " pass a function of one EpochRecord, such as print"
            )
        _check_params(self.net)  # once: a parameter replaced since the Trainer was made
        bar = progress_bar(
            total=iters_num,
            initial=self.iteration,
            disable=not (interactive() if progress is None else progress),
            unit="it",
            dynamic_ncols=True,
        )
        tick = time.perf_counter()
        backend = self.net.backend
        with bar, self._signals, backend.quiet_overflow(), backend.activate():
            while self.iteration < iters_num:
                start = self.iteration
                reached = self.run_steps(start, self._next_stop(start, iters_num))
                if (reached - 1) % self.iters_per_epoch == 0:  # the book evaluates after step
                    self._flush()  # 0, E, 2E, ... (the first step of each epoch)
                    record = self._evaluate(time.perf_counter() - tick)
                    tick = time.perf_counter()
                    if callback is not None:
                        callback(record)
                elif reached % self.log_every == 0 or reached % self.iters_per_epoch == 0:
                    self._flush()
                bar.update(reached - start)
                if self.iteration == self._flushed and self.history.train_loss:
                    bar.set_postfix(loss=f"{self.history.train_loss[-1]:.4f}", refresh=False)
                if self._stop:
                    self._flush()
                    raise TrainingInterrupted(
                        f"interrupted after {self.iteration} iterations", signum=self._stop
                    )
            self._flush()
            last = self.history.epochs[-1].iteration if self.history.epochs else 0
            if last != self.iteration:  # the final model, when the schedule did not just see it
                record = self._evaluate(time.perf_counter() - tick, final=True)
                if callback is not None:
                    callback(record)
            if self._stop:  # a stop during that evaluation: say so, as between two steps
                raise TrainingInterrupted(
                    f"interrupted after {self.iteration} iterations", signum=self._stop
                )
        return self.history

    def _next_stop(self, i: int, iters_num: int) -> int:
        return next_stop(i, iters_num, self.iters_per_epoch, self.log_every)

    @property
    def _stop(self) -> int | bool:
        """The stop signal run() received (its number), else False: the eager loop and the
        fast paths stop at the end of the step."""
        return self._signals.received

    def run_steps(self, i0: int, i1: int) -> int:
        """Steps i0..i1-1, inside one epoch, as one call where a fast path is built (else the
        eager step, one after another); returns the iteration reached and sets
        ``self.iteration`` to it: i1, or earlier where Ctrl-C or SIGTERM asked to stop (the
        eager step and the CUDA-graph paths stop at the end of the step, jax-scan at the end
        of its call). The losses stay in the device buffer until the next log point.

        Parameters
        ----------
        i0, i1 : int
            The first step and the step after the last, ``0 <= i0 < i1``, inside one epoch.

        Returns
        -------
        int
            The iteration reached.
        """
        E = self.iters_per_epoch
        if not (0 <= i0 < i1 and i0 // E == (i1 - 1) // E):
            raise ValueError(
                f"run_steps needs 0 <= i0 < i1 inside one epoch of {E} steps; got {i0}, {i1}"
            )
        with self.net.backend.activate():
            if self._fast is not None:
                self.iteration = self._fast.run(i0, i1)
                return self.iteration
            for i in range(i0, i1):
                self.step(i)
                self.iteration = i + 1
                if self._stop:
                    break
        return self.iteration

    def step(self, i: int) -> None:
        """The eager reference step i (xpnet.step.training_step, op by op): gather its batch,
        compute loss and gradients, update the parameters, keep the loss in the device buffer.
        With "backprop" it never makes the host wait: no value read back, no Python number
        made into a device array (tests/backends/test_syncs.py records both with PyTorch).
        Every fast path runs the same function, traced or captured.

        Parameters
        ----------
        i : int
            The step's index, from 0.
        """
        batches, j = self._epoch_batches(i)
        self._losses = training_step(
            self.net,
            self.x_train,
            self.t_train,
            batches[j, :],
            self.optimizer,
            self._losses,
            j,
            grad=self.grad,
        )

    def _batch(self, i: int) -> Array:
        """Row indices of step i's batch: drawn with replacement, one epoch's worth at a time."""
        batches, j = self._epoch_batches(i)
        return batches[j, :]

    def _epoch_batches(self, i: int) -> tuple[Array, int]:
        """(batches, j): the batch indices of step i's epoch, (iters_per_epoch, batch_size) on
        the device, drawn when the epoch begins; step i's batch is row j of them."""
        return self._batches.epoch(i)

    def _flush(self) -> None:
        """Bring the losses since the last flush to the host (one sync) and check them."""
        start, stop = self._flushed, self.iteration
        if stop == start:
            return
        offset = start - start % self.iters_per_epoch
        values = to_numpy(self._losses[start - offset : stop - offset]).astype(np.float64)
        self.history.train_loss.extend(values.tolist())
        self._flushed = stop
        if self.on_divergence == "stop":
            error = diverged(values, start, self.optimizer.lr, self.history)
            if error is not None:
                raise error

    def _evaluate(self, seconds: float, *, final: bool = False) -> EpochRecord:
        record = record_epoch(
            self.history,
            self.iteration,
            train_acc=self.accuracy(self.x_train, self.t_train),
            test_acc=self.accuracy(self.x_test, self.t_test),
            seconds=seconds,
            final=final,
        )
        self._warn_if_stuck()
        return record

    def accuracy(self, x: Array, t: Array) -> float:
        """Accuracy over a whole set, evaluated in chunks so memory stays bounded.

        Parameters
        ----------
        x, t : Array
            The set on the net's device: x (N, ...), t one-hot (N, C) or labels (N,).

        Returns
        -------
        float
            The fraction of rows classified right, in [0, 1].
        """
        return accuracy(self.net, x, t, self.eval_chunk)

    def _warn_if_stuck(self) -> None:
        if self._warned or len(self.history.train_loss) < self.iters_per_epoch:
            return
        window = self.history.train_loss[-self.iters_per_epoch :]
        warning = stuck(window, self.num_classes, self.optimizer.lr)
        if warning is not None:
            self._warned = True
            warnings.warn(warning, stacklevel=4)

    # -- resuming --------------------------------------------------------------------------------

    def state_dict(self) -> dict:
        """JSON-able state: the settings, the iteration count and the host RNG's state.

        Returns
        -------
        dict
            What :meth:`load_state_dict` takes to continue this run.
        """
        return {
            "iteration": self.iteration,
            "rng_state": self._batches.state(self.iteration),
            "batch_size": self.batch_size,
            "learning_rate": self.optimizer.lr,
            "grad": self.grad,
            "seed": self.seed,
            "on_divergence": self.on_divergence,
            "train_size": self.train_size,
        }

    def load_state_dict(self, state: dict, history: History) -> None:
        """Continue from a state_dict() (and the History saved with it).

        Parameters
        ----------
        state : dict
            A :meth:`state_dict` of a Trainer on the same data and batch_size.
        history : History
            The History saved with it.

        Raises
        ------
        ValueError
            The state was trained on another number of images or another batch_size.
        """
        if state["train_size"] != self.train_size or state["batch_size"] != self.batch_size:
            raise ValueError(
                f"the checkpoint was trained on {state['train_size']} images with batch_size "
                f"{state['batch_size']}; this run has {self.train_size} and {self.batch_size}"
            )
        self._batches.load(state["rng_state"])
        self.iteration = self._flushed = int(state["iteration"])
        self.history = history
        while history.epochs and (history.epochs[-1].iteration - 1) % self.iters_per_epoch:
            history.epochs.pop()  # the final model's evaluation: off the book's schedule


def _check_params(net) -> None:
    """The parameters of a net with a backend are arrays of its library (xpnet.nets)."""
    backend = getattr(net, "backend", None)
    if backend is not None and isinstance(getattr(net, "params", None), dict):
        from ..nets import check_params

        check_params(net.params, backend)


def _check_learning_rate(value: Any) -> None:
    """Raise unless value is a finite number > 0, naming learning_rate (--lr on the command
    line); a string or a bool is a TypeError, not a failed comparison."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise XpnetTypeError(
            "{arg} must be a finite number > 0; got {kind} {got}: pass a number, such as the"
            " book's {book}",
            arg=Arg("learning_rate"),
            kind=type(value).__name__,
            got=repr(value),
            book=Use("learning_rate", 0.1),
        )
    if not (math.isfinite(value) and value > 0):
        raise XpnetValueError(
            "{arg} must be a finite number > 0; got {got}: pass one such as the book's {book}",
            arg=Arg("learning_rate"),
            got=repr(value),
            book=Use("learning_rate", 0.1),
        )
