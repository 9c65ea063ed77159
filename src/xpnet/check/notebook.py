"""A Jupyter notebook as ``xpnet check`` imports it: its code cells, in order, in one module.

Learners write their TwoLayerNet in a notebook as often as in a file. :func:`code_cells` reads
the notebook's JSON (nbformat 4; data, never unpickled or trusted beyond its text) and turns each
code cell into Python as ``jupyter nbconvert --to script`` does: a line magic (``%matplotlib
inline``) or shell line (``!pip install ...``) becomes a ``get_ipython()`` call, which
:mod:`xpnet.check.importing` answers with a stand-in that does nothing and counts it; a cell magic
runs its body where IPython would (``%%time``, ``%%capture``) and is skipped otherwise
(``%%bash``, ``%%writefile``). :class:`NotebookLoader` runs the cells one after the other in the
module's namespace, as the kernel would by Run All, each compiled under its own name
(``two_layer_net.ipynb [cell 4]``) and kept in :mod:`linecache`, so that tracebacks, ``inspect``
and xpnet's messages name the cell and its line. A cell that raises does not stop the cells after
it, as a learner running them one by one goes on, nor does an ImportError (a library not
installed here, a file of the book's left out of the repository: the cells after it may not need
it). The first error is raised at the end, with ``xpnet_cells_raised``, every cell's that raised;
the first ImportError where there is one, whose fix is said where nothing got defined.
"""

from __future__ import annotations

import ast
import builtins
import dis
import importlib.abc
import json
import linecache
import re
import traceback
from pathlib import Path

__all__ = [
    "NotebookError",
    "NotebookLoader",
    "cell_name",
    "code_cells",
    "is_notebook",
    "needs_failed_import",
    "script",
]

SUFFIX = ".ipynb"
BODY_MAGICS = {"time", "timeit", "capture", "prun"}  # cell magics whose body IPython runs
_LINE_MAGIC = re.compile(r"^(\s*)(?:(\w[\w, ]*?)\s*=\s*)?([%!]{1,2})\s*(\S*)(.*)$")


class NotebookError(ValueError):
    """The file is no Jupyter notebook that xpnet can read (not JSON, or no cells)."""


def is_notebook(path: Path) -> bool:
    return path.suffix == SUFFIX


def cell_name(path: Path, number: int) -> str:
    """The name cell ``number`` (1-based, among all the notebook's cells) is compiled under."""
    return f"{path} [cell {number}]"


def code_cells(path: Path) -> list[tuple[int, str]]:
    """(number, Python) of each code cell of the notebook at path, magics made calls.

    Raises NotebookError, naming the file and what is wrong, for a file that is not a
    notebook."""
    try:
        notebook = json.loads(path.read_text(encoding="utf-8", errors="replace"))
    except json.JSONDecodeError as error:
        raise NotebookError(
            f"{path.name} is not a Jupyter notebook: its JSON breaks at line {error.lineno}"
            f" ({error.msg})"
        ) from None
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        old = isinstance(notebook, dict) and "worksheets" in notebook
        raise NotebookError(
            f"{path.name} is not a Jupyter notebook of format 4 (it has no cells"
            + (
                ": an old format 3; upgrade it with jupyter nbconvert --to notebook"
                f" --inplace {path.name})"
                if old
                else ")"
            )
        )
    found = []
    for number, cell in enumerate(cells, start=1):
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = cell.get("source", "")
            text = "".join(source) if isinstance(source, list) else str(source)
            found.append((number, _python(text)))
    return found


def script(path: Path) -> str:
    """The notebook's code cells as one script (for reading its imports, not for running)."""
    return "\n".join(text for _, text in code_cells(path)) + "\n"


def _python(cell: str) -> str:
    """A code cell as Python: magics and shell lines made get_ipython() calls, as nbconvert."""
    lines = cell.splitlines()
    if lines and lines[0].startswith("%%"):
        name, _, args = lines[0][2:].strip().partition(" ")
        body = "\n".join(lines[1:])
        if name in BODY_MAGICS:
            return "\n" + body  # the body keeps its line numbers
        return f"get_ipython().run_cell_magic({name!r}, {args!r}, {body!r})"
    return "\n".join(_line(line) for line in lines)


def _line(line: str) -> str:
    match = _LINE_MAGIC.match(line)
    if not match or line.lstrip().startswith(("%=", "!=")):
        return line
    indent, target, sign, name, rest = match.groups()
    if sign == "%":
        call = f"get_ipython().run_line_magic({name!r}, {rest.strip()!r})"
    elif sign in ("!", "!!"):
        command = (name + rest).strip()
        call = f"get_ipython().{'getoutput' if target else 'system'}({command!r})"
    else:  # %% in the middle of a cell is no magic
        return line
    return f"{indent}{target} = {call}" if target else f"{indent}{call}"


class NotebookLoader(importlib.abc.Loader):
    """Runs a notebook's code cells in order in the module's namespace (see the module's text)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def create_module(self, spec):
        return None

    def exec_module(self, module) -> None:
        module.__dict__.setdefault("display", _display)  # IPython's, a builtin in a kernel
        raised = []
        for number, text in code_cells(self.path):
            name = cell_name(self.path, number)
            lines = text.splitlines(keepends=True)
            linecache.cache[name] = (len(text), None, lines, name)  # tracebacks and inspect
            try:
                exec(compile(text, name, "exec"), module.__dict__)
            except Exception as error:  # a learner runs the next cell all the same
                raised.append((number, error))
            except BaseException as stopped:  # the time limit: the cells that raised before it
                stopped.xpnet_cells_raised = tuple(raised)
                raise
        if raised:  # an ImportError first: where nothing got defined, said with its fix
            imports = [error for _, error in raised if isinstance(error, ImportError)]
            first = (imports or [raised[0][1]])[0]
            first.xpnet_cells_raised = tuple(raised)
            raise first


def needs_failed_import(path: Path, raised, code, namespace: dict) -> bool:
    """Whether code (functions, classes: their methods) uses a name that a cell whose import
    failed left unbound: what that cell binds from its failing line on (``import tensorflow as
    tf`` and the ``import numpy as np`` under it), or any name where it is ``from X import *``,
    and no other cell bound in the module's namespace. raised: ``xpnet_cells_raised``, (cell
    number, error) pairs."""
    unbound: set[str] = set()
    for number, error in raised:
        if not isinstance(error, ImportError):
            continue
        name = cell_name(path, number)
        lines = [f.lineno for f in traceback.extract_tb(error.__traceback__) if f.filename == name]
        text = "".join(linecache.getlines(name))
        try:
            statements = ast.parse(text).body
        except SyntaxError:
            return True
        for statement in statements:
            if lines and statement.end_lineno >= lines[-1]:
                unbound |= _bound(statement)
    used = {n for item in code for n in _names(item)} - set(namespace) - set(dir(builtins))
    return bool(unbound & used) or ("*" in unbound and bool(used))


def _bound(statement: ast.stmt) -> set[str]:
    """The names a top-level statement binds ("*" for a star import)."""
    if isinstance(statement, ast.Import | ast.ImportFrom):
        return {(a.asname or a.name).split(".")[0] for a in statement.names}
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {statement.name}
    return {
        n.id
        for n in ast.walk(statement)
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }


def _names(item) -> set[str]:
    """The global names the code of a function, or of a class's methods, reads."""
    functions = list(vars(item).values()) if isinstance(item, type) else [item]
    codes = [getattr(f, "__code__", None) for f in functions]
    found: set[str] = set()
    while codes:
        code = codes.pop()
        if code is not None:
            found |= {i.argval for i in dis.get_instructions(code) if i.opname in _GLOBAL_LOADS}
            codes += [c for c in code.co_consts if hasattr(c, "co_names")]
    return found


_GLOBAL_LOADS = {"LOAD_GLOBAL", "LOAD_NAME"}


def _display(*objects, **kwargs) -> None:
    """IPython's display(), where there is no notebook to show anything in."""
