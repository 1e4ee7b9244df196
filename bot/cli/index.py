"""``quotebot index build|info|verify|list|prune``: the indexes on disk, made, shown and tidied.

The engine does the work (``embeddings``: build, verify_index, list_indexes, prune_indexes);
this module parses options and prints.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli.options import EXIT_OK, EXIT_USAGE, add_location_options, locations
from bot.cli.progress import progress_bar
from bot.settings import Settings
from embeddings import QuotebotError

if TYPE_CHECKING:
    from embeddings import CacheSummary, EncoderSummary, IndexSummary

EXIT_DAMAGED = 1  # `index verify`: a file of the index does not match its manifest


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
    verify = index_commands.add_parser(
        "verify",
        help="hash every file of the index (a full integrity check)",
        description="Hash every file of the current index and its shared query encoder and "
        "compare them with the manifest (opening an index checks sizes and times only). "
        "Prints 'ok: ...' or 'damaged: REASON' on one line.",
        epilog="Exit codes: 0 the index is sound, 1 it is damaged, 2 there is no index there.",
    )
    verify.add_argument("--json", action="store_true", help="print the result as JSON")
    add_location_options(verify)
    listing = index_commands.add_parser(
        "list",
        help="list every index in the data directory",
        description="List the indexes in the data directory ($QUOTEBOT_DATA_DIR): corpus, "
        "model, size on disk, sentences, last use and status (ok, stale, damaged, corpus "
        "missing, or no index: a folder a build left without an index), the shared query "
        "encoders and the vector caches. Every file is hashed to tell damage.",
    )
    listing.add_argument("--json", action="store_true", help="print the list as JSON")
    add_location_options(listing)
    prune = index_commands.add_parser(
        "prune",
        help="remove indexes whose corpus is gone or that went unused",
        description="Remove the indexes in the data directory whose corpus folder is gone, "
        "leftovers of failed builds (older than a day), and (with --unused-days) indexes "
        "unused for longer; then the shared query encoders and vector caches that no index "
        "uses (older than an hour). The index of the current corpus and model is kept unless "
        "--include-current is given. What is kept for its age is said, with why.",
    )
    prune.add_argument(
        "--unused-days",
        metavar="N",
        type=_days,
        help="also remove indexes not used for more than N days",
    )
    prune.add_argument("--dry-run", action="store_true", help="only say what would be removed")
    prune.add_argument(
        "--include-current",
        action="store_true",
        help="allow removing the index of the current corpus and model too",
    )
    add_location_options(prune)


def _days(text: str) -> float:
    """An argparse type: a number of days, zero or more."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of days, got {text!r}") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text}")
    return value


def command_index_build(args: argparse.Namespace, settings: Settings) -> int:
    from embeddings import build

    corpus, index, model = locations(args, settings)
    manifest = build(
        corpus,
        index,
        model,
        progress=progress_bar,
        ann=settings.ann_settings(),
        note=lambda line: print(line, file=sys.stderr, flush=True),  # a log needs it too
    )
    print(
        f"indexed {manifest.sentence_count} sentences of {manifest.document_count} articles "
        f"with {manifest.model_name} into {index}"
    )
    return EXIT_OK


def command_index_info(args: argparse.Namespace, settings: Settings) -> int:
    from dataclasses import asdict

    from embeddings import (
        IndexDamagedError,
        describe_build_encoding,
        read_manifest,
        staleness,
        verify_index,
    )

    corpus, index, model = locations(args, settings)
    try:
        manifest = read_manifest(index)
    except IndexDamagedError as error:  # a corrupt pointer or manifest: say so, like list
        return _print_damaged(index, str(error), as_json=args.json)
    damage = verify_index(index)
    if damage is not None:
        freshness = status = f"damaged: {damage}"
    else:
        try:
            freshness = staleness(manifest, corpus, model) or "up to date"
        except QuotebotError as error:
            freshness = f"cannot compare: {error}"
        status = freshness if freshness == "up to date" else f"stale: {freshness}"
    if args.json:
        document = {**asdict(manifest), "index": str(index), "status": freshness}
        document["ef_search_in_effect"] = ef_search_in_effect(manifest.ann, settings)
        print(json.dumps(document))
        return EXIT_OK
    encoder = manifest.query_encoder
    if encoder == "onnx":
        from embeddings import encoder_store_dir

        encoder = f"onnx, shared: {encoder_store_dir(index) / manifest.encoder_id}"
    rows = [
        ("index", str(index)),
        ("status", status),
        ("model", f"{manifest.model_name} (weights sha256 {manifest.weights_sha256[:16]})"),
        ("query encoder", encoder),
        ("corpus", manifest.corpus_dir),
        ("articles", str(manifest.document_count)),
        ("sentences", str(manifest.sentence_count)),
        ("dimension", str(manifest.dimension)),
        ("built", manifest.built_at),
        ("format", str(manifest.format_version)),
        ("vector search", _vector_search(manifest.ann, settings)),
        ("build encoder", describe_build_encoding(manifest.build_encoding)),
    ]
    for name, value in rows:
        print(f"{name + ':':<15}{value}")
    return EXIT_OK


def command_index_verify(args: argparse.Namespace, settings: Settings) -> int:
    """The full check on demand: exit 1 with one ``damaged: REASON`` line when it fails."""
    from embeddings import IndexDamagedError, IndexMissingError, read_manifest, verify_index

    _, index, _ = locations(args, settings, check=False)
    try:
        read_manifest(index)  # no index, or another format: an error line, exit 2
        damage = verify_index(index)
    except IndexDamagedError as error:
        damage = str(error)
    except IndexMissingError as error:
        if not args.json:
            raise
        # A script that asked for JSON parses stdout whatever happened: one object, exit 2.
        report = {"index": str(index), "sound": False, "status": "missing", "error": str(error)}
        print(json.dumps(report))
        return EXIT_USAGE
    status = "ok" if damage is None else f"damaged: {damage}"
    if args.json:
        print(json.dumps({"index": str(index), "sound": damage is None, "status": status}))
    elif damage is None:
        print(f"ok: every file of the index in {index} matches its manifest")
    else:
        print(status)
    return EXIT_OK if damage is None else EXIT_DAMAGED


def ef_search_in_effect(ann: dict[str, Any], settings: Settings) -> dict[str, Any] | None:
    """The HNSW search breadth a search of this index uses now, and where it comes from
    (None for an exact index).

    ``QUOTEBOT_ANN_EF_SEARCH`` overrides the manifest's value at every load. FAISS explores
    max(efSearch, k) nodes and a search asks for ``CANDIDATES`` (100), so a smaller value acts
    as that many: ``effective`` says so.
    """
    from embeddings import CANDIDATES

    if ann.get("kind") != "hnsw":
        return None
    recorded = int(ann.get("ef_search", 1024))
    value = recorded if settings.ann_ef_search is None else settings.ann_ef_search
    return {
        "value": value,
        "source": "manifest" if settings.ann_ef_search is None else "QUOTEBOT_ANN_EF_SEARCH",
        "manifest": recorded,
        "candidates": CANDIDATES,
        "effective": max(value, CANDIDATES),
    }


def _vector_search(ann: dict[str, Any], settings: Settings) -> str:
    """``exact`` or ``HNSW (M=32) over 8-bit scalar-quantised codes, ...``, with the efSearch
    in effect and where it comes from, and a note when the settings ask for something else."""
    kind = str(ann.get("kind", "exact"))
    notes = []
    if settings.ann not in ("auto", kind):
        notes.append(f"QUOTEBOT_ANN={settings.ann} applies to the next quotebot index build")
    ef = ef_search_in_effect(ann, settings)
    if ef is None:
        if settings.ann_ef_search is not None:
            notes.append("QUOTEBOT_ANN_EF_SEARCH has no effect on an exact scan")
        described = "exact scan of every vector"
    else:
        source = "the manifest's"
        if ef["source"] != "manifest":
            source = f"from QUOTEBOT_ANN_EF_SEARCH, the manifest's is {ef['manifest']}"
        effective = ""
        if ef["effective"] != ef["value"]:
            effective = (
                f", in effect {ef['effective']}: a search explores max(efSearch, its "
                f"{ef['candidates']} candidates)"
            )
        graph = f"{ann.get('graph_nodes', 0):,} nodes, {ann.get('tombstones', 0):,} tombstones"
        described = (
            f"HNSW (M={ann.get('m')}) over 8-bit scalar-quantised codes, "
            f"{ef['candidates']} candidates re-scored exactly; "
            f"efSearch={ef['value']} ({source}{effective}); {graph}"
        )
    return described + "".join(f" [{note}]" for note in notes)


def _print_damaged(index: Path, reason: str, *, as_json: bool) -> int:
    """``index info`` of an index whose manifest cannot be read: only its status is known."""
    status = f"damaged: {reason}"
    if as_json:
        print(json.dumps({"index": str(index), "status": status}))
    else:
        print(f"{'index:':<15}{index}\n{'status:':<15}{status}")
    return EXIT_OK


def command_index_list(args: argparse.Namespace, settings: Settings) -> int:
    from embeddings import list_encoders, list_indexes, list_vector_caches

    _, current, _ = locations(args, settings, check=False)
    indexes = list_indexes(settings.data_dir)
    encoders = list_encoders(settings.data_dir, indexes)
    caches = list_vector_caches(settings.data_dir, indexes)
    if args.json:
        document = {
            "data_dir": str(settings.data_dir),
            "indexes": [
                {**summary.to_json(), "current": summary.path == current} for summary in indexes
            ],
            "encoders": [encoder.to_json() for encoder in encoders],
            "vector_caches": [cache.to_json() for cache in caches],
        }
        print(json.dumps(document, ensure_ascii=False))
        return EXIT_OK
    if not indexes:
        print(f"no indexes in {settings.data_dir}")
    for summary in indexes:
        _print_index(summary, is_current=summary.path == current)
    if encoders:
        print("shared query encoders:")
    for encoder in encoders:
        _print_encoder(encoder)
    if caches:
        print("vector caches (sentence vectors kept for the next build):")
    for cache in caches:
        _print_cache(cache)
    return EXIT_OK


def _print_index(summary: IndexSummary, *, is_current: bool) -> None:
    status = summary.status + (f": {summary.detail}" if summary.detail else "")
    print(f"{summary.path.name}{'  (current)' if is_current else ''}")
    rows = [
        ("status", status),
        ("corpus", summary.corpus_dir or "-"),
        ("model", summary.model or "-"),
        ("sentences", "-" if summary.sentence_count is None else str(summary.sentence_count)),
        ("size", _size(summary.size_bytes)),
        ("last used", _when(summary.last_used)),
        ("folder", str(summary.path)),
    ]
    for name, value in rows:
        print(f"  {name + ':':<11}{value}")


def _print_encoder(encoder: EncoderSummary) -> None:
    users = len(encoder.used_by)
    print(
        f"  {encoder.path.name}  {_size(encoder.size_bytes)}, used by {users} "
        f"index{'' if users == 1 else 'es'}  ({encoder.path})"
    )


def _print_cache(cache: CacheSummary) -> None:
    if cache.shared:
        users = "sentence spans, shared by every model"
    else:
        count = len(cache.used_by)
        users = f"used by {count} index{'' if count == 1 else 'es'}"
    print(f"  {cache.path.name}  {_size(cache.size_bytes)}, {users}  ({cache.path})")


def command_index_prune(args: argparse.Namespace, settings: Settings) -> int:
    from embeddings import prune_indexes

    _, current, _ = locations(args, settings, check=False)
    keep: list[Path] = [] if args.include_current else [current]
    result = prune_indexes(
        settings.data_dir, keep=keep, unused_days=args.unused_days, dry_run=args.dry_run
    )
    verb = "would remove" if args.dry_run else "removed"
    for summary, reason in result.indexes:
        print(f"{verb} {summary.path} ({reason}; {_size(summary.size_bytes)})")
    for encoder in result.encoders:
        print(f"{verb} unused query encoder {encoder.path} ({_size(encoder.size_bytes)})")
    for cache in result.caches:
        print(
            f"{verb} the vector cache of an unused model {cache.path} ({_size(cache.size_bytes)})"
        )
    for path in result.kept_current:
        print(f"kept {path}: the index of the current corpus (--include-current removes it)")
    for path, reason in result.kept:
        print(f"kept {path}: {reason}")
    if not result.indexes and not result.encoders and not result.caches:
        print(f"nothing to remove in {settings.data_dir}")
    else:
        print(f"{'would free' if args.dry_run else 'freed'} {_size(result.freed_bytes)}")
    return EXIT_OK


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _when(timestamp: float | None) -> str:
    if timestamp is None:
        return "never"
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(timestamp))


COMMANDS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
    "index build": command_index_build,
    "index info": command_index_info,
    "index verify": command_index_verify,
    "index list": command_index_list,
    "index prune": command_index_prune,
}
