"""One finding of `python -m field verify`: a catalog key plus the rows it is about."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Problem:
    signoff_id: int | None
    verification_id: int | None
    finding_id: int | None
    key: str
    detail: str = ""

    def __str__(self) -> str:
        return (f"{self.key}: signoff={self.signoff_id} verification={self.verification_id} "
                f"finding={self.finding_id} {self.detail}").strip()
