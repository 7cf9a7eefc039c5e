"""What a client may send, and how a refusal names the field at fault."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictStr


class TagRequest(BaseModel):
    """One report (`text`) or a batch (`texts`), not both."""

    model_config = ConfigDict(extra="forbid")

    text: StrictStr | None = Field(None, description="one report; the response is the result itself")
    texts: list[StrictStr] | None = Field(None, description="up to 1,000 reports; the response is {results: [...]}")


class DecisionRequest(BaseModel):
    """A reviewer's labels for the queue item at a position. `id` must be that item's id, so a page
    that fell out of step with the queue cannot file a decision under another report."""

    model_config = ConfigDict(extra="forbid")

    id: StrictStr
    labels: list[StrictStr] = Field(description="the category ids the report should have (empty: none)")
    reviewer: StrictStr | None = Field(None, max_length=200, description="who decided, kept as reviewed_by")


def field_name(location: Sequence[Any]) -> str:
    """("body", "texts", 3) → "texts[3]"; the body itself → "body"."""
    parts = [part for part in location if part != "body"]
    if not parts:
        return "body"
    name = ""
    for part in parts:
        if isinstance(part, int):
            name += f"[{part}]"
            continue
        part = str(part) if str(part).isidentifier() else json.dumps(str(part), ensure_ascii=False)
        name += f".{part}" if name else part
    return name


def error_body(status_error: str, field: str, message: str, **extra: Any) -> dict:
    """The one shape of every refusal: a short error, the field at fault, and a sentence naming it."""
    return {"error": status_error, "field": field, "message": f"{field}: {message}", **extra}
