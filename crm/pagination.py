"""One page of a long list, and what the pager under it needs."""

from dataclasses import dataclass
from math import ceil


@dataclass
class Page:
    """One page of a list, with what the pager needs."""

    items: list
    total: int
    page: int
    per_page: int
    #: The count stopped at `total`: there are more (the list says "over").
    over_cap: bool = False

    @property
    def pages(self):
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self):
        return self.page > 1

    @property
    def has_next(self):
        return self.page < self.pages

    @property
    def prev_num(self):
        return self.page - 1

    @property
    def next_num(self):
        return self.page + 1
