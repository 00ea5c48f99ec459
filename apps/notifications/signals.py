from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save
from django.dispatch import receiver

from .services import unread_counts_forget, user_language_save


@receiver(user_logged_in, dispatch_uid="notifications_language_on_login")
def remember_language_on_login(sender, request, user, **kwargs) -> None:
    """A language chosen before signing in (the switch's cookie) becomes the user's language for e-mails too."""
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "") if request is not None else ""
    if language:
        user_language_save(user=user, language=language)


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="notifications_new_user_counts_afresh")
def count_afresh_for_a_new_user(sender, instance, created, raw=False, **kwargs) -> None:
    """A new user never inherits a cached unread count (an ID used again after a database was reset or restored)."""
    if created and not raw:
        unread_counts_forget([instance.pk])
