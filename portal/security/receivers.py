"""Infrastructure hooks (allauth's and Django's signals): the session clock of staff and the
activity log entries of logins, portal-password and second-factor changes."""

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from portal.accounts.selectors import customer_for_user
from portal.security import services, staff
from portal.security.models import Activity


@receiver(user_logged_in, dispatch_uid="security_session_started")
def _session_started(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        staff.session_started(request, user)


@receiver(account_signals.user_logged_in, dispatch_uid="security_login_recorded")
def _login_recorded(sender, request, user, **kwargs):
    services.activity_record_login(request=request, user=user)


def _record(request, user, kind, target=""):
    services.activity_record(
        customer=customer_for_user(user=user), kind=kind, target=target, user=user, request=request
    )


@receiver(account_signals.password_changed, dispatch_uid="security_password_changed")
@receiver(account_signals.password_set, dispatch_uid="security_password_set")
@receiver(account_signals.password_reset, dispatch_uid="security_password_reset")
def _password_changed(sender, request, user, **kwargs):
    _record(request, user, Activity.Kind.PASSWORD_CHANGED)


def _factor_name(authenticator) -> str:
    """Language-neutral: the passkey's name, "TOTP", or nothing for recovery codes."""
    if authenticator.type == "webauthn":
        return (authenticator.data or {}).get("name") or "Passkey"
    return "TOTP" if authenticator.type == "totp" else ""


@receiver(mfa_signals.authenticator_added, dispatch_uid="security_mfa_added")
def _mfa_added(sender, request, user, authenticator, **kwargs):
    if authenticator.type == "recovery_codes":
        return  # made along with the first TOTP or passkey: one entry (and email) for both
    _record(request, user, Activity.Kind.MFA_ADDED, _factor_name(authenticator))


@receiver(mfa_signals.authenticator_removed, dispatch_uid="security_mfa_removed")
def _mfa_removed(sender, request, user, authenticator, **kwargs):
    _record(request, user, Activity.Kind.MFA_REMOVED, _factor_name(authenticator))


@receiver(mfa_signals.authenticator_reset, dispatch_uid="security_mfa_reset")
def _mfa_reset(sender, request, user, authenticator, **kwargs):
    _record(request, user, Activity.Kind.RECOVERY_CODES, _factor_name(authenticator))
