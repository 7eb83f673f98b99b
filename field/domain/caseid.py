"""The identity of a published case, shared by the model (a column default) and the importer.

A case is its 受理编号 within one inspection (round, team, province), whatever batch republishes
it; spaces and the 重点关注 star never make a different case. Kept in the domain so that
`field.data.models` can derive the key without importing the importer.
"""

from __future__ import annotations

import re


def normalise_case_no(case_no: str) -> str:
    """Matching key for a 受理编号: spaces and the 重点关注 star do not make a different case."""
    return re.sub(r"\s+", "", case_no or "").rstrip("*＊").upper()


def seq_key(batches: list[int], seq: str, section: str = "") -> str:
    """Identity of a case published without 受理编号: its batch(es), the 来电/来信 section it sits
    under (tables number each section from 1) and the published 序号."""
    return "第" + "、".join(str(b) for b in batches) + "批#" + section + seq
