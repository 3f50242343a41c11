"""The demo's console users: one per role, each with a fresh random password that the demo prints."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from dialer.model import Database, Role
from dialer.model.audit import append_audit
from dialer.model.users import create_user

# (user name, role, name shown in the pages)
DEMO_USERS = (
    ("demo_admin", Role.ADMIN, "演示管理员"),
    ("demo_supervisor", Role.SUPERVISOR, "演示主管"),
    ("demo_agent", Role.AGENT, "演示专员"),
    ("demo_compliance", Role.COMPLIANCE, "演示质检"),
)
ROLE_WORDS = {
    Role.ADMIN: "系统管理员",
    Role.SUPERVISOR: "主管",
    Role.AGENT: "回访专员",
    Role.COMPLIANCE: "合规质检",
}


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role
    display_name: str
    password: str

    def line(self) -> str:
        """Return the account as a person reads it."""
        return f"{ROLE_WORDS[self.role]}：用户名 {self.username}  密码 {self.password}（{self.display_name}）"


def create_demo_users(db: Database) -> list[DemoUser]:
    """Add one user per role with a random password; audited. Return them with their passwords."""
    made: list[DemoUser] = []
    with db.session() as s, s.begin():
        for username, role, display in DEMO_USERS:
            password = secrets.token_urlsafe(9)
            u = create_user(s, username, role, password, display_name=display)
            append_audit(s, "demo", "user_add", f"user:{u.id}", {"username": username, "role": str(role)})
            made.append(DemoUser(username, role, display, password))
    return made
