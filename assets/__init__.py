"""Software-defined assets, one module per artifact: templates + trends -> release -> premise
-> script -> frames + voice (every locale) -> motion -> cut (the picture) -> music ->
localized (the HLS package) -> catalog -> gallery, and engagement feed -> engagement ->
audience model -> audience report."""

import dagster as dg

from assets.audience import audience_model, audience_report
from assets.catalog import catalog
from assets.cut import cut
from assets.engagement import engagement, engagement_feed
from assets.frames import frames
from assets.gallery import gallery
from assets.localized import localized
from assets.motion import motion
from assets.music import music
from assets.premise import premise
from assets.release import release
from assets.script import script
from assets.templates import genre_templates
from assets.trends import trends
from assets.voice import voice

EPISODE_ASSETS = [premise, script, frames, voice, motion, cut, music, localized, catalog, gallery]
AUDIENCE_ASSETS = [engagement, audience_model]
ALL_ASSETS = [
    genre_templates,
    trends,
    release,
    *EPISODE_ASSETS,
    engagement_feed,
    *AUDIENCE_ASSETS,
    audience_report,
]

templates_job = dg.define_asset_job(
    "templates_job",
    selection=[genre_templates],
    description="Validate one genre's template into the templates table.",
)
trends_job = dg.define_asset_job(
    "trends_job", selection=[trends], description="Load the trend feed into the trends table."
)
episode_job = dg.define_asset_job(
    "episode_job",
    selection=EPISODE_ASSETS,
    description="Make one episode (or a batch), from its premise to its card in the gallery.",
)
locales_job = dg.define_asset_job(
    "locales_job",
    selection=[voice, music, localized, catalog, gallery],
    description="Dub and package the configured locales onto episodes already made; their "
    "picture (the cut) is kept as it is, their score made again (the same, being seeded).",
)
audience_job = dg.define_asset_job(
    "audience_job",
    selection=AUDIENCE_ASSETS,
    description="Take the engagement feed in and update the audience model.",
)
audience_report_job = dg.define_asset_job(
    "audience_report_job",
    selection=[audience_report],
    description="Write the audience model's pictures as a static page beside the gallery.",
)
JOBS = [templates_job, trends_job, episode_job, locales_job, audience_job, audience_report_job]
