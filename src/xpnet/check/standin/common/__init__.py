"""xpnet's stand-in of the book's ``common/`` package (chapters 4-5): see
:mod:`xpnet.check.standin`. Its modules: ``functions``, ``gradient``, ``layers``."""
