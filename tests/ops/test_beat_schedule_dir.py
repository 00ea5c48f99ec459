"""Celery beat on a production host (README, "Production without docker"): VAR_DIR may not exist yet."""

from invoicing_console.celery import HeartbeatScheduler, app


def test_beat_creates_the_folder_of_its_schedule_file(tmp_path):
    # given a VAR_DIR that does not exist yet (with Redis as the broker nothing else creates it)
    schedule = tmp_path / "var" / "invoicing" / "celerybeat-schedule"
    # when beat's scheduler starts
    scheduler = HeartbeatScheduler(app=app, schedule_filename=str(schedule), lazy=False)
    try:
        # then it opened its schedule there instead of stopping with FileNotFoundError
        assert schedule.parent.is_dir()
        assert any(schedule.parent.iterdir())
    finally:
        scheduler.close()
