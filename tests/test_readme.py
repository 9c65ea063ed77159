"""Everything the README shows still runs, and says what the README says.

- the two set-up commands come first, exactly as they always read; the README stays <= 10 KB;
- every ```python block runs as a script of its own (saved to a file, run with ``python FILE``:
  a Dask block without ``if __name__ == "__main__":`` would die there, as it does for a user),
  offline, in an empty folder; a block that imports PyTorch or Dask runs in that library's
  session, the others in the numpy session;
- the tour runs with only what command 1 installs (PyTorch, JAX, Dask, array-api-strict and
  CuPy made unimportable);
- a line whose comment shows a value (``# array([6., 8.])``, ``# tensor(...)``,
  ``# History(...)``, ``# TwoLayerNet(...)``) is checked against the value's repr (its str when
  the line prints it), "..." standing for anything;
- every command and flag the README names exists in xpnet's parser, every extra in
  pyproject.toml, and the run it shows prints the lines it shows.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
TEXT = README.read_text(encoding="utf-8")
SHOWN = re.compile(r"^(?P<expr>\S.*?)\s+# (?P<shown>(array|tensor|History|TwoLayerNet)\(.*)$")
SET_UP = [
    'python3 -m venv .venv && . .venv/bin/activate && pip install ".[plot]" && xpnet train',
    "python3 -m venv .venv && . .venv/bin/activate && pip install nox && "
    'PIP_CONSTRAINT="$PWD/.ci/constraints.txt" nox',
]
NOT_IN_COMMAND_1 = ("torch", "jax", "dask", "distributed", "array_api_strict", "cupy")


def blocks(language: str, text: str = TEXT) -> list[str]:
    """The fenced blocks of that language ("" for plain ``` fences), in order."""
    found, current, opened = [], [], None
    for line in text.splitlines():
        if line.startswith("```"):
            if opened is None:
                opened, current = line[3:].strip(), []
            else:
                if opened == language:
                    found.append("\n".join(current) + "\n")
                opened = None
        elif opened is not None:
            current.append(line)
    return found


def tour() -> list[str]:
    """The tour's blocks that need nothing but command 1 (the others say what to install)."""
    section = TEXT.split("## A tour", 1)[1].split("\n## ", 1)[0]
    return [block for block in blocks("python", section) if not needs(block)]


def needs(block: str) -> list[str]:
    """The libraries beyond command 1's that a block imports."""
    imported = re.findall(r"^\s*(?:import|from) (\w+)", block, flags=re.MULTILINE)
    return sorted({name for name in imported if name in NOT_IN_COMMAND_1})


def checked(block: str) -> str:
    """The block, each line that shows a value in its comment turned into a check of it."""
    lines = []
    for line in block.splitlines():
        match = SHOWN.match(line)
        if match:
            expr, kind = match["expr"], "repr"
            printed = re.fullmatch(r"print\((.*)\)", expr)
            if printed:
                expr, kind = printed.group(1), "str"
            line = f"_shows({expr}, {match['shown']!r}, {kind})"
        lines.append(line)
    return "\n".join(lines)


PRELUDE = textwrap.dedent(
    """
    import re as _re
    def _shows(value, shown, kind):
        text = kind(value)
        pattern = ".*".join(_re.escape(part) for part in shown.split("..."))
        assert _re.fullmatch(pattern, text), f"README shows {shown}, the code gives {text}"
        print(text)
    """
)


def run_script(block: str, folder: Path, *, block_imports: tuple[str, ...] = ()) -> str:
    """Run the block as ``python script.py`` in folder, offline; returns its stdout."""
    guard = ""
    if block_imports:  # as if not installed: `import torch` raises ImportError
        guard = f"import sys\nfor _name in {block_imports!r}:\n    sys.modules[_name] = None\n"
    program = guard + PRELUDE + checked(block)
    script = folder / "snippet.py"
    script.write_text(program, encoding="utf-8")
    env = dict(
        os.environ,
        XPNET_MNIST_MIRRORS="http://127.0.0.1:1/",
        XPNET_DATA_DIR=str(folder / "data"),
        CUDA_VISIBLE_DEVICES="",
        OMP_NUM_THREADS="1",
        OPENBLAS_NUM_THREADS="1",
    )
    result = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        env=env,
        cwd=folder,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def _session_runs(libraries: list[str]) -> bool:
    session = os.environ.get("XPNET_BACKEND", "")
    if not libraries:
        return session in ("", "numpy")
    return not session or session in libraries


ONCE = pytest.mark.skipif(
    not _session_runs([]), reason="the README's text does not depend on the backend"
)
SNIPPETS = blocks("python")


def test_the_set_up_commands_come_first_as_ever():
    first = blocks("bash")[0]
    assert TEXT.index("```bash") < TEXT.index("\n## ")
    commands = [line for line in first.splitlines() if line and not line.startswith("#")]
    assert commands == SET_UP


def test_the_readme_is_at_most_10_kb():
    assert len(README.read_bytes()) <= 10_240


def test_the_tour_has_the_book_and_the_network():
    blocks_ = tour()
    assert blocks_ and "xpnet.train(" in blocks_[0] and needs(blocks_[0]) == []


def test_a_link_to_a_generated_page_says_that_nox_builds_it():
    """docs/cli.md and docs/troubleshooting.md are placeholders that include a git-ignored
    generated file: a reader who follows the link on GitHub must know why it is empty."""
    for paragraph in re.split(r"\n\s*\n|\n(?=- )", TEXT):
        for page in re.findall(r"\]\((docs/[\w/]+\.md)\)", paragraph):
            text = (ROOT / page).read_text(encoding="utf-8")
            text = re.sub(r"<!--.*?-->|```\{include\} generated/\S+\n```", "", text, flags=re.S)
            if not text.strip():  # nothing but the include of a generated file
                assert "`nox -s docs`" in paragraph and "placeholder" in paragraph, page


def test_every_docs_example_that_starts_dask_workers_has_the_main_guard():
    """Dask's workers are processes that import the script again: a block that starts a
    LocalCluster dies as a script without the guard (docs/backends.md's did)."""
    for page in sorted((ROOT / "docs").glob("*.md")):
        for block in blocks("python", page.read_text(encoding="utf-8")):
            if "LocalCluster(" in block:
                assert 'if __name__ == "__main__":' in block, page.name


@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(SNIPPETS)), ids=lambda i: f"snippet{i + 1}")
def test_every_snippet_runs_as_a_script(index, tmp_path):
    block = SNIPPETS[index]
    libraries = needs(block)
    if not _session_runs(libraries):
        pytest.skip(f"runs in the session of {', '.join(libraries) or 'numpy'}")
    for name in libraries:
        pytest.importorskip(name)
    out = run_script(block, tmp_path)
    if "gradient_check" in block:
        assert "W1" in out  # the report printed
    if "callback=print" in block:
        assert "epoch 1 (iteration 1): loss" in out


@pytest.mark.slow
@ONCE
def test_the_tour_runs_with_only_command_ones_packages(tmp_path):
    out = run_script("\n".join(tour()), tmp_path, block_imports=NOT_IN_COMMAND_1)
    assert "History(2000 steps" in out


def _parser_commands():
    import argparse

    from xpnet.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return parser, sub.choices


@ONCE
def test_every_command_and_flag_shown_exists():
    _, commands = _parser_commands()
    shown = [line for block in blocks("") for line in block.splitlines()]
    shown += [line for block in blocks("bash") for line in block.splitlines()]
    seen = 0
    for line in shown:
        match = re.match(r"^(?:\$ )?xpnet (\w+)(.*)$", line.strip())
        if not match:
            continue
        name, rest = match.groups()
        assert name in commands, f"README names xpnet {name}: no such command"
        options = {o for a in commands[name]._actions for o in a.option_strings}
        for flag in re.findall(r"--[a-z][a-z-]*", rest.split("#")[0] + " " + rest):
            assert flag in options, f"README names xpnet {name} {flag}: no such flag"
        seen += 1
    assert seen >= 7


@ONCE
def test_every_extra_shown_exists():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    for extra in re.findall(r'"\.\[(\w+)\]"', TEXT):
        assert re.search(rf"^{extra} = \[", pyproject, flags=re.MULTILINE), extra


@pytest.mark.slow
@ONCE
def assert_close(got, shown, line):
    """Figures of float32 training, printed to 3-4 decimals: equal here, and within a few
    units of the third decimal where another CPU's BLAS rounds differently."""
    assert len(got) == len(shown), line
    for a, b in zip(got, shown, strict=True):
        assert abs(float(a) - float(b)) <= 0.002, f"{line}: {a} printed"


def test_the_run_shown_prints_what_it_shows(tmp_path):
    block = next(b for b in blocks("") if b.startswith("$ xpnet train"))
    command, *shown = block.splitlines()
    args = [*command.split()[3:], "--no-plot", "--out", "run"]
    result = subprocess.run(
        [sys.executable, "-m", "xpnet", "train", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "XPNET_MNIST_MIRRORS": "http://127.0.0.1:1/"},
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    printed = result.stdout.splitlines()
    assert printed[:4] == shown[:4]  # header, data, schedule, columns
    rows = {line.split()[0]: line.split()[:-1] for line in printed[4:-1]}
    for line in shown[4:-1]:
        if line != "...":  # each row shown is printed with its figures; the seconds vary
            epoch, iteration, *figures = line.split()[:-1]
            got = rows.get(epoch)
            assert got is not None and got[1] == iteration, line
            assert_close(got[2:], figures, line)
    timing = re.compile(r" in [\d.]+ s; (.*); files in ")  # the time and the folder vary
    said, done = (timing.search(text).group(1) for text in (printed[-1], shown[-1]))
    number = re.compile(r"\d+\.\d+")
    assert number.sub("#", said) == number.sub("#", done), printed[-1]
    assert_close(number.findall(said), number.findall(done), printed[-1])
    assert printed[-1].startswith("done: 2000 iterations in ")
    assert shown[-1].startswith("done: 2000 iterations in ")
