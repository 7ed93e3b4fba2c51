"""``/keys``: the caller's tenant's API keys (the ``admin`` scope): list, create (shown once), revoke.

Example:
    >>> sorted({(route.path, *route.methods) for route in router.routes})
    [('/keys', 'GET'), ('/keys', 'POST'), ('/keys/{key_id}', 'DELETE')]
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from configurator.api import schemas as s
from configurator.api.auth import Admin
from configurator.api.service import ServiceDep
from configurator.api.wire import Identifier
from configurator.errors import NotFoundError
from configurator.storage import KeyRecord

__all__ = ["create_key", "list_keys", "revoke_key", "router"]

router = APIRouter(tags=["keys"])


def _out(record: KeyRecord) -> s.KeyOut:
    return s.KeyOut(
        key_id=record.key_id,
        name=record.name,
        scopes=list(record.scopes),
        created_at=record.created_at,
        created_by=record.created_by,
        revoked_at=record.revoked_at,
    )


@router.get("/keys")
def list_keys(svc: ServiceDep, who: Admin) -> list[s.KeyOut]:
    """The tenant's API keys, revoked ones included, oldest first (never their secrets)."""
    return [_out(k) for k in svc.keys().list(who.tenant)]


@router.post("/keys", status_code=201)
def create_key(svc: ServiceDep, who: Admin, body: s.KeyIn) -> s.NewKeyOut:
    """A new key of the tenant; the answer holds the whole key, shown this once."""
    from configurator.errors import ConfigurationError

    try:
        token, record = svc.keys().create(who.tenant, body.name, body.scopes, created_by=who.actor)
    except ValueError as exc:
        raise ConfigurationError(str(exc)) from None
    svc.audit(svc.store(who), who, "key.create", f"key:{record.key_id}", scopes=list(record.scopes))
    return s.NewKeyOut(key=token, **_out(record).model_dump())


@router.delete("/keys/{key_id}", status_code=204)
def revoke_key(svc: ServiceDep, who: Admin, key_id: Identifier) -> Response:
    """Revoke a key of the tenant (every worker refuses it within seconds)."""
    if not svc.keys().revoke(key_id, who.tenant):
        raise NotFoundError(f"no live key {key_id!r} in this tenant")
    svc.audit(svc.store(who), who, "key.revoke", f"key:{key_id}")
    return Response(status_code=204)
