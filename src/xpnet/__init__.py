"""xpnet: Deep Learning from Scratch, chapters 4-5, on any Python Array API backend."""

from .backends import Backend, get_backend
from .check import GradientCheck, NetworkCheck, check_network, gradient_check
from .checkpoint import load_checkpoint, save_checkpoint
from .datasets import load_mnist, load_mnist_sample
from .evaluation import Evaluation, evaluate
from .functions import (
    cross_entropy_error,
    identity_function,
    one_hot,
    relu,
    sigmoid,
    sigmoid_grad,
    softmax,
    step_function,
    sum_squared_error,
)
from .gradient import (
    gradient_descent,
    numerical_diff,
    numerical_gradient,
    numerical_gradient_rows,
)
from .nets import SimpleNet, TwoLayerNet
from .optim import SGD
from .threads import use_threads
from .train import History, Trainer, train

__version__ = "0.1.0"

__all__ = [
    "SGD",
    "Backend",
    "Evaluation",
    "GradientCheck",
    "History",
    "NetworkCheck",
    "SimpleNet",
    "Trainer",
    "TwoLayerNet",
    "check_network",
    "cross_entropy_error",
    "evaluate",
    "get_backend",
    "gradient_check",
    "gradient_descent",
    "identity_function",
    "load_checkpoint",
    "load_mnist",
    "load_mnist_sample",
    "numerical_diff",
    "numerical_gradient",
    "numerical_gradient_rows",
    "one_hot",
    "relu",
    "save_checkpoint",
    "sigmoid",
    "sigmoid_grad",
    "softmax",
    "step_function",
    "sum_squared_error",
    "train",
    "use_threads",
]
