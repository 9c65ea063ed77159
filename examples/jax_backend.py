"""xpnet on JAX: the book's network, JAX's autodiff as a third opinion, and a compiled step.

Not a section of the book: what changes when the arrays are JAX's, which cannot be written in
place. Prints, for a TwoLayerNet(784, 50, 10) on JAX and the same seed on NumPy:
  1. the gradient three ways on 3 images of the bundled sample: xpnet's backprop, jax.grad
     through xpnet's own layers (net.loss of a copy whose params are JAX's tracers), and the
     numerical gradient (a float64 copy of the net; on JAX it is perturbed by copies);
  2. training, --iters steps on the 4000-image sample: the Trainer compiles its steps on JAX
     (step "jax-scan" of xpnet.fast: the steps between two log points as one lax.scan in one
     jax.jit, each step batch, loss, gradients and the SGD update), and the run equals
     NumPy's from the same seed, step by step.
float64 needs JAX's jax_enable_x64: xpnet turns it on (a notice says so). Where JAX is not
installed or cannot reach --device, it says so in one line and stops. Draws no figure.

    python examples/jax_backend.py --device cpu      # or cuda, with a CUDA build of JAX
"""

from __future__ import annotations

import numpy as np

import xpnet
from xpnet.backends import DeviceUnavailableError, to_numpy
from xpnet.cli import example_parser, notices
from xpnet.cli.argparsing import positive_int, seed
from xpnet.train import Trainer


def parse_args(argv):
    parser = example_parser(__doc__)
    parser.add_argument(
        "--iters", type=positive_int, default=200, help="training steps (default: 200)"
    )
    parser.add_argument("--seed", type=seed, default=0)
    parser.set_defaults(backend="jax")
    return parser.parse_args(argv)


def gradients_three_ways(net, x, t) -> None:
    import jax

    def loss_of(params):  # pure: the layers read a copy's params, here JAX's tracers
        twin = net.copy()
        twin.params.update(params)
        return twin.loss(x, t)

    backprop = net.gradient(x, t)
    autodiff = jax.grad(loss_of)(dict(net.params))
    numerical = net.numerical_gradient(x, t)
    print("gradients on 3 images: max |backprop - jax.grad|, max |backprop - numerical|")
    for key in net.params:
        to_autodiff = np.max(np.abs(to_numpy(backprop[key]) - to_numpy(autodiff[key])))
        to_numerical = np.max(np.abs(to_numpy(backprop[key]) - to_numpy(numerical[key])))
        print(f"  {key:<3} {to_autodiff:.1e}  {to_numerical:.1e}")


def train(backend, data, args) -> tuple[dict, list[float]]:
    net = xpnet.TwoLayerNet(784, 50, 10, xp=backend.xp, device=backend.device, seed=args.seed)
    trainer = Trainer(net, *data, seed=args.seed)
    history = trainer.run(args.iters)
    kind = "compiled (jax.jit)" if trainer.step_path == "jax-scan" else "eager"
    print(f"  {backend.name:<6} {kind:<19} final loss {history.train_loss[-1]:.6f}")
    return {key: to_numpy(value) for key, value in net.params.items()}, history.train_loss


def main(argv=None) -> None:
    args = parse_args(argv)
    try:
        with notices():  # JAX's float64 notice as one line
            backend = xpnet.get_backend(args.device, backend=args.backend)
    except DeviceUnavailableError as error:  # no JAX, or no GPU that JAX sees
        print(f"{args.backend}: skipped ({error})")
        return
    print(backend.describe())
    data = xpnet.load_mnist_sample(normalize=True, flatten=True, one_hot_label=False)
    (x_train, t_train), _ = data
    net = xpnet.TwoLayerNet(784, 50, 10, xp=backend.xp, device=backend.device, seed=args.seed)
    gradients_three_ways(net, backend.asarray(x_train[:3]), backend.asarray(t_train[:3]))

    print(f"training, {args.iters} steps of 100 images, float64, seed {args.seed}:")
    params, losses = train(backend, data, args)
    numpy_params, numpy_losses = train(xpnet.get_backend("cpu"), data, args)
    difference = max(np.max(np.abs(params[key] - numpy_params[key])) for key in params)
    print(f"  max |params - NumPy's| = {difference:.1e}")
    print(f"  max |loss - NumPy's|   = {np.max(np.abs(np.subtract(losses, numpy_losses))):.1e}")


if __name__ == "__main__":
    main()
