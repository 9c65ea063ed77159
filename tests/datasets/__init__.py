"""Tests of xpnet.datasets: MNIST download, verification and cache, the bundled sample."""
