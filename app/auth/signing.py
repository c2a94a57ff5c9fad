"""RS256 access tokens: the signing keyring, issuing, verifying, and the public JWKS."""

import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey

from app.kit.errors import Unauthenticated
from app.kit.settings import Settings

ALGORITHM = "RS256"


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    tenant_id: uuid.UUID
    role: str
    session_id: uuid.UUID
    # Unix time the token stops working; set on verified tokens (live sockets end then).
    expires_at: int | None = None


def _with_kid(key: RSAKey) -> RSAKey:
    return RSAKey.import_key(
        key.as_dict(private=True),
        parameters={"kid": key.thumbprint(), "use": "sig", "alg": ALGORITHM},
    )


def load_keyring(settings: Settings) -> list[RSAKey]:
    """Configured key first; otherwise every key under `home/keys`, generating one if none."""
    if settings.jwt_private_key:
        return [_with_kid(RSAKey.import_key(settings.jwt_private_key))]
    if settings.jwt_private_key_file:
        return [_with_kid(RSAKey.import_key(settings.jwt_private_key_file.read_text()))]
    directory = settings.home / "keys"
    directory.mkdir(parents=True, exist_ok=True)
    pems = sorted(directory.glob("jwt-*.pem"))
    if not pems:
        pems = [_generate(directory)]
    # The newest key signs; older ones still verify tokens issued before a rotation.
    return [_with_kid(RSAKey.import_key(path.read_text())) for path in reversed(pems)]


def _generate(directory: Path) -> Path:
    key = RSAKey.generate_key(2048)
    path = directory / f"jwt-{int(time.time())}.pem"
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(key.as_pem(private=True))
    tmp.chmod(0o600)
    tmp.replace(path)
    return path


class TokenSigner:
    def __init__(self, keys: list[RSAKey], *, issuer: str, audience: str, ttl: int) -> None:
        self.signing_key = keys[0]
        self.keyset = KeySet(list[Any](keys))
        self.issuer, self.audience, self.ttl = issuer, audience, ttl
        self.claims_registry = jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": audience},
            exp={"essential": True},
            sub={"essential": True},
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> "TokenSigner":
        return cls(
            load_keyring(settings),
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            ttl=settings.access_token_seconds,
        )

    def issue(self, claims: AccessClaims) -> str:
        now = int(time.time())
        payload = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": str(claims.user_id),
            "tid": str(claims.tenant_id),
            "role": claims.role,
            "sid": str(claims.session_id),
            "iat": now,
            "nbf": now,
            "exp": now + self.ttl,
            "jti": uuid.uuid4().hex,
        }
        header = {"alg": ALGORITHM, "kid": self.signing_key.kid, "typ": "JWT"}
        return jwt.encode(header, payload, self.signing_key, algorithms=[ALGORITHM])

    def verify(self, token: str) -> AccessClaims:
        """Accept only RS256 tokens signed by a known key, for our issuer and audience."""
        try:
            decoded = jwt.decode(token, self.keyset, algorithms=[ALGORITHM])
            self.claims_registry.validate(decoded.claims)
            claims = decoded.claims
            return AccessClaims(
                user_id=uuid.UUID(claims["sub"]),
                tenant_id=uuid.UUID(claims["tid"]),
                role=str(claims["role"]),
                session_id=uuid.UUID(claims["sid"]),
                expires_at=int(claims["exp"]),
            )
        except (JoseError, ValueError, KeyError, TypeError):
            raise Unauthenticated("Invalid or expired access token") from None

    def jwks(self) -> dict[str, Any]:
        return {"keys": [key.as_dict(private=False) for key in self.keyset.keys]}
