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
from cooperation.evaluation import ConditionResult
from cooperation.events import EVENT_KINDS, Event
from cooperation.loading import load_workflow_file, load_workflow_text
from cooperation.registry import ImportReport, Registry
from cooperation.status import InitiativeStatus

__all__ = [
    "BlockedTransitionError",
    "CompiledWorkflow",
    "ConditionResult",
    "ConflictError",
    "CooperationError",
    "EVENT_KINDS",
    "Event",
    "EventError",
    "ImportReport",
    "InitiativeStatus",
    "NotPermittedError",
    "Problem",
    "Registry",
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
