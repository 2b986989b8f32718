"""Reference data: countries and adequacy, durations, vocabularies, settings and the rule catalogue.

Everything here is read from ``data/reference/*.yaml`` (with its source and
date) and serves the inputs, the policy and the rules alike; nothing here
imports from those layers.
"""
