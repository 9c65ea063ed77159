"""Stand-ins for the book's own packages, for a learner's file whose repository lacks them.

The book's chapter 4-5 files import the book's ``common/`` package (``from common.layers import
*``). Learners who commit only their own files leave it out, and then nothing could import their
network. This folder holds ``common/`` as xpnet writes it: the book's names and behaviour
(``common.functions``, ``common.gradient``, ``common.layers``), built on xpnet's own functions
(imported by absolute name: here the modules load as ``common.*``, not as xpnet's).
:func:`xpnet.check.importing.import_file` puts this folder on the import path only for a top-level
``common`` that no folder of the learner's holds, and says so in a note. Nothing else imports it.
"""

from pathlib import Path

FOLDER = Path(__file__).parent  # the folder that holds the stand-in packages (common/)
PACKAGES = ("common",)  # the names it answers
