"""Account security: sessions that can be ended, TOTP with recovery codes, invitations and password
changes. Sign-in throttling is in ``throttle``."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

import pyotp
from sqlalchemy import delete, select

from audit_app.data import notices
from audit_app.data.events import record_event
from audit_app.data.users import UserError, set_password
from audit_app.database import begin_writing
from audit_app.extensions import db
from audit_app.models import AuthenticatorDraft, Invitation, User
from audit_app.passwords import check_password
from audit_tools.password_policy import password_problem
from audit_tools.states import Role

INVITATION_LIFETIME = timedelta(hours=72)
MFA_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.EDITOR)
RECOVERY_CODES = 10
WRONG_CURRENT_CODE = (
    "That code from your current authenticator app is not right, or that recovery code has "
    "been used. Check the app and try again."
)
DRAFT_LIFETIME = timedelta(minutes=20)  # long enough to install an app and scan; then a new key
ISSUER = "Case audit workbench"


def _now() -> datetime:
    return datetime.now(UTC)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- sessions


def end_sessions(user: User) -> None:
    """Every session of this user stops working at its next request (sign-out, new password, disabling)."""
    user.session_version += 1
    db.session.flush()


def disable_user(user: User, by: User | None) -> None:
    user.active = False
    end_sessions(user)
    record_event("user.disabled", "user", user.id, user=by, after={"active": False})


# ---------------------------------------------------------------- passwords


class FactorError(UserError):
    """Something typed to prove who the person is (password, current code) was not right; ``field``
    names the form field it belongs on."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def new_password_problem(user: User, new: str) -> str | None:
    """What is wrong with ``new`` as this person's password, or None."""
    return password_problem(new, email=user.email, name=user.display_name)


def change_password(user: User, current: str, new: str) -> User:
    """Needs the current password; ends every other session."""
    if not check_password(user.password_hash, current):
        raise FactorError("current_password", "Your current password is not right.")
    _set_checked_password(user, new)
    record_event("user.password_changed", "user", user.id, user=user)
    return user


def _set_checked_password(user: User, new: str) -> None:
    problem = new_password_problem(user, new)
    if problem:
        raise UserError(problem)
    set_password(user, new)
    end_sessions(user)


# ---------------------------------------------------------------- invitations


def unusable_password() -> str:
    """A password nobody knows, for an account whose owner will choose theirs from an invitation."""
    return secrets.token_urlsafe(48)


def invite(user: User, by: User | None) -> str:
    """A new single-use link token for ``user`` (earlier unused ones stop working)."""
    db.session.execute(delete(Invitation).where(Invitation.user_id == user.id, Invitation.used_at.is_(None)))
    token = secrets.token_urlsafe(32)
    db.session.add(
        Invitation(
            user_id=user.id,
            token_hash=_sha256(token),
            created_by_id=by.id if by else None,
            expires_at=_now() + INVITATION_LIFETIME,
        )
    )
    db.session.flush()
    record_event("user.invited", "user", user.id, user=by)
    notices.invitation_sent(user, token)  # e-mailed once committed; kept in the outbox with no MAIL_SERVER
    return token


def open_invitation(token: str) -> Invitation | None:
    """The invitation if the token is known, unused and not expired."""
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == _sha256(token)))
    if invitation is None or invitation.used_at is not None or invitation.expires_at <= _now():
        return None
    return invitation


def accept_invitation(invitation: Invitation, password: str) -> User:
    _set_checked_password(invitation.user, password)
    invitation.used_at = _now()
    db.session.flush()
    record_event("user.invitation_accepted", "user", invitation.user_id, user=invitation.user)
    return invitation.user


# ---------------------------------------------------------------- multi-factor authentication


def mfa_required(user: User) -> bool:
    return user.has_role(*MFA_ROLES)


def new_mfa_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def _totp_step(secret: str, code: str) -> int | None:
    """The time step a code belongs to (allowing one step of clock drift), or None."""
    totp, now = pyotp.TOTP(secret), _now()
    for drift in (0, -1, 1):
        moment = now + timedelta(seconds=30 * drift)
        if totp.verify(code, for_time=moment):
            return totp.timecode(moment)
    return None


def enrol_mfa(user: User, secret: str, code: str) -> list[str]:
    """Turn MFA on once the person proves their app shows the right code; returns new recovery codes.

    Only a first authenticator: replacing one needs both current factors (``replace_mfa``). The
    account row is locked first, so two browsers setting one up at once cannot both succeed.
    """
    _lock(user)
    if user.mfa_secret:
        raise FactorError("code", "An authenticator app is already set up for this account.")
    step = _totp_step(secret, _digits(code))
    if step is None:
        raise FactorError("code", "That code is not right. Enter the 6-digit code your authenticator app shows now.")
    user.mfa_secret, user.last_totp_step = secret, step
    codes = _new_recovery_codes(user)
    drop_drafts(user)
    record_event("user.mfa_enrolled", "user", user.id, user=user)
    return codes


def add_mfa(user: User, secret: str, password: str, code: str) -> list[str]:
    """``enrol_mfa`` for a person already signed in, who gives their password too: a session left
    open at a desk is not enough to tie the account to someone else's phone."""
    _check_password(user, password)
    return enrol_mfa(user, secret, code)


def replace_mfa(user: User, secret: str, password: str, current_code: str, new_code: str) -> list[str]:
    """Swap the authenticator for the one showing ``new_code``, given the password and a current code
    or recovery code; ends every session and returns new recovery codes. Nothing is used up unless
    the password and the new code are right first."""
    _check_password(user, password)
    _lock(user)
    step = _totp_step(secret, _digits(new_code))
    if step is None:
        raise FactorError("code", "That code is not right. Enter the 6-digit code the new app shows now.")
    if not user.mfa_secret or not check_second_factor(user, current_code):
        raise FactorError("current_code", WRONG_CURRENT_CODE)
    user.mfa_secret, user.last_totp_step = secret, step
    codes = _new_recovery_codes(user)
    drop_drafts(user)
    end_sessions(user)
    record_event("user.mfa_replaced", "user", user.id, user=user)
    return codes


def _check_password(user: User, password: str) -> None:
    """Before any lock is taken: argon2id is slow on purpose, and SQLite's write lock stops every writer."""
    if not check_password(user.password_hash, password):
        raise FactorError("current_password", "Your password is not right.")


def _lock(user: User) -> None:
    """Hold this account's row until the transaction ends (the write lock on SQLite)."""
    begin_writing()
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
    db.session.refresh(user)  # as it is now that nobody else can change it


# ---------------------------------------------------------------- keys being set up


def open_draft(user: User, reference: str | None) -> AuthenticatorDraft | None:
    """The key this browser is setting up for ``user`` (its session holds ``reference``), unless expired."""
    if not reference:
        return None
    return db.session.scalar(
        select(AuthenticatorDraft).where(
            AuthenticatorDraft.reference_hash == _sha256(reference),
            AuthenticatorDraft.user_id == user.id,
            AuthenticatorDraft.expires_at > _now(),
        )
    )


def start_draft(user: User) -> tuple[str, AuthenticatorDraft]:
    """A new key to set up, and the random reference to it that this browser's session keeps."""
    db.session.execute(delete(AuthenticatorDraft).where(AuthenticatorDraft.expires_at <= _now()))
    reference = secrets.token_urlsafe(32)
    draft = AuthenticatorDraft(
        user_id=user.id, reference_hash=_sha256(reference), secret=new_mfa_secret(), expires_at=_now() + DRAFT_LIFETIME
    )
    db.session.add(draft)
    db.session.flush()
    return reference, draft


def drop_drafts(user: User) -> None:
    db.session.execute(delete(AuthenticatorDraft).where(AuthenticatorDraft.user_id == user.id))


def check_second_factor(user: User, code: str) -> bool:
    """A current TOTP code (each accepted once) or an unused recovery code (then used up)."""
    digits = _digits(code)
    if user.mfa_secret and len(digits) == 6:
        step = _totp_step(user.mfa_secret, digits)
        if step is not None and (user.last_totp_step is None or step > user.last_totp_step):
            user.last_totp_step = step
            record_event("user.mfa_passed", "user", user.id, user=user)
            return True
    hashed = _sha256(code.strip().replace(" ", "").replace("-", "").lower())
    if hashed in (user.recovery_codes or []):
        user.recovery_codes = [c for c in user.recovery_codes if c != hashed]
        record_event(
            "user.recovery_code_used",
            "user",
            user.id,
            user=user,
            after={"recovery_codes_left": len(user.recovery_codes)},
        )
        return True
    record_event("user.mfa_failed", "user", user.id, user=user)
    return False


def replace_recovery_codes(user: User, password: str, current_code: str) -> list[str]:
    """New recovery codes, given the password and a current code or unused recovery code."""
    _check_password(user, password)
    _lock(user)
    if not check_second_factor(user, current_code):
        raise FactorError("current_code", WRONG_CURRENT_CODE)
    return regenerate_recovery_codes(user)


def regenerate_recovery_codes(user: User) -> list[str]:
    codes = _new_recovery_codes(user)
    record_event("user.recovery_codes_replaced", "user", user.id, user=user)
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]  # 10 hex characters, 40 bits each
    user.recovery_codes = [_sha256(code) for code in codes]
    db.session.flush()
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def _digits(code: str) -> str:
    return "".join(ch for ch in code if ch.isdigit())
