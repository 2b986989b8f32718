"""Record extracts where they lie (issue 13).

A record extract can hold hundreds of millions of rows, so it is never a
pandas frame: :mod:`audit.records.store` keeps one engine table per system
(DuckDB by default), :mod:`audit.records.load` stages files into it with
their row numbers, :mod:`audit.records.normalise` gives the canonical
columns and the input issues, computed in the engine, and
:mod:`audit.records.queries` holds the rules' questions to the records,
written once as Ibis expressions. Only aggregates and the few ids a finding
cites come back to pandas.
"""
