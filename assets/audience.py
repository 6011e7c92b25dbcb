"""The audience model: engagement in, a posterior over concept features out, with its pictures;
and the audience report, those pictures as a static page beside the gallery."""

import dagster as dg
import pandas as pd

from assets.engagement import AUDIENCE_GROUP, engagement
from assets.partitions import genre_partitions
from microdrama.audience import pictures, report
from microdrama.audience.decisions import DecisionLog
from microdrama.audience.evaluation import compare
from microdrama.audience.features import ConceptFeatures, Vocabulary
from microdrama.audience.feed import STARTS
from microdrama.audience.model import WINDOW_DAYS, AudienceModel, evidence
from microdrama.audience.tables import AudienceTables
from microdrama.catalog.database import CatalogDB
from microdrama.concepts.library import Library
from microdrama.concepts.sampler import ConceptSpace
from microdrama.gallery.pages import gallery_dir, write_audience
from microdrama.media import MediaStore
from microdrama.release import utc_now
from microdrama.words.template_table import markdown_table
from resources import CatalogResource, Localization, MediaStoreResource, TemplateLibrary


def concept_rows(db: CatalogDB, increments: pd.DataFrame) -> pd.DataFrame:
    return db.rows(keys=sorted(set(increments["episode"])))


def rebuilt(
    tables: AudienceTables, db: CatalogDB, vocabulary: Vocabulary, newest: str | None
) -> AudienceModel:
    """A model from the prior and the last WINDOW_DAYS of figures, a day at a time: the first
    model, or one whose features changed (a trope or genre added, a locale served)."""
    model = AudienceModel.prior(vocabulary)
    if newest is None:
        return model
    history = tables.window(newest, WINDOW_DAYS)
    rows = evidence(history, concept_rows(db, history)) if not history.empty else history
    for _, day in rows.groupby("day") if not rows.empty else []:
        model.update(day)
    return model


def publish_to_gallery(
    store: MediaStore, episodes: pd.DataFrame, status: dict[str, str]
) -> list[str]:
    """One file per genre with its episodes' and series' figures, for the gallery's cards."""
    series = pictures.series_figures(episodes).set_index("series")
    genres = sorted(set(episodes["genre"]))
    for genre in genres:
        mine = episodes[episodes["genre"] == genre]
        payload = {
            "episodes": {
                r.episode: {"plays": int(r.plays), "rate": r.completions / r.plays}
                for r in mine.itertuples()
                if r.plays
            },
            "series": {
                s: {
                    "status": status.get(s, "testing"),
                    "plays": int(series.at[s, "plays"]),
                    "rate": None if pd.isna(series.at[s, "rate"]) else float(series.at[s, "rate"]),
                }
                for s in sorted(set(mine["series"]))
            },
        }
        write_audience(store, genre, payload)
    return genres


def learn_continuation(model: AudienceModel, db: CatalogDB, episodes: pd.DataFrame) -> int:
    """Fit the model's continuation from the episodes whose next-episode starts were reported
    (the summary's episodes: bounded, not history). Returns the episodes it learned from."""
    measured = episodes[episodes[STARTS].notna()] if STARTS in episodes else episodes.head(0)
    if measured.empty:
        return 0
    rows = db.rows(keys=sorted(measured["episode"])).set_index("key")
    measured = measured[measured["episode"].isin(rows.index)]
    names = [ConceptFeatures.of_row(rows.loc[key].to_dict()).names() for key in measured["episode"]]
    return model.fit_continuation(measured.assign(features=names))


def model_pictures(
    model: AudienceModel,
    log: DecisionLog,
    episodes: pd.DataFrame,
    library: Library,
    space: ConceptSpace,
    genres: list[str],
    locales: list[str],
) -> dict[str, str]:
    """The model's pictures as markdown tables: what the UI's metadata and the nightly report
    both show."""
    status = log.status(sorted(set(episodes["series"])))
    typicals = pictures.typical(library, space, sorted(set(genres) | set(library.genres)))
    ranked = pictures.ranked_series(episodes, status)
    found = {
        "completion_by_genre": pictures.interval_table(
            pictures.genre_posteriors(model, typicals, locales), "genre"
        ),
        "completion_by_trope": pictures.interval_table(
            pictures.trope_posteriors(model, library, typicals, locales), "trope", 15
        ),
        "last_100_releases": pictures.count_table(
            pictures.allocation(log.recent(100, kind="pilot"))
        ),
        "recent_decisions": markdown_table(
            log.recent(10).round({"propensity": 3}),
            ["decided_at", "kind", "key", "propensity", "reason"],
        ),
        "best_series": pictures.series_table(ranked.head(5)),
        "worst_series": pictures.series_table(ranked.tail(5)[::-1]),
    }
    going_on = pictures.continuation_by_genre(model, typicals)
    if going_on is not None:
        found["continuation_by_genre"] = pictures.share_table(going_on, "genre")
    estimates = off_policy(log, episodes)
    if not estimates.empty:
        found["off_policy"] = markdown_table(
            estimates.round(4), ["policy", "ips", "doubly_robust", "n"]
        )
    return found


def off_policy(log: DecisionLog, episodes: pd.DataFrame) -> pd.DataFrame:
    pilots = log.recent(1000, kind="pilot")
    rates = (episodes["completions"] / episodes["plays"]).groupby(episodes["episode"]).first()
    pilots = pilots.assign(reward=pilots["key"].map(rates)).dropna(subset=["reward"])
    return compare(pilots) if not pilots.empty else pd.DataFrame()


@dg.asset(
    deps=[engagement],
    group_name=AUDIENCE_GROUP,
    code_version="1",
    kinds={"python", "bayesianbandits"},
)
def audience_model(
    context: dg.AssetExecutionContext,
    media: MediaStoreResource,
    catalog: CatalogResource,
    templates: TemplateLibrary,
    localization: Localization,
) -> dg.MaterializeResult:
    """A posterior over concept features (genre, each beat's trope, archetypes, setting,
    locale) from the new daily figures; what the release cadence samples the next pilot from.
    Continuation (viewers going on to the next episode) is learned over the same features
    where the feed reports it. Its metadata shows completion by genre and trope with credible
    intervals, continuation by genre, the allocation of the last 100 releases, the best and
    worst series, and off-policy estimates."""
    store, db, log = media.store(), catalog.database(), catalog.decisions()
    tables = AudienceTables(store)
    library = templates.concepts()
    genres = sorted(set(context.instance.get_dynamic_partitions(genre_partitions.name)))
    locales = localization.locale_list()
    vocabulary = Vocabulary.of(library, locales, [f"genre:{g}" for g in genres])
    pending = tables.pending()
    rows = evidence(pending, concept_rows(db, pending)) if not pending.empty else pending
    model = tables.model()
    if model is None or model.vocabulary.names != vocabulary.names:
        known = [model.through] if model is not None and model.through else []
        newest = max([*known, *(rows["day"] if not rows.empty else [])], default=None)
        model, how = rebuilt(tables, db, vocabulary, newest), "rebuilt from the window"
    else:
        model.update(rows)
        how = "updated with the new figures"
    episodes = tables.add_to_episodes(rows) if not rows.empty else tables.episodes()
    measured = learn_continuation(model, db, episodes)
    tables.save_model(model)
    tables.drain_pending()
    status = log.status(sorted(set(episodes["series"])))
    shown = publish_to_gallery(store, episodes, status) if not episodes.empty else []
    drawn = model_pictures(model, log, episodes, library, templates.space(), genres, locales)
    return dg.MaterializeResult(
        metadata={
            "model": how,
            "evidence_rows": len(rows),
            "evidence_rows_ever": model.rows,
            "through": model.through or "(no engagement yet)",
            "features": len(vocabulary),
            "continuation_episodes": measured,
            **{name: dg.MetadataValue.md(table) for name, table in drawn.items()},
            "gallery_genres": dg.MetadataValue.json(shown),
        }
    )


@dg.asset(
    deps=[audience_model],
    group_name=AUDIENCE_GROUP,
    code_version="1",
    kinds={"html"},
)
def audience_report(
    context: dg.AssetExecutionContext,
    media: MediaStoreResource,
    catalog: CatalogResource,
    templates: TemplateLibrary,
    localization: Localization,
) -> dg.MaterializeResult:
    """The audience model's pictures (completion and continuation by genre and trope, the
    allocation, the best and worst series, recent decisions, off-policy estimates) as one static
    HTML page, gallery/audience.html beside the gallery: what a producer reads in the morning.
    The nightly audience report schedule makes it; it reads the saved model, never history."""
    store, log = media.store(), catalog.decisions()
    tables = AudienceTables(store)
    library = templates.concepts()
    genres = sorted(set(context.instance.get_dynamic_partitions(genre_partitions.name)))
    locales = localization.locale_list()
    model = tables.model()
    if model is None:
        vocabulary = Vocabulary.of(library, locales, [f"genre:{g}" for g in genres])
        model = AudienceModel.prior(vocabulary)
    episodes = tables.episodes()
    drawn = model_pictures(model, log, episodes, library, templates.space(), genres, locales)
    facts = {
        "engagement through": model.through or "none yet",
        "evidence rows": f"{model.rows:,}",
        "episodes with figures": len(episodes),
    }
    made = utc_now()
    path = gallery_dir(store) / report.PAGE
    store.write_file(path, report.render(drawn, facts, made).encode())
    return dg.MaterializeResult(
        metadata={
            "page": dg.MetadataValue.path(str(path)),
            "pictures": len(drawn),
            "through": model.through or "(no engagement yet)",
            "made_at": made,
        }
    )
