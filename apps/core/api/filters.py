"""A list's query-string filters, validated by their serializer only when the query string names one of them."""

import functools

from django.http import QueryDict


def query_filters(serializer_class, query_params: QueryDict) -> dict:
    """The filter serializer's `validated_data` for these query parameters (invalid ones raise its 400).

    Without any of its parameters (the plain list, `?page=2`) the answer is the one of an empty query string,
    worked out once per serializer class, instead of building the serializer's fields on every request."""
    names, when_empty = _filter_fields(serializer_class)
    if not any(name in query_params for name in names):
        return dict(when_empty)
    filters = serializer_class(data=query_params)
    filters.is_valid(raise_exception=True)
    return filters.validated_data


@functools.cache
def _filter_fields(serializer_class) -> tuple[frozenset[str], tuple]:
    empty = serializer_class(data=QueryDict())
    empty.is_valid(raise_exception=True)
    return frozenset(empty.fields), tuple(empty.validated_data.items())
