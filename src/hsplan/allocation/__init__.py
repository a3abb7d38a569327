"""Allocation: how fairly and how efficiently resources are spread."""

__all__: list[str] = []
