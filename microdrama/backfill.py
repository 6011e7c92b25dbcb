"""Launch a genre backfill through a running Dagster webserver's GraphQL API.

Only the standard library is used, so the command works against any deployment the user can
reach over HTTP, not only the local instance.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from microdrama.keys import check_key, episode_key

EPISODE_ASSETS = ["premise", "script", "frames", "voice", "cut", "localized"]
LOCATION = "microdrama"

PARTITIONS_QUERY = """
query { assetNodeOrError(assetKey: {path: ["premise"]}) {
  ... on AssetNode { partitionKeysByDimension { name partitionKeys } } } }
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


def existing_slots(url: str) -> dict[str, list[str]]:
    node = graphql(url, PARTITIONS_QUERY)["assetNodeOrError"]
    return {d["name"]: d["partitionKeys"] for d in node.get("partitionKeysByDimension") or []}


def launch_genre_backfill(url: str, genre: str, episodes: int | None) -> tuple[str, list[str]]:
    """Backfill every episode of `genre` (episodes=None) or its first `episodes` slots.

    Missing genre or episode slots are added first. Returns the backfill id and its partitions.
    """
    check_key("genre", genre)
    slots = existing_slots(url)
    wanted = (
        sorted(slots.get("episode", []))
        if episodes is None
        else [episode_key(n) for n in range(1, episodes + 1)]
    )
    if not wanted:
        raise BackfillError("there are no episode slots yet; use --episodes N to create some")
    selector = {"repositoryName": "__repository__", "repositoryLocationName": LOCATION}
    additions = [("genre", genre)] if genre not in slots.get("genre", []) else []
    additions += [("episode", e) for e in wanted if e not in slots.get("episode", [])]
    for name, key in additions:
        added = graphql(url, ADD_PARTITION, {"selector": selector, "name": name, "key": key})
        if added["addDynamicPartition"]["__typename"] != "AddDynamicPartitionSuccess":
            raise BackfillError(f"could not add {name} partition {key!r}: {added}")
    partitions = [f"{e}|{genre}" for e in wanted]
    params = {
        "assetSelection": [{"path": [a]} for a in EPISODE_ASSETS],
        "partitionNames": partitions,
        "title": f"backfill {genre}",
        "tags": [{"key": "microdrama/reason", "value": "backfill"}],
    }
    launched = graphql(url, LAUNCH, {"params": params})["launchPartitionBackfill"]
    if launched["__typename"] != "LaunchBackfillSuccess":
        raise BackfillError(f"backfill was not launched: {launched}")
    return launched["backfillId"], partitions
