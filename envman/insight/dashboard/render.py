"""Every page of a dashboard, by file name."""

from __future__ import annotations

from envman.insight.dashboard.cells import page_name
from envman.insight.dashboard.pages import env_page, index_page
from envman.insight.dashboard.view import Dashboard


def render(board: Dashboard) -> dict[str, str]:
    pages = {"index.html": index_page(board)}
    for view in board.environments:
        pages[page_name(view.name)] = env_page(board, view)
    return pages
