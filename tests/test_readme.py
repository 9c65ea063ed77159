"""The README's tour runs verbatim on an offline CPU machine, and prints what its comments say.

Each ```python block of the section "A tour" is run, in order, in one fresh interpreter with no
network (the MNIST mirrors point at a closed port) and an empty data folder. A line whose comment
shows an array (``# array([6., 8.])``, ``# tensor(...)``) is checked against the value's repr.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
SHOWN = re.compile(r"^(?P<expr>\S.*?)\s+# (?P<repr>(array|tensor)\(.*\))\s*$")


def tour_blocks() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## A tour", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)


def checked(block: str) -> str:
    """The block, each line that shows a repr in its comment turned into a check of it."""
    lines = []
    for line in block.splitlines():
        match = SHOWN.match(line)
        if match:
            line = f"_shows({match['expr']}, {match['repr']!r})"
        lines.append(line)
    return "\n".join(lines)


def test_the_tour_has_both_blocks():
    blocks = tour_blocks()
    assert len(blocks) == 2 and "xpnet.train(" in blocks[1]


@pytest.mark.slow
def test_the_tour_runs_verbatim_offline_on_a_cpu(tmp_path):
    pytest.importorskip("torch")  # the tour's first block uses PyTorch (the torch session)
    program = textwrap.dedent(
        """
        def _shows(value, expected):
            assert repr(value) == expected, f"README shows {expected}, the code gives {value!r}"
        """
    ) + "\n".join(checked(block) for block in tour_blocks())
    env = dict(
        os.environ,
        XPNET_MNIST_MIRRORS="http://127.0.0.1:1/",
        XPNET_DATA_DIR=str(tmp_path / "data"),
        CUDA_VISIBLE_DEVICES="",
        OMP_NUM_THREADS="1",
        OPENBLAS_NUM_THREADS="1",
    )
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, env=env, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "gradient check" in result.stdout.lower() or "W1" in result.stdout
