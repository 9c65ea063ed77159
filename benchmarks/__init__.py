"""xpnet's benchmarks: named suites, one runner that writes their JSON, one renderer.

How to read it: ``__main__`` is the command line (``python -m benchmarks run|measure|render``);
``runner`` runs a suite (threads set before NumPy loads) and writes its JSON; ``suites/`` holds
one module per suite, each ``add_arguments`` and ``run``. What the suites share is written once:
``measure`` (clocks, interleaved rounds, medians, paired ratios, RSS), ``machine`` (where the
figures were taken), ``gpu`` (CUDA-graph capture, CuPy's pool), ``contestants`` (xpnet as a
contestant and the workloads), ``textbook`` and ``torch_peers`` (the peers), ``bound`` (the
matmuls alone), ``targets`` (the targets, as data). ``render/`` turns JSON into Markdown.
``results/`` holds the committed JSON that BENCHMARKS.md is rendered from.
"""
