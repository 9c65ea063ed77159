"""Training the two-layer network by mini-batch SGD: the book's sections 4.5 and 5.7.4.

Runs the book's train_neuralnet.py twice on the chosen backend: the chapter-4 network (sigmoid,
learning rate 0.1) and the chapter-5 network (ReLU, learning rate 0.1), both 784-50-10 with batch
size 100 and the same seed. The book trains 10000 steps on the 60000 MNIST images; by default this
runs --iters 2000 each on the bundled 4000-image sample (one epoch = 40 steps), or on MNIST with
--dataset mnist (downloaded once). Prints, like the book, after the first step and then every
epoch: "train acc, test acc | 0.0993, 0.1032", with the mean loss since the previous line.
Draws, per network, train and test accuracy per epoch (the book's Figure 4-12) and the loss at
every step (Figure 4-11): ch4_sigmoid_accuracy.png, ch4_sigmoid_loss.png, ch5_relu_*.png in --out.

    python examples/train_two_layer_net.py --device cpu --out out/examples [--dataset mnist]
"""

from __future__ import annotations

import time
from pathlib import Path

import xpnet
from xpnet.cli import example_parser, parse_backend
from xpnet.cli.argparsing import positive_float, positive_int, seed
from xpnet.plot import plot_accuracy, plot_loss


def parse_args(argv):
    parser = example_parser(__doc__)
    parser.add_argument("--dataset", choices=("sample", "mnist"), default="sample")
    parser.add_argument(
        "--iters", type=positive_int, default=2000, help="steps per network (default 2000)"
    )
    parser.add_argument("--batch-size", type=positive_int, default=100)
    parser.add_argument(
        "--lr", type=positive_float, default=0.1, help="learning rate (default: 0.1)"
    )
    parser.add_argument("--dtype", choices=("float64", "float32"), default="float64")
    parser.add_argument("--seed", type=seed, default=0, help="seed of weights and batches")
    return parse_backend(parser, argv)


def print_epoch(record) -> None:
    print(
        f"  epoch {record.epoch:3d}  iter {record.iteration:5d}  loss {record.loss:.4f}"
        f"  train acc, test acc | {record.train_acc:.4f}, {record.test_acc:.4f}"
    )


def main(argv=None) -> None:
    args = parse_args(argv)
    backend = args.backend
    print(f"# {backend.describe()}, {args.dtype}")

    load = xpnet.load_mnist if args.dataset == "mnist" else xpnet.load_mnist_sample
    try:
        train_data, test_data = load(normalize=True, flatten=True, one_hot_label=False)
    except xpnet.datasets.DatasetError as error:  # offline, no mirror: say what to do, exit 1
        raise SystemExit(f"error: {error}") from None
    print(
        f"{args.dataset}: {train_data[0].shape[0]} training and {test_data[0].shape[0]} test"
        f" images; {args.iters} steps of batch {args.batch_size}, learning rate {args.lr:g}"
    )

    for activation, chapter in (("sigmoid", 4), ("relu", 5)):
        name = f"ch{chapter}_{activation}"
        print(f"\n{name}: TwoLayerNet(784, 50, 10, activation={activation!r})")
        net = xpnet.TwoLayerNet(
            784,
            50,
            10,
            activation=activation,
            xp=backend.xp,
            device=backend.device,
            dtype=args.dtype,
            seed=args.seed,
        )
        start = time.perf_counter()
        history = xpnet.train(
            net,
            train_data,
            test_data,
            iters_num=args.iters,
            batch_size=args.batch_size,
            learning_rate=args.lr,
            seed=args.seed,
            callback=print_epoch,
        )
        last = history.epochs[-1]
        print(
            f"{name}: {time.perf_counter() - start:.1f} s; last epoch: train acc"
            f" {last.train_acc:.4f}, test acc {last.test_acc:.4f}"
        )
        title = f"chapter {chapter}, {activation}, {args.dataset}"
        for plot, kind in ((plot_accuracy, "accuracy"), (plot_loss, "loss")):
            path = plot(history, Path(args.out) / f"{name}_{kind}.png", title=title)
            print(f"wrote {path}")


if __name__ == "__main__":
    main()
