"""The privacy policy: its model (``model``) and the parser that builds one from the text (``text``)."""

from audit.policy.model import PolicyModel, load_policy, parse_policy, quote

__all__ = ["PolicyModel", "load_policy", "parse_policy", "quote"]
