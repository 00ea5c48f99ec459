"""Kept for the tests' imports: the helpers live in tests/helpers.py (`force_status` is `reach_status`, which moves a
request through the real services)."""

from tests.helpers import reach_status as force_status
from tests.helpers import submit

__all__ = ["force_status", "submit"]
