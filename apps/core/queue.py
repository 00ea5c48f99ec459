import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Queue a Celery task once the current transaction commits.

    The write has already happened by then, so a broker outage is logged, never shown to the user as a failure.
    """

    def send() -> None:
        try:
            task.apply_async(args=args, kwargs=kwargs, retry=True, retry_policy={"max_retries": 2})
        except Exception:  # noqa: BLE001 - any broker error; the data is safe, only the side effect is lost
            logger.exception("could not queue %s%r", task.name, args)

    transaction.on_commit(send)
