"""Execute every notebook of this folder in a real Jupyter kernel (nbclient), as `nox -s
notebooks` does: each jupytext percent file becomes a notebook, runs top to bottom in a fresh
kernel in a temporary folder, and fails on an error or on any stderr output that warns (such as
tqdm's "IProgress not found"). Prints each notebook's time.

    python notebooks/run.py [NOTEBOOK.py ...] [--out DIR]   # DIR: keep the executed .ipynb files
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import jupytext
import nbclient

HERE = Path(__file__).resolve().parent
WARNING_WORDS = ("Warning", "warning:", "IProgress")


def warnings_in(notebook) -> list[str]:
    """The stderr text of each cell that warns."""
    found = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("name") == "stderr":
                text = output.get("text", "")
                if any(word in text for word in WARNING_WORDS):
                    found.append(text.strip()[:500])
    return found


def execute(path: Path, folder: Path):
    """Run the notebook in a fresh python3 kernel whose working folder is ``folder``; the kernel
    talks over Unix sockets in that folder (IPC), not over TCP."""
    from jupyter_client.manager import KernelManager

    notebook = jupytext.read(path)
    kernel = KernelManager(kernel_name="python3", transport="ipc", ip=str(folder / "kernel"))
    client = nbclient.NotebookClient(
        notebook, km=kernel, timeout=600, resources={"metadata": {"path": str(folder)}}
    )
    try:
        client.execute()
    finally:
        if kernel.has_kernel and kernel.is_alive():
            kernel.shutdown_kernel(now=True)
    return notebook


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, help="keep the executed notebooks here")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(p for p in HERE.glob("ch*.py"))
    failed = 0
    for path in paths:
        start = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="xpnet-notebook-") as folder:
            try:
                notebook = execute(path, Path(folder))
            except nbclient.exceptions.CellExecutionError as error:
                print(f"FAILED {path.name}: {str(error)[-2000:]}", file=sys.stderr)
                failed += 1
                continue
        problems = warnings_in(notebook)
        seconds = time.perf_counter() - start
        if problems:
            print(f"FAILED {path.name}: a cell warned:\n" + "\n".join(problems), file=sys.stderr)
            failed += 1
        else:
            print(f"ok {path.name} ({seconds:.1f} s)")
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            jupytext.write(notebook, args.out / f"{path.stem}.ipynb")
    print(f"{len(paths) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
