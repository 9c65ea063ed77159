"""The command line: ``xpnet train | gradcheck | check | evaluate | download | info``
(also ``python -m xpnet``).

Read main.py first (parse, run the command, one line and an exit status for what goes wrong),
then parser.py (every command) and flags.py (their flags). Each command is one module: train.py
(a Run: settings.py, runstate.py, runpaths.py, runfolder.py with runlock.py, runrecord.py and
kept.py, runfiles.py, printing.py, runends.py, data.py), evaluate.py (with cluster.py for
Dask), check.py (check and gradcheck), info.py (download and info).
words.py is how they all answer: flags in messages, notices, exit statuses.
"""

from .argparsing import example_parser, parse_backend
from .main import main
from .parser import build_parser
from .words import Exit, notices

__all__ = ["Exit", "build_parser", "example_parser", "main", "notices", "parse_backend"]
