"""docs/replicas.md and its compose file: valid, and consistent with the code, the Dockerfile
and the README, so that the documented deployment is the one the code supports."""

from __future__ import annotations

import re
from typing import Any

import yaml

from tests.conftest import REPO

DOCS = REPO / "docs"
COMPOSE = DOCS / "docker-compose.replicas.yml"
REPLICAS = ("quotebot-1", "quotebot-2")


def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def variables_the_code_reads() -> set[str]:
    source = "\n".join(path.read_text(encoding="utf-8") for path in (REPO / "bot").rglob("*.py"))
    return set(re.findall(r'"((?:QUOTEBOT|TELEGRAM)_[A-Z_]+)"', source))


def test_the_compose_file_runs_two_replicas_on_postgresql_behind_a_load_balancer() -> None:
    services = compose()["services"]
    assert {"postgres", "index", "caddy", *REPLICAS} <= set(services)
    upstreams = " ".join(services["caddy"]["command"])
    for name in REPLICAS:
        replica = services[name]
        environment = replica["environment"]
        assert environment["QUOTEBOT_DATABASE_URL"].startswith("postgresql://")
        assert "@postgres:5432/" in environment["QUOTEBOT_DATABASE_URL"]
        # The password reaches libpq outside the URL, so that any character works in it.
        assert "PASSWORD" not in environment["QUOTEBOT_DATABASE_URL"]
        assert environment["PGPASSWORD"] == "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}"
        assert environment["QUOTEBOT_WEBHOOK_URL"].startswith("https://")
        assert environment["QUOTEBOT_WEBHOOK_LISTEN"] == "0.0.0.0"
        assert environment["QUOTEBOT_WEBHOOK_SECRET"]  # one shared secret, required
        assert f"{name}:{environment['QUOTEBOT_WEBHOOK_PORT']}" in upstreams
        assert replica["depends_on"]["index"]["condition"] == "service_completed_successfully"
        assert replica["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_the_index_is_built_once_and_mounted_read_only_by_the_replicas() -> None:
    services = compose()["services"]
    index = services["index"]
    assert index["command"] == ["quotebot", "index", "build"]
    assert "index:/data/index" in index["volumes"]
    for name in REPLICAS:
        replica = services[name]
        assert "index:/data/index:ro" in replica["volumes"]
        assert replica["environment"]["QUOTEBOT_INDEX"] == index["environment"]["QUOTEBOT_INDEX"]
        assert replica["environment"]["QUOTEBOT_INDEX"].startswith("/data/index/")


def test_the_compose_file_builds_the_dockerfile_and_names_only_variables_the_code_reads() -> None:
    data = compose()
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert "QUOTEBOT_DATA_DIR=/data" in dockerfile  # the index volume sits under the data dir
    build = data["services"]["index"]["build"]
    assert (DOCS / build["context"] / build["dockerfile"]).resolve() == REPO / "Dockerfile"
    known = variables_the_code_reads()
    for name in ("index", *REPLICAS):
        for variable in data["services"][name]["environment"]:
            assert variable in known | {"PGPASSWORD"}, variable  # PGPASSWORD: libpq's own
    assert "QUOTEBOT_DATABASE_URL" in known


def test_the_env_example_fills_every_required_variable() -> None:
    required = set(re.findall(r"\$\{(\w+):\?", COMPOSE.read_text(encoding="utf-8")))
    example = (DOCS / "replicas.env.example").read_text(encoding="utf-8")
    given = set(re.findall(r"^(\w+)=", example, flags=re.MULTILINE))
    assert required and required <= given


def test_the_readme_and_the_bot_guide_lead_to_the_replica_guide() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    rows = [line for line in readme.splitlines() if line.startswith("| `QUOTEBOT_DATABASE_URL`")]
    assert len(rows) == 1
    row = rows[0]
    assert "docs/replicas.md" in row
    assert "replicas.md" in (DOCS / "telegram.md").read_text(encoding="utf-8")
    guide = (DOCS / "replicas.md").read_text(encoding="utf-8")
    assert "docker-compose.replicas.yml" in guide and "replicas.env.example" in guide


def test_the_image_is_built_once_and_every_command_finds_the_env_file() -> None:
    """Issue 11 findings 1 and 13: only the first command was given --env-file, so every
    later one (ps, logs, run, exec, down) stopped on a missing variable; and three services
    built the same image."""
    services = compose()["services"]
    built = [name for name, service in services.items() if "build" in service]
    assert built == ["index"]
    for name in REPLICAS:
        assert services[name]["image"] == services["index"]["image"]
        assert services[name]["pull_policy"] == "never"
    guide = (DOCS / "replicas.md").read_text(encoding="utf-8")
    header = COMPOSE.read_text(encoding="utf-8")
    commands = re.findall(r"docker compose [^\n`]*", guide + header)
    assert len(commands) >= 8
    for command in commands:
        # Compose reads .env from the first -f file's folder: docs/.env, for every command.
        assert "--env-file" not in command, command
        if command != "docker compose version":
            assert command.startswith(f"docker compose -f docs/{COMPOSE.name} "), command
    for text in (guide, header):
        assert "cp docs/replicas.env.example docs/.env" in text
    example = (DOCS / "replicas.env.example").read_text(encoding="utf-8")
    assert "docs/.env" in example and "absolute path" in example
    assert ".env" in (REPO / ".gitignore").read_text(encoding="utf-8").split()


def test_the_guide_says_how_to_write_a_password_with_url_special_characters() -> None:
    guide = (DOCS / "replicas.md").read_text(encoding="utf-8")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for text in (guide, readme):
        assert "%40" in text and "%2F" in text and "%23" in text and "PGPASSWORD" in text
        assert "postgres://" in text  # accepted, and said so


def test_publishing_rebuilds_the_shared_index_in_place_and_restarts_the_replicas() -> None:
    """Issue 11 (nu11b #2, #3): a new index folder re-encodes the whole archive (its vectors
    and graph come from the live index in the same folder) and no replica would read it."""
    text = (DOCS / "replicas.md").read_text(encoding="utf-8")
    section = text.split("### Publishing new articles", 1)[1].split("\n### ", 1)[0]
    commands = re.findall(r"^docker compose .*$", section, flags=re.MULTILINE)
    assert commands[0] == "docker compose -f docs/docker-compose.replicas.yml run --rm index"
    assert not re.search(r"QUOTEBOT_INDEX=", section)  # the same folder, not a new one
    assert any(command.endswith("restart quotebot-1") for command in commands)
    assert any(command.endswith("restart quotebot-2") for command in commands)
    services = compose()["services"]
    assert "index:/data/index" in services["index"]["volumes"]  # read-write: it rebuilds
    assert "CURRENT" in section and "only" in section


def test_the_documented_log_lines_are_the_ones_the_compose_setup_prints() -> None:
    """With the password in PGPASSWORD the URL has none, so a log line shows no ``:***``."""
    text = (DOCS / "replicas.md").read_text(encoding="utf-8")
    url = compose()["services"]["quotebot-1"]["environment"]["QUOTEBOT_DATABASE_URL"]
    assert f"bot state in PostgreSQL at {url}" in text
    assert ":***@postgres" not in text


def test_the_telegram_guide_lists_the_database_url_and_the_secret_it_requires() -> None:
    """nu11b #9: docs/telegram.md's settings table is where a bot operator looks first."""
    rows = {
        line.split("|")[1].strip(): line
        for line in (DOCS / "telegram.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("| `")
    }
    assert "`QUOTEBOT_DATABASE_URL`" in rows
    assert "PGPASSWORD" in rows["`QUOTEBOT_DATABASE_URL`"]
    assert "required with `QUOTEBOT_DATABASE_URL`" in rows["`QUOTEBOT_WEBHOOK_SECRET`"]


def test_the_shared_index_keeps_its_query_encoder_and_vector_cache_on_its_volume() -> None:
    """Under a folder named ``indexes`` the encoder and the vector cache go to the data
    directory, which is each container's own: every replica loaded torch at start to export
    the query encoder again, and each publish lost the cache and the encoder timings."""
    from pathlib import Path

    from embeddings.encoder_store import encoder_store_dir
    from embeddings.vector_cache import vector_cache_dir

    services = compose()["services"]
    index = Path(services["index"]["environment"]["QUOTEBOT_INDEX"])
    mount = Path(services["index"]["volumes"][1].split(":")[1])
    assert services["index"]["volumes"][1].startswith("index:")
    assert index.is_relative_to(mount)
    assert encoder_store_dir(index).is_relative_to(mount)
    assert vector_cache_dir(index).is_relative_to(mount)
