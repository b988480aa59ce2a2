"""Track multistakeholder cooperation initiatives through their maturity workflow.

The public surface is what `__all__` lists; every other module is an implementation detail.
Names are imported on first use, so that `import cooperation` (and a CLI command) pays
only for what it touches.
"""

import importlib as _importlib
import typing as _typing

__version__ = "0.1.0"  # the one place the version is written (pyproject.toml reads it)

if _typing.TYPE_CHECKING:
    from cooperation.definition.catalog import builtin_workflow_ids, get_workflow
    from cooperation.definition.compiled import CompiledWorkflow
    from cooperation.definition.loading import load_workflow_file, load_workflow_text
    from cooperation.definition.models import WorkflowDefinition
    from cooperation.engine.evaluation import ConditionResult
    from cooperation.engine.events import Event
    from cooperation.engine.payloads import EVENT_KINDS
    from cooperation.engine.replay import ImportReport
    from cooperation.engine.status import InitiativeStatus
    from cooperation.errors import (
        ActorError,
        BlockedTransitionError,
        ConflictError,
        CooperationError,
        EventError,
        FutureEventError,
        InstallationError,
        MissingExtraError,
        MomentError,
        NotPermittedError,
        Problem,
        ProposalError,
        StoreError,
        TamperedRecordError,
        TransitionError,
        UnknownInitiativeError,
        UnknownWorkflowError,
        UnstorableEventError,
        WorkflowDefinitionError,
        WorkflowReferenceError,
    )
    from cooperation.proposals.desk import ProposalDesk
    from cooperation.proposals.records import Proposal
    from cooperation.registry import Registry
    from cooperation.stores.chain import Head

_EXPORTS = {
    "ActorError": "cooperation.errors",
    "BlockedTransitionError": "cooperation.errors",
    "CompiledWorkflow": "cooperation.definition.compiled",
    "ConditionResult": "cooperation.engine.evaluation",
    "ConflictError": "cooperation.errors",
    "CooperationError": "cooperation.errors",
    "EVENT_KINDS": "cooperation.engine.payloads",
    "Event": "cooperation.engine.events",
    "EventError": "cooperation.errors",
    "FutureEventError": "cooperation.errors",
    "Head": "cooperation.stores.chain",
    "InstallationError": "cooperation.errors",
    "MissingExtraError": "cooperation.errors",
    "MomentError": "cooperation.errors",
    "ImportReport": "cooperation.engine.replay",
    "InitiativeStatus": "cooperation.engine.status",
    "NotPermittedError": "cooperation.errors",
    "Problem": "cooperation.errors",
    "Proposal": "cooperation.proposals.records",
    "ProposalDesk": "cooperation.proposals.desk",
    "ProposalError": "cooperation.errors",
    "Registry": "cooperation.registry",
    "StoreError": "cooperation.errors",
    "TamperedRecordError": "cooperation.errors",
    "TransitionError": "cooperation.errors",
    "UnknownInitiativeError": "cooperation.errors",
    "UnknownWorkflowError": "cooperation.errors",
    "WorkflowReferenceError": "cooperation.errors",
    "UnstorableEventError": "cooperation.errors",
    "WorkflowDefinition": "cooperation.definition.models",
    "WorkflowDefinitionError": "cooperation.errors",
    "builtin_workflow_ids": "cooperation.definition.catalog",
    "get_workflow": "cooperation.definition.catalog",
    "load_workflow_file": "cooperation.definition.loading",
    "load_workflow_text": "cooperation.definition.loading",
}


def __getattr__(name: str) -> _typing.Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'cooperation' has no attribute {name!r}")
    value = getattr(_importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "ActorError",
    "BlockedTransitionError",
    "CompiledWorkflow",
    "ConditionResult",
    "ConflictError",
    "CooperationError",
    "EVENT_KINDS",
    "Event",
    "EventError",
    "FutureEventError",
    "Head",
    "ImportReport",
    "InitiativeStatus",
    "InstallationError",
    "MissingExtraError",
    "MomentError",
    "NotPermittedError",
    "Problem",
    "Proposal",
    "ProposalDesk",
    "ProposalError",
    "Registry",
    "StoreError",
    "TamperedRecordError",
    "TransitionError",
    "UnknownInitiativeError",
    "UnknownWorkflowError",
    "UnstorableEventError",
    "WorkflowDefinition",
    "WorkflowDefinitionError",
    "WorkflowReferenceError",
    "builtin_workflow_ids",
    "get_workflow",
    "load_workflow_file",
    "load_workflow_text",
]
