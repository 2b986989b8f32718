"""Property-based tests of whole data folders (issue 10, item 1).

:mod:`tests.properties.folders` draws data folders the way DPOs send them
and writes them as real files; :mod:`tests.properties.harness` runs the
command line on one and checks what came out. The tests themselves are in
``tests/test_properties_folders.py``.
"""
