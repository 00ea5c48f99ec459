"""Kept for the API tests' imports: the helpers live in tests/helpers.py."""

from tests.helpers import ERROR_KEYS, assert_error, submit

__all__ = ["ERROR_KEYS", "assert_error", "submit"]
