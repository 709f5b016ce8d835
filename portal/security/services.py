"""Writes of the security app: the activity log (record, notify, prune)."""

from datetime import datetime, timedelta

from allauth.core import context as allauth_context
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from portal.accounts.selectors import customer_for_user
from portal.accounts.services import user_language
from portal.core.app_settings import app_settings as core_settings
from portal.core.clientip import client_ip
from portal.security.app_settings import app_settings
from portal.security.devices import device_id, device_key, device_name
from portal.security.models import Activity

Kind = Activity.Kind

# Security changes the account's person hears about by email (and a login from a new device).
NOTIFY_KINDS = {
    Kind.PASSWORD_CHANGED,
    Kind.MFA_ADDED,
    Kind.MFA_REMOVED,
    Kind.RECOVERY_CODES,
    Kind.MAIL_PASSWORD_CHANGED,
    Kind.APP_PASSWORD_CREATED,
    Kind.APP_PASSWORD_REVOKED,
    Kind.APP_PASSWORDS_ONLY,
}

# Changes to an address's mail logins go to the customer's owner (the person who made them
# may be staff, or the change came from a command).
MAIL_LOGIN_KINDS = {
    Kind.MAIL_PASSWORD_CHANGED,
    Kind.APP_PASSWORD_CREATED,
    Kind.APP_PASSWORD_REVOKED,
    Kind.APP_PASSWORDS_ONLY,
}


def activity_record(
    *, customer, kind: str, target: str = "", user=None, request=None, **fields
) -> Activity:
    """Adds one entry to the customer's activity log: who (the request's user unless given),
    what, on what, from which IP and device. The request defaults to the current one
    (allauth's request context), so services called from a page need not pass it; without a
    request (Celery, commands) who/IP/device stay empty."""
    request = request if request is not None else allauth_context.request
    if user is None and request is not None:
        request_user = getattr(request, "user", None)
        user = request_user if request_user is not None and request_user.is_authenticated else None
    activity = Activity(
        customer=customer,
        kind=kind,
        target=str(target)[:254],
        user=user,
        actor=user.email if user is not None else "",
        by_staff=bool(user is not None and user.is_staff),
        **fields,
    )
    if request is not None:
        activity.ip = client_ip(request) or None
        activity.device = device_name(request.headers.get("User-Agent", ""))[:120]
    activity.full_clean()
    activity.save()
    if kind in NOTIFY_KINDS or activity.new_device:
        from portal.security.tasks import activity_notify

        transaction.on_commit(lambda: activity_notify.delay(activity.pk))
    return activity


@transaction.atomic
def activity_record_login(*, request, user) -> Activity:
    """Records a login; one from a device (cookie) the person never logged in from before is
    a new device and triggers an email (not the very first login)."""
    key = device_key(device_id(request))
    earlier = Activity.objects.filter(user=user, kind=Kind.LOGIN)
    new_device = earlier.exists() and not earlier.filter(device_key=key).exists()
    return activity_record(
        customer=customer_for_user(user=user),
        kind=Kind.LOGIN,
        user=user,
        request=request,
        device_key=key,
        new_device=new_device,
    )


def _recipient(activity: Activity):
    if activity.kind in MAIL_LOGIN_KINDS and activity.customer is not None:
        return activity.customer.owner
    return activity.user


@transaction.atomic
def activity_notify_send(*, activity_id: int) -> bool:
    """Emails the person about a security change or a new-device login, once."""
    activity = (
        Activity.objects.select_for_update(of=("self",))
        .select_related("user", "customer__owner")
        .filter(pk=activity_id, notified_at__isnull=True)
        .first()
    )
    recipient = _recipient(activity) if activity is not None else None
    if recipient is None or not recipient.email:
        return False
    context = {
        "activity": activity,
        "recipient": recipient,
        "provider_name": core_settings.PROVIDER_NAME,
        "activities_url": core_settings.BASE_URL + "/activity/",
        "password_url": core_settings.BASE_URL + "/accounts/password/change/",
    }
    with translation.override(user_language(recipient)):
        subject = render_to_string("security/email/activity_subject.txt", context)
        body = render_to_string("security/email/activity_body.txt", context)
    send_mail(" ".join(subject.split()), body, None, [recipient.email])
    activity.notified_at = timezone.now()
    activity.save(update_fields=["notified_at"])
    return True


def activities_prune(*, now: datetime | None = None) -> int:
    """Deletes entries older than the retention (12 months); returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=app_settings.ACTIVITY_RETENTION_DAYS)
    deleted, _by_model = Activity.objects.filter(created_at__lt=cutoff).delete()
    return deleted
