"""Condition kinds: one module each, and one table of them (`table.KINDS`)."""
