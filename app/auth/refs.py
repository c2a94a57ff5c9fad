"""The user type as other domains' GraphQL types name it: by reference, resolved when the schema
is built, so that their modules need not import `app.auth.types` while they load."""

from typing import TYPE_CHECKING, Annotated

import strawberry

if TYPE_CHECKING:
    from app.auth.types import UserType

UserRef = Annotated["UserType", strawberry.lazy("app.auth.types")]
