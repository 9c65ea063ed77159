"""The parts of the training loop, one idea a module: the Trainer (``trainer``), the batch
schedule (``schedule``), the per-epoch records (``epochs``), divergence (``divergence``), stop
signals (``stopsignals``) and the progress bar (``progress``).

The public names are imported from :mod:`xpnet.train` (and from :mod:`xpnet`); the step itself
is :mod:`xpnet.step`.
"""
