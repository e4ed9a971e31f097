"""One event as stored and as sent: a CloudEvents 1.0 envelope in its structured JSON form.

`dataschema` names the JSON Schema of `data` (kept in events/schemas/), and the extension attribute
`schemaversion` carries its version, so a consumer can tell an old shape from a new one."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

SPECVERSION = "1.0"
SOURCE = "/seiko-store"
CONTENT_TYPE = "application/json"
# Aggregate type -> the Kafka topic its events go to (DESIGN.md section 5).
TOPICS = {"order": "seiko.orders", "stock": "seiko.inventory", "reorder": "seiko.reorders"}


def dataschema(event_type: str, version: int) -> str:
    return f"urn:seiko:events:{event_type}:v{version}"


@dataclass(frozen=True)
class Event:
    position: int
    tx_id: int
    id: uuid.UUID
    source: str
    type: str
    subject: str
    aggregate_type: str
    time: datetime
    schema_version: int
    data: dict[str, Any]

    @property
    def topic(self) -> str:
        return TOPICS[self.aggregate_type]

    def to_cloudevent(self) -> dict[str, Any]:
        return {
            "specversion": SPECVERSION, "id": str(self.id), "source": self.source, "type": self.type,
            "subject": self.subject, "time": self.time.isoformat(), "datacontenttype": CONTENT_TYPE,
            "dataschema": dataschema(self.type, self.schema_version), "schemaversion": self.schema_version,
            # Extensions a consumer needs to place the event: the aggregate kind and the log's position.
            "aggregatetype": self.aggregate_type, "seikoposition": self.position, "seikotx": self.tx_id,
            "data": self.data,
        }

    def to_json(self) -> bytes:
        return json.dumps(self.to_cloudevent(), separators=(",", ":")).encode()

    @classmethod
    def from_cloudevent(cls, envelope: dict[str, Any]) -> Event:
        if envelope.get("specversion") != SPECVERSION:
            raise ValueError(f"not a CloudEvents {SPECVERSION} envelope")
        return cls(position=int(envelope["seikoposition"]), tx_id=int(envelope["seikotx"]),
                   id=uuid.UUID(envelope["id"]), source=envelope["source"], type=envelope["type"],
                   subject=envelope["subject"], aggregate_type=envelope["aggregatetype"],
                   time=datetime.fromisoformat(envelope["time"]), schema_version=int(envelope["schemaversion"]),
                   data=envelope["data"])

    @classmethod
    def from_json(cls, raw: bytes) -> Event:
        return cls.from_cloudevent(json.loads(raw))
