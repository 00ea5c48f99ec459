from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from .models import CustomerAccount, User, Vendor
        from .user_cache import owner_changed_receiver, user_changed_receiver

        # The cached signed-in user (apps/accounts/user_cache.py) is dropped when it or what it carries changes.
        for name, signal in (("saved", post_save), ("deleted", post_delete)):
            signal.connect(user_changed_receiver, sender=User, dispatch_uid=f"user_cache_user_{name}")
            for owner in (Vendor, CustomerAccount):
                signal.connect(owner_changed_receiver, sender=owner, dispatch_uid=f"user_cache_{owner.__name__}_{name}")
