"""`cp .env.example .env` for docker compose: every variable documented there reaches web, worker and beat."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
# Used outside the app containers: by compose itself (the postgres service), the dev server or the test run.
NOT_FOR_THE_APP = {"POSTGRES_PASSWORD", "WEB_ADDR", "REQUIRE_BROWSER", "VAR_DIR"}


def documented_variables() -> set[str]:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))


def test_every_documented_variable_reaches_the_app_containers():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    documented = documented_variables() - NOT_FOR_THE_APP
    assert {"DATABASE_URL", "REDIS_URL", "DEBUG", "DB_CONN_MAX_AGE", "SECRET_KEY"} <= documented
    for service in ("web", "worker", "beat"):
        environment = compose["services"][service]["environment"]
        missing = documented - set(environment)
        assert not missing, f"{service} does not receive {sorted(missing)}"


def test_the_app_containers_share_one_image():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    images = {compose["services"][service]["image"] for service in ("web", "worker", "beat")}
    assert len(images) == 1
    assert "build" in compose["services"]["web"]
    assert "build" not in compose["services"]["worker"] and "build" not in compose["services"]["beat"]
    assert "healthcheck" in compose["services"]["worker"] and "healthcheck" in compose["services"]["beat"]
