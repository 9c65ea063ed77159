"""The progress bar of a training run: tqdm's, in the form that suits where it is watched.

:func:`interactive` says whether anyone watches (a terminal, or a Jupyter kernel);
:func:`progress_bar` makes the bar, a widget in a notebook where ipywidgets is installed,
else tqdm's text bar.
"""

from __future__ import annotations

import sys

__all__ = ["interactive", "progress_bar"]


def interactive() -> bool:
    """Whether a progress bar has someone to watch it: a terminal, or a Jupyter kernel."""
    return sys.stderr.isatty() or "ipykernel" in sys.modules


def progress_bar(**options):
    """A tqdm bar: in a Jupyter kernel its widget where ipywidgets is installed, else its text
    bar, never tqdm.auto's "IProgress not found" warning. In a notebook the bar stays when the
    run ends (a saved notebook keeps it); in a terminal it goes, the lines printed stay."""
    import importlib.util

    notebook = "ipykernel" in sys.modules
    if notebook and importlib.util.find_spec("ipywidgets") is not None:
        from tqdm.notebook import tqdm
    else:
        from tqdm.std import tqdm
    return tqdm(leave=notebook, **options)
