from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .services import user_language_save


@receiver(user_logged_in, dispatch_uid="notifications_language_on_login")
def remember_language_on_login(sender, request, user, **kwargs) -> None:
    """A language chosen before signing in (the switch's cookie) becomes the user's language for e-mails too."""
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "") if request is not None else ""
    if language:
        user_language_save(user=user, language=language)
