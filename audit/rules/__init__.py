"""The rules: one module per family, each function returning the facts of one rule.

Which rules exist, what their findings say and which tables the workbook
shows are read from ``data/reference/rules.yaml`` by :mod:`audit.rules.registry`;
:mod:`audit.rules.findings` turns facts into findings. Every function takes
an :class:`audit.rules.context.AuditContext`.
"""
