"""API plumbing shared by every app: authentication, the error body and its schema, parsers, typed input fields,
pagination and role permissions. Settings name `apps.core.api.exception_handler` and `apps.core.api.StandardPagination`.
"""

from .authentication import (
    API_AUTHENTICATION,
    AuthTokenThrottle,
    ExpiringTokenAuthentication,
    token_expires_at,
    token_issue,
    token_revoke,
)
from .errors import exception_handler
from .fields import AmountField, DateTimeField, IdField, IdRelatedField
from .pagination import StandardPagination
from .parsers import RequestTooLarge
from .permissions import CustomerApiMixin, IsCustomer, IsStaff, IsVendor, NumericLookupMixin
from .schema import ErrorSerializer, error_responses

__all__ = [
    "API_AUTHENTICATION",
    "AmountField",
    "AuthTokenThrottle",
    "CustomerApiMixin",
    "DateTimeField",
    "ErrorSerializer",
    "ExpiringTokenAuthentication",
    "IdField",
    "IdRelatedField",
    "IsCustomer",
    "IsStaff",
    "IsVendor",
    "NumericLookupMixin",
    "RequestTooLarge",
    "StandardPagination",
    "error_responses",
    "exception_handler",
    "token_expires_at",
    "token_issue",
    "token_revoke",
]
