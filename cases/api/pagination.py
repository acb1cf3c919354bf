from __future__ import annotations

from rest_framework import pagination

from cases.paging import WindowCountPaginator


class PageNumberPagination(pagination.PageNumberPagination):
    django_paginator_class = WindowCountPaginator
    page_size_query_param = "page_size"
    max_page_size = 200
