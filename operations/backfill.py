"""Launch a genre or series backfill through a running Dagster webserver's GraphQL API.

Only the standard library is used, so the command works against any deployment the user can
reach over HTTP, not only the local instance.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from microdrama.keys import EpisodeKey, check_key, parse_series

LOCATION = "microdrama"

PARTITIONS_QUERY = """
query { assetNodeOrError(assetKey: {path: ["premise"]}) {
  ... on AssetNode { partitionKeys } } }
"""
ADD_PARTITION = """
mutation Add($selector: RepositorySelector!, $name: String!, $key: String!) {
  addDynamicPartition(repositorySelector: $selector, partitionsDefName: $name, partitionKey: $key) {
    __typename ... on PythonError { message } ... on UnauthorizedError { message } } }
"""
LAUNCH = """
mutation Launch($params: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $params) {
    __typename ... on LaunchBackfillSuccess { backfillId }
    ... on PythonError { message } ... on PartitionSetNotFoundError { message }
    ... on InvalidStepError { invalidStepKey } ... on InvalidOutputError { stepKey }
    ... on UnauthorizedError { message } } }
"""
EPISODE_ASSETS = [
    *("premise", "script", "frames", "voice", "motion", "cut", "music", "localized"),
    *("catalog", "gallery"),
]
LOCALE_ASSETS = ["voice", "music", "localized", "catalog", "gallery"]  # not the picture (cut)


class BackfillError(RuntimeError):
    pass


def graphql(url: str, query: str, variables: dict | None = None) -> dict:
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(
        f"{url.rstrip('/')}/graphql", data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            payload = json.loads(response.read())
    except (urllib.error.URLError, TimeoutError) as exc:
        raise BackfillError(
            f"cannot reach the Dagster webserver at {url} ({exc}); "
            "start it with `make dev` or pass --url"
        ) from exc
    if payload.get("errors"):
        raise BackfillError(f"GraphQL error: {payload['errors'][0].get('message')}")
    return payload["data"]


def live_keys(url: str) -> list[EpisodeKey]:
    node = graphql(url, PARTITIONS_QUERY)["assetNodeOrError"]
    return [EpisodeKey.parse(k) for k in node.get("partitionKeys") or []]


def add_pilots(url: str, genre: str, count: int, live: list[EpisodeKey]) -> list[EpisodeKey]:
    """`count` new series of `genre`, numbered after its highest live series (a number the
    instance already holds is skipped: the webserver refuses duplicates)."""
    selector = {"repositoryName": "__repository__", "repositoryLocationName": LOCATION}
    series = max((k.series for k in live if k.genre == genre), default=0)
    added: list[EpisodeKey] = []
    while len(added) < count:
        series += 1
        key = EpisodeKey(genre, series, 1)
        done = graphql(
            url, ADD_PARTITION, {"selector": selector, "name": "episodes", "key": str(key)}
        )["addDynamicPartition"]
        if done["__typename"] == "AddDynamicPartitionSuccess":
            added.append(key)
        elif done["__typename"] != "DuplicateDynamicPartitionError":
            raise BackfillError(f"could not add episode {key}: {done}")
    return added


def launch_backfill(
    url: str,
    genre: str | None = None,
    series: str | None = None,
    new: int | None = None,
    locales_only: bool = False,
) -> tuple[str, list[str]]:
    """Backfill exactly the live episodes of a genre or a series (parsed from each key, so
    `revenge` never takes `revenge-x`), or `new` new pilots of a genre. `locales_only` remakes
    only the dubs and the package (MICRODRAMA_LOCALES as the code location has it), not the
    picture. Returns the backfill id and its keys."""
    live = live_keys(url)
    if new is not None:
        if locales_only:
            raise BackfillError("--locales-only adds locales to episodes already made")
        if genre is None:
            raise BackfillError("--episodes N makes N new pilots: name their --genre")
        wanted = add_pilots(url, check_key("genre", genre), new, live)
    elif series is not None:
        genre_of, number = parse_series(series)
        wanted = [k for k in live if (k.genre, k.series) == (genre_of, number)]
    else:
        wanted = [k for k in live if k.genre == check_key("genre", genre or "")]
    if not wanted:
        raise BackfillError(
            f"no live episodes of {series or genre}; use --episodes N to make new pilots"
        )
    partitions = [str(k) for k in sorted(wanted)]
    params = {
        "assetSelection": [
            {"path": [a]} for a in (LOCALE_ASSETS if locales_only else EPISODE_ASSETS)
        ],
        "partitionNames": partitions,
        "title": f"backfill {series or genre}",
        "tags": [{"key": "microdrama/reason", "value": "backfill"}],
    }
    launched = graphql(url, LAUNCH, {"params": params})["launchPartitionBackfill"]
    if launched["__typename"] != "LaunchBackfillSuccess":
        raise BackfillError(f"backfill was not launched: {launched}")
    return launched["backfillId"], partitions
