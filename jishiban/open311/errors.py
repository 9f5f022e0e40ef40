"""The one error type of the Open311 views; rendered as ``errors/error/{code,description}``."""

from __future__ import annotations


class Open311Error(Exception):
    """``status`` is the HTTP status (400, 403, 404, 405) and each error's ``code``."""

    def __init__(self, status: int, *descriptions: str):
        self.status = status
        self.descriptions = [str(d) for d in descriptions]
        super().__init__("; ".join(self.descriptions))

    def as_data(self) -> list[dict]:
        return [{"code": self.status, "description": d} for d in self.descriptions]
