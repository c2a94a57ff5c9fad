"""The kernel's actor kinds as a GraphQL enum: registered here, once, and imported from here by
every type that shows one, so the registration has always run before a schema is built."""

import strawberry

from app.kit.actors import ActorKind

strawberry.enum(ActorKind, name="ActorKind", description="Kind of actor.")

__all__ = ["ActorKind"]
