import os
from pathlib import Path

from celery import Celery
from celery.beat import PersistentScheduler
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "invoicing_console.settings")

app = Celery("invoicing_console")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class HeartbeatScheduler(PersistentScheduler):
    """Celery beat's default scheduler, touching `CELERY_BEAT_HEARTBEAT_FILE` on every tick, so a health check
    (docker-compose.yml) can see that beat is alive by the file's age."""

    def setup_schedule(self):
        # The schedule lives in VAR_DIR, which nothing else creates when the broker is Redis (a production host).
        Path(self.schedule_filename).parent.mkdir(parents=True, exist_ok=True)
        super().setup_schedule()

    def tick(self, *args, **kwargs):
        heartbeat = getattr(settings, "CELERY_BEAT_HEARTBEAT_FILE", "")
        if heartbeat:
            Path(heartbeat).touch()
        return super().tick(*args, **kwargs)
