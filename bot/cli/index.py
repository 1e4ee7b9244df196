"""``quotebot index build`` and ``quotebot index info``: the index on disk, made and shown."""

from __future__ import annotations

import argparse
import json
from typing import Any

from bot.cli.options import EXIT_OK, add_location_options, locations
from bot.cli.progress import progress_bar
from bot.settings import Settings
from embeddings import QuotebotError


def add_parser(commands: argparse._SubParsersAction[Any]) -> None:
    index = commands.add_parser(
        "index", help="build or inspect the index", description="Build or inspect the index."
    )
    index_commands = index.add_subparsers(dest="index_command", metavar="ACTION")
    index_commands.required = True
    build = index_commands.add_parser(
        "build",
        help="(re)build the index from the corpus",
        description="Encode every sentence of the corpus and store the index atomically: "
        "if the build fails or is interrupted, the previous index stays in place.",
    )
    add_location_options(build)
    info = index_commands.add_parser(
        "info",
        help="show what an index holds",
        description="Show the model, corpus, counts and freshness of an index.",
    )
    info.add_argument("--json", action="store_true", help="print the manifest as JSON")
    add_location_options(info)


def command_index_build(args: argparse.Namespace, settings: Settings) -> int:
    from embeddings import build

    corpus, index, model = locations(args, settings)
    manifest = build(corpus, index, model, progress=progress_bar)
    print(
        f"indexed {manifest.sentence_count} sentences of {manifest.document_count} articles "
        f"with {manifest.model_name} into {index}"
    )
    return EXIT_OK


def command_index_info(args: argparse.Namespace, settings: Settings) -> int:
    from dataclasses import asdict

    from embeddings import read_manifest, staleness

    corpus, index, model = locations(args, settings)
    manifest = read_manifest(index)
    try:
        freshness = staleness(manifest, corpus, model) or "up to date"
    except QuotebotError as error:
        freshness = f"cannot compare: {error}"
    if args.json:
        print(json.dumps({**asdict(manifest), "index": str(index), "status": freshness}))
        return EXIT_OK
    rows = [
        ("index", str(index)),
        ("status", freshness if freshness == "up to date" else f"stale: {freshness}"),
        ("model", f"{manifest.model_name} (weights sha256 {manifest.weights_sha256[:16]})"),
        ("query encoder", manifest.query_encoder),
        ("corpus", manifest.corpus_dir),
        ("articles", str(manifest.document_count)),
        ("sentences", str(manifest.sentence_count)),
        ("dimension", str(manifest.dimension)),
        ("built", manifest.built_at),
        ("format", str(manifest.format_version)),
    ]
    for name, value in rows:
        print(f"{name + ':':<15}{value}")
    return EXIT_OK
