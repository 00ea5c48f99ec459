"""Page lists forgivingly: a stale or mistyped `?page=` (past the end, 0, text) shows the nearest page, not a 404."""


class ForgivingPaginationMixin:
    """For a ListView with `paginate_by`: Paginator.get_page instead of Django's strict page lookup."""

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()


class CountedRows:
    """A queryset whose number of rows is already known (e.g. from counters the database keeps), for a paginator:
    `count()` answers that number instead of a COUNT(*) over the rows; a page is the queryset's slice."""

    def __init__(self, queryset, *, count: int) -> None:
        self.queryset = queryset
        self._count = count

    @property
    def ordered(self) -> bool:
        return self.queryset.ordered

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        return self.queryset[index]
