"""The immutable event log: CloudEvents envelopes and their schemas, the append in the writer's
transaction, the order fold, the read models, the consumers and the outbox relay (in-process or Kafka)."""
