"""Import and export file formats; each registers itself in :mod:`corpus.formats.registry`.

Importing any module of this package loads the built-in formats in a fixed order.
"""

from corpus.formats.registry import load_builtins

load_builtins()
