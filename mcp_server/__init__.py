"""The store's Model Context Protocol servers: the storefront (`/mcp`) and the ops tools (`/mcp/ops`).

Tools are thin adapters over the same domain functions the HTTP API and the agents call. Who the caller
is, and the collaborators a tool needs, arrive in the request's ASGI scope (see `caller`), put there by
the HTTP layer after it authenticated the bearer token: annotations such as `readOnlyHint` describe
tools to clients, they never grant or deny anything."""
