"""Privacy audit: check what an organisation does against what its privacy policy says.

The package holds all logic; the notebooks in ``notebooks/`` only call it.
"""

__version__ = "0.1.0"
