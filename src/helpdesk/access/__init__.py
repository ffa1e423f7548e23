"""The access API's client side: ``AccessClient``, the shared wire models and the
operations registry used by the diagnostics engine."""

from helpdesk.access.client import AccessClient
from helpdesk.access.models import (
    AccessCheck,
    AuditPage,
    AuditRecord,
    Device,
    DeviceList,
    Fix,
    Health,
    MfaStatus,
    Problem,
    Reason,
    User,
    WriteResult,
)
from helpdesk.access.operations import OPERATIONS, Operation

__all__ = [
    "OPERATIONS",
    "AccessCheck",
    "AccessClient",
    "AuditPage",
    "AuditRecord",
    "Device",
    "DeviceList",
    "Fix",
    "Health",
    "MfaStatus",
    "Operation",
    "Problem",
    "Reason",
    "User",
    "WriteResult",
]
