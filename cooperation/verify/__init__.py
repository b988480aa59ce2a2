"""`coop verify`: which stages a workflow can reach, which conditions can be met, which moves made.

`analysis.verify_workflow` is the entry point; the `planner` lays out facts that meet a
condition, `witness` replays them through a real registry, `exploration` walks the stage
graph move by move (`moves`), `walks` cross-checks with seeded random walks guided by
`guide`, and `findings` and `report` say what was found.
"""
