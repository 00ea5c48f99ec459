"""Page lists forgivingly: a stale or mistyped `?page=` (past the end, 0, text) shows the nearest page, not a 404."""


class ForgivingPaginationMixin:
    """For a ListView with `paginate_by`: Paginator.get_page instead of Django's strict page lookup."""

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()
