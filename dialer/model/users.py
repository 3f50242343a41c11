"""Console users: argon2 password hashes, roles, and the lock-out after repeated failed sign-ins."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import phonenumbers
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from dialer.clock import utcnow
from dialer.errors import DialerError
from dialer.model.base import Role, column_size
from dialer.model.people import User
from dialer.model.sessions import end_sessions

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD = 8
USERNAME = re.compile(r"^[A-Za-z0-9_.\-]{2,64}$")
_HASHER = PasswordHasher()
# Verified against when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("not-a-real-password")


class UserError(DialerError):
    """A user cannot be created or changed as asked."""


@dataclass(frozen=True)
class SignIn:
    """The result of one sign-in: `user` is set only when it succeeded."""

    outcome: str  # ok | bad | locked | inactive
    user: User | None = None
    locked_until: datetime | None = None


def hash_password(password: str) -> str:
    """Return the argon2 hash of `password`, refusing one that is too short."""
    if len(password) < MIN_PASSWORD:
        raise UserError(f"密码太短：至少 {MIN_PASSWORD} 个字符")
    return _HASHER.hash(password)


def password_matches(stored_hash: str, password: str) -> bool:
    """Return whether `password` matches the stored argon2 hash."""
    try:
        return _HASHER.verify(stored_hash or _DUMMY_HASH, password) and bool(stored_hash)
    except (VerificationError, InvalidHashError):
        return False


def parse_role(role: str) -> Role:
    """Return the Role named `role`, or say which roles exist."""
    try:
        return Role(role)
    except ValueError:
        raise UserError(f"没有“{role}”这个角色；可选：{'、'.join(r.value for r in Role)}") from None


def normalise_phone(phone: str | None, region: str = "CN") -> str | None:
    """Return the phone in E.164, or None if empty; refuse a number that is not valid."""
    if not phone:
        return None
    try:
        number = phonenumbers.parse(phone, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise UserError(f"电话“{phone}”不是有效的号码；请写成 +8613812341234 或 13812341234 这样的格式")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def find_user(session: Session, username: str) -> User | None:
    """Return the user with this name, or None."""
    return session.scalar(select(User).where(User.username == username))


DISPLAY_NAME_MAX = column_size(User.display_name)
DEPARTMENT_MAX = column_size(User.department)


def _department(department: str | None) -> str | None:
    department = (department or "").strip()
    if len(department) > DEPARTMENT_MAX:
        raise UserError(f"部门名称太长：最多 {DEPARTMENT_MAX} 个字，现在是 {len(department)} 个")
    return department or None


def create_user(session: Session, username: str, role: str, password: str, *, phone: str | None = None,
                display_name: str = "", department: str | None = None,
                created_by_id: int | None = None) -> User:  # fmt: skip
    """Add a user with an argon2-hashed password; the caller commits."""
    if not USERNAME.match(username):
        raise UserError(f"用户名“{username}”不可用：请用 2 到 64 个英文字母、数字、点、下划线或连字符")
    if len(display_name) > DISPLAY_NAME_MAX:
        raise UserError(f"姓名太长：最多 {DISPLAY_NAME_MAX} 个字，现在是 {len(display_name)} 个")
    if find_user(session, username) is not None:
        raise UserError(f"用户名“{username}”已被使用；请换一个用户名，或在用户管理中修改该用户")
    user = User(
        username=username, role=parse_role(role), password_hash=hash_password(password),
        phone=normalise_phone(phone), display_name=display_name or username, created_by_id=created_by_id,
        department=_department(department),
    )  # fmt: skip
    session.add(user)
    session.flush()
    return user


def set_role(session: Session, username: str, role: str) -> tuple[User, Role]:
    """Give `username` a new role; return the user and the role it had before."""
    user = find_user(session, username)
    if user is None:
        raise UserError(f"没有名为“{username}”的用户；请用 dialer users list 查看现有用户")
    before = Role(user.role)
    user.role = parse_role(role)
    if user.role != before:
        end_sessions(session, user.id, utcnow(), "role")  # pages opened under the old role stop at once
    return user, before


def set_contact(session: Session, username: str, phone: str | None, department: str | None) -> User:
    """Set the phone an agent answers (agent legs and 拨打 ring it) and the department whose tasks they work."""
    user = _existing(session, username)
    phone_e164, dept = normalise_phone(phone), _department(department)  # both checked before either is set
    user.phone, user.department = phone_e164, dept
    return user


def _existing(session: Session, username: str) -> User:
    user = find_user(session, username)
    if user is None:
        raise UserError(f"没有名为“{username}”的用户；请用 dialer users list 查看现有用户")
    return user


def reset_password(session: Session, username: str, password: str) -> User:
    """Give `username` a new password, lift any lock-out and end the user's sign-ins; the caller commits."""
    user = _existing(session, username)
    if len(password) < MIN_PASSWORD:
        raise UserError(f"密码太短：至少 {MIN_PASSWORD} 个字符")
    user.password_hash = _HASHER.hash(password)
    user.failed_logins, user.locked_until = 0, None
    end_sessions(session, user.id, utcnow(), "password")
    return user


def unlock(session: Session, username: str) -> User:
    """Lift the lock-out that repeated wrong passwords put on `username`."""
    user = _existing(session, username)
    user.failed_logins, user.locked_until = 0, None
    return user


def set_active(session: Session, username: str, active: bool) -> User:
    """Deactivate (signing the user out at once) or reactivate `username`."""
    user = _existing(session, username)
    user.active = active
    if not active:
        end_sessions(session, user.id, utcnow(), "inactive")
    return user


def no_users(session: Session) -> bool:
    """Return whether no user exists yet (a fresh installation)."""
    return session.scalar(select(User.id).limit(1)) is None


def sign_in(session: Session, username: str, password: str, now: datetime) -> SignIn:
    """Check a password, counting failures and locking the account after MAX_FAILURES of them."""
    user = find_user(session, username)
    if user is None:
        password_matches("", password)
        return SignIn("bad")
    if user.locked_until is not None and user.locked_until > now:
        password_matches("", password)  # as slow as any other refusal
        return SignIn("locked", locked_until=user.locked_until)
    if not password_matches(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILURES:
            user.failed_logins = 0
            user.locked_until = now + LOCKOUT
            return SignIn("locked", locked_until=user.locked_until)
        return SignIn("bad")
    if not user.active:
        return SignIn("inactive")
    user.failed_logins = 0
    user.locked_until = None
    if _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = _HASHER.hash(password)
    return SignIn("ok", user=user)
