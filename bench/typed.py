"""The base of the benchmark's typed results: pydantic models that store exactly the JSON they replace.

Every hand-off of a measurement (a preset's summary, the record's `BenchSummary` the cost model reads, a
cluster job and its parts) is a `TypedResult`: new code reads attributes (``summary.seconds_per_image``).
Two things keep it compatible with what is stored and with readers written against plain dicts:

* **Stored JSON is unchanged.** A field is written only when it was given (or assigned): a figure that
  is absent in a record stays absent, one that is null stays null, and keys this version does not know
  are kept (``extra="allow"``). Records stored before the types existed load as they are.
* **Dict-style reads still work** (``s["seconds_per_image"]``, ``s.get("mean_w")``, ``"note" in s``,
  ``s["efficiency"] = 0.8``), for the readers not moved to attributes yet (the CLI's tables, the
  dashboard) and for tests that pin the stored keys.
"""

from __future__ import annotations

from typing import Any, Iterator

from pydantic import BaseModel, ConfigDict, model_serializer


class TypedResult(BaseModel):
    """A measurement hand-off: attributes to read, the stored JSON to write (only the keys given)."""

    model_config = ConfigDict(extra="allow", validate_assignment=False)

    @model_serializer(mode="wrap")
    def _given_keys_only(self, handler) -> dict[str, Any]:
        data = handler(self)
        given = self.model_fields_set | set(self.model_extra or {})
        return {k: v for k, v in data.items() if k in given}

    # -- dict-style access, for readers of the stored JSON ------------------------------------------
    def _has(self, key: str) -> bool:
        return key in self.model_fields_set or key in (self.model_extra or {})

    def __getitem__(self, key: str) -> Any:
        if not self._has(key):
            raise KeyError(key)
        return getattr(self, key)

    def __setitem__(self, key: str, value: Any) -> None:
        setattr(self, key, value)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._has(key)

    def get(self, key: str, default: Any = None) -> Any:
        return getattr(self, key) if self._has(key) else default

    def keys(self) -> list[str]:
        return list(self.model_dump().keys())

    def items(self) -> Iterator[tuple[str, Any]]:
        return iter((k, getattr(self, k)) for k in self.keys())

    def to_dict(self) -> dict[str, Any]:
        """The stored form (JSON-ready values)."""
        return self.model_dump(mode="json")
