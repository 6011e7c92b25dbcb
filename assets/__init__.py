"""Software-defined assets, one module per artifact:
templates + trends -> premise -> script -> frames + voice -> cut -> localized -> catalog."""

import dagster as dg

from assets.catalog import catalog
from assets.cut import cut
from assets.frames import frames
from assets.localized import localized
from assets.premise import premise
from assets.script import script
from assets.templates import genre_templates
from assets.trends import trends
from assets.voice import voice

INPUT_ASSETS = [genre_templates, trends]
EPISODE_ASSETS = [premise, script, frames, voice, cut, localized]
ALL_ASSETS = [*INPUT_ASSETS, *EPISODE_ASSETS, catalog]

tables_job = dg.define_asset_job(
    "tables_job",
    selection=INPUT_ASSETS,
    description="Load and validate templates and the trend feed.",
)
episode_job = dg.define_asset_job(
    "episode_job", selection=EPISODE_ASSETS, description="Render one genre x episode partition."
)
catalog_job = dg.define_asset_job(
    "catalog_job", selection=[catalog], description="Rebuild the catalog of finished episodes."
)
JOBS = [tables_job, episode_job, catalog_job]
