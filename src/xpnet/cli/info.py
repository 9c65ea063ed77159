"""`xpnet download mnist` and `xpnet info`: the data, and what this machine has."""

from __future__ import annotations

import sys

from .. import __version__
from .words import Exit, for_the_command_line


def download_command(args) -> int:
    """``xpnet download mnist``: download MNIST, verify it and cache it.

    Parameters
    ----------
    args : argparse.Namespace
        ``args.data_dir``: where to keep it (None: xpnet's cache).

    Returns
    -------
    int
        Exit.OK; a download that fails raises DatasetError, for ``main`` to say in one line.
    """
    from ..datasets import DatasetError, download_mnist
    from ..errors import Do

    try:
        path = download_mnist(args.data_dir, progress=sys.stderr.isatty())
    except DatasetError as error:
        if "sample" not in error.fields:
            raise
        fields = {**error.fields, "sample": Do("train_on_sample")}  # this command has no --dataset
        raise DatasetError(error.template, **fields) from None
    print(f"MNIST is verified and cached in {path}")
    return Exit.OK


def info_command(args=None) -> int:
    """``xpnet info``: print the versions, the backends and GPUs, and the data found here.

    Parameters
    ----------
    args : argparse.Namespace, optional
        Unused (the command takes no flags).

    Returns
    -------
    int
        Exit.OK.
    """
    import platform

    import array_api_compat
    import numpy

    from ..backends import available
    from ..datasets import DatasetError, mnist_available
    from ..datasets.common import data_folder
    from ..datasets.mnist import mnist_problem

    print(f"xpnet {__version__} on Python {platform.python_version()} ({platform.platform()})")
    print(f"numpy {numpy.__version__}, array-api-compat {array_api_compat.__version__}")
    rows = available()
    for row in rows:
        state = row["version"] if row["installed"] else "not installed"
        if row.get("error"):
            state = f"broken: {row['error']}"
        gpus = f"; GPUs: {', '.join(row['gpus'])}" if row["gpus"] else ""
        problem = f"; {row['problem']}" if row.get("problem") else ""
        print(f"  {row['backend']:<17} {state}{gpus}{problem}")
    for row in rows:
        if row.get("warning"):
            print(f"warning: {row['warning']}")
    try:
        where = data_folder()
    except DatasetError as error:  # a file, or another user's folder: say so, not "not downloaded"
        print(f"data: {for_the_command_line(error)} (the 5,000-image sample is bundled)")
        return Exit.OK
    problem = None if (cached := mnist_available()) else mnist_problem()
    state = "cached" if cached else "not downloaded"
    if problem:  # files there that cannot be used: not "not downloaded"
        state = f"damaged: {problem}; `xpnet download mnist` replaces it"
    print(f"data: {where} (full MNIST {state}; the 5,000-image sample is bundled)")
    return Exit.OK
