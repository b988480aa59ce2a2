"""Track multistakeholder cooperation initiatives through their maturity workflow.

The public surface is what `__all__` lists; every other module is an implementation detail.
"""

from cooperation.catalog import builtin_workflow_ids, get_workflow
from cooperation.compiled import CompiledWorkflow
from cooperation.definition import WorkflowDefinition
from cooperation.errors import (
    BlockedTransitionError,
    ConflictError,
    CooperationError,
    EventError,
    NotPermittedError,
    Problem,
    StoreError,
    TransitionError,
    UnknownInitiativeError,
    UnknownWorkflowError,
    WorkflowDefinitionError,
)
from cooperation.loading import load_workflow_file, load_workflow_text

__all__ = [
    "BlockedTransitionError",
    "CompiledWorkflow",
    "ConflictError",
    "CooperationError",
    "EventError",
    "NotPermittedError",
    "Problem",
    "StoreError",
    "TransitionError",
    "UnknownInitiativeError",
    "UnknownWorkflowError",
    "WorkflowDefinition",
    "WorkflowDefinitionError",
    "builtin_workflow_ids",
    "get_workflow",
    "load_workflow_file",
    "load_workflow_text",
]
