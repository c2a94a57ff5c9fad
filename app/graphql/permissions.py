"""Permission classes; every Mutation field carries at least one (a test checks)."""

from typing import Any

from strawberry.permission import BasePermission

from app.graphql.context import Info
from app.kit.errors import Forbidden


class Public(BasePermission):
    """Open to anyone: sign-in and token refresh."""

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return True


class IsAuthenticated(BasePermission):
    """Any signed-in user or API key of the tenant, including viewers."""

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        info.context.require()
        return True


class CanWrite(BasePermission):
    """Everyone but viewers."""

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        if not info.context.require().can_write:
            raise Forbidden("Viewers cannot make changes")
        return True


class IsAdmin(BasePermission):
    """Tenant administrators only."""

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        if not info.context.require().is_admin:
            raise Forbidden("Only administrators can do this")
        return True


class OverWebSocket(BasePermission):
    """Subscriptions run over graphql-transport-ws only, where the connection's rights are
    followed for as long as it is open; a streamed HTTP response would escape that."""

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        info.context.require()
        if info.context.live is None:
            raise Forbidden("Subscriptions run over WebSocket (graphql-transport-ws)")
        return True
