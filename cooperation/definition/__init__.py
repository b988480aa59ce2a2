"""Workflow definitions: from a YAML file to a compiled workflow that evaluation reads cheaply.

`loading` reads strict YAML (`yamlsafe`) into the pydantic `models`, `checks` and `graph`
find every problem at once (placed by `problems`), `compile` orders the conditions and
works out what each stage and transition needs, and `compiled` holds the result as plain
records. `catalog` finds built-in workflows and files; `cache` keeps compilations on disk.
"""
