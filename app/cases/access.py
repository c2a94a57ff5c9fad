"""Who may see and change safety cases.

CSEA material is seen only by safeguarding leads and administrators; to anyone else a CSEA
case does not exist, in every list, count, lookup and live stream."""

from app.auth.models import Role
from app.auth.principal import Principal
from app.kit.errors import Forbidden

CSEA_ROLES = frozenset({Role.ADMIN, Role.SAFEGUARDING_LEAD})


def sees_csea(role: str) -> bool:
    return role in CSEA_ROLES


def require_write(principal: Principal) -> None:
    if not principal.can_write:
        raise Forbidden("Viewers cannot make changes")
