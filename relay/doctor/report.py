"""What one check found: pass, fail (with the fix), or not checked (with why)."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Status(enum.Enum):
    PASS = "pass"  # noqa: S105 (not a password)
    FAIL = "fail"
    #: Not checked: something it needs is missing or busy (never counted as a pass).
    SKIP = "skip"


@dataclass(frozen=True, slots=True)
class Result:
    name: str
    status: Status
    detail: str
    fix: str = ""

    @classmethod
    def ok(cls, name: str, detail: str) -> Result:
        return cls(name, Status.PASS, detail)

    @classmethod
    def fail(cls, name: str, detail: str, fix: str) -> Result:
        return cls(name, Status.FAIL, detail, fix)

    @classmethod
    def skip(cls, name: str, detail: str, fix: str = "") -> Result:
        return cls(name, Status.SKIP, detail, fix)

    def line(self) -> str:
        label = {Status.PASS: "PASS", Status.FAIL: "FAIL", Status.SKIP: "----"}[self.status]
        text = f"{label}  {self.name:<15} {self.detail}"
        return f"{text}  -> {self.fix}" if self.fix else text
