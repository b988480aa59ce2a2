"""The engine: an initiative's events folded into facts, judged by its workflow, and moved.

`events` is the record every layer passes around (`event_schema` checks its shape when it
is written), `facts` the fold, `conditions` the condition kinds, `evaluation` the evaluator
over them, `moves` the move table and its `transitions` Machine, `admission` whether an
event fits its initiative, `loaded` an initiative read from a store, `replay` the import
of event logs, and `status` where an initiative stands. No I/O here except through the
store a caller passes in.
"""
