"""Developer tools that are not part of the installed package (e.g. the sample generator)."""
