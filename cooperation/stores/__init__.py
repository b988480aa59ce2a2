"""Stores: append-only event logs, one per initiative, with version-guarded appends.

`protocol` is the contract, `locate` picks a backend from a path or URL (one table),
`sqlite` and `postgres` are the backends (with `shared` for what both need), and `copy`
moves a registry from one store to another. Stores know nothing of workflows or rules.
"""
