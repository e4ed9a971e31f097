"""OpenTelemetry for the store: the tracer provider and its exporters, trace-context propagation through
the job queue, and the GenAI semantic conventions the agents follow. A leaf package: it imports only
OpenTelemetry, so every part may use it."""
