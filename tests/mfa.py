"""MFA for tests: give a user a real allauth TOTP authenticator, and compute its codes.

Association admins, reviewers and the secretariat are sent to the MFA setup page until they
have one (members.middleware.MFARequiredMiddleware): tests acting as them call give_totp.
"""

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value

KNOWN_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def give_totp(user, secret: str = KNOWN_SECRET) -> str:
    """Activate a TOTP authenticator (stored as allauth stores it) and return its secret."""
    Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()
    TOTP.activate(user, secret)
    return secret


def with_totp(user):
    """`user`, with an authenticator app (officials and admins need one before they act)."""
    give_totp(user)
    return user


def totp_code(secret: str = KNOWN_SECRET, *, at: float | None = None) -> str:
    """The code an authenticator app would show now (or at the Unix time `at`)."""
    import time

    from allauth.mfa import app_settings

    counter = int(at if at is not None else time.time()) // app_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))


def lasting_totp_code(secret: str = KNOWN_SECRET, *, seconds: float = 5) -> str:
    """The code now, once it stays valid for at least `seconds` more: the portal accepts only
    the current period's code, and a code typed at the end of one is refused in the next."""
    import time

    from allauth.mfa import app_settings

    period = app_settings.TOTP_PERIOD
    left = period - time.time() % period
    if left < seconds:
        time.sleep(left + 0.1)
    return totp_code(secret)
