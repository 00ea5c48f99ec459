"""One default per customer account (titles, addresses), kept under a lock on the account row."""

from django.db import models

from apps.accounts.models import CustomerAccount


def lock_account(customer_account_id: int) -> None:
    # Serialises default-flag changes of one account so two tabs cannot leave two defaults or none (and submits,
    # refunds and withdrawals of one account). FOR NO KEY UPDATE: it must not block the key-share lock another
    # transaction's foreign-key check takes at commit (a consumption import holding the account's balance rows while
    # a submit holding this lock waits for one of them was a deadlock).
    CustomerAccount.objects.select_for_update(no_key=True).filter(pk=customer_account_id).first()


def make_default(obj: models.Model) -> None:
    model = type(obj)
    model.objects.filter(customer_account_id=obj.customer_account_id, is_default=True).exclude(pk=obj.pk).update(
        is_default=False
    )
    model.objects.filter(pk=obj.pk).update(is_default=True)
    obj.is_default = True


def promote_successor(model: type[models.Model], customer_account_id: int) -> None:
    """After the default was deleted, the oldest remaining one becomes the default."""
    successor = model.objects.filter(customer_account_id=customer_account_id).order_by("created_at", "id").first()
    if successor is not None:
        model.objects.filter(pk=successor.pk).update(is_default=True)
