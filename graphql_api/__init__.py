"""The GraphQL read API (`/graphql`, Strawberry): watches, search, a watch with reviews and live stock,
and the caller's own orders. Resolvers are thin: they call the same domain functions as the HTTP API,
and dataloaders batch what a page asks for, so a page costs a fixed number of queries."""
