"""Roles and permission checks, enforced in the domain layer (not only in the UI)."""
from __future__ import annotations

from enum import Enum
from typing import Iterable

from app.core.errors import PermissionDenied


class Role(str, Enum):
    OPERATOR = "operator"
    QUALITY_ENGINEER = "quality_engineer"
    REVIEWER = "reviewer"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


ALL_ROLES = frozenset(Role)


def roles(*names: str | Role) -> frozenset[Role]:
    return frozenset(Role(n) for n in names)


def check_action(user_roles: Iterable[Role | str], allowed: Iterable[Role | str], action: str,
                 user: str = "") -> None:
    have = {Role(r) for r in user_roles}
    need = {Role(r) for r in allowed}
    if not have & need:
        raise PermissionDenied(
            f"User '{user}' may not {action}: needs one of "
            f"{', '.join(sorted(r.value for r in need))}.")
