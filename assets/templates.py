import hashlib

import dagster as dg

from microdrama.tables import markdown_table, templates_table, write_table
from microdrama.template import load_templates
from resources import MediaStoreResource, TemplateLibrary


@dg.asset(group_name="inputs", code_version="1", kinds={"yaml", "parquet"})
def genre_templates(
    context: dg.AssetExecutionContext, media: MediaStoreResource, templates: TemplateLibrary
) -> dg.MaterializeResult:
    """Every genre template, validated; a broken file is recorded with its error, not fatal."""
    loaded, errors = load_templates(templates.path)
    for error in errors:
        context.log.warning(str(error))
    table = templates_table(loaded, errors)
    path = write_table(table, media.store().table_path("templates"))
    hashes = "|".join(
        sorted(f"{g}:{h}" for g, h in zip(table["genre"], table["content_hash"], strict=True))
    )
    return dg.MaterializeResult(
        data_version=dg.DataVersion(hashlib.sha256(hashes.encode()).hexdigest()[:16]),
        metadata={
            "path": dg.MetadataValue.path(str(path)),
            "valid": len(loaded),
            "invalid": len(errors),
            "templates": dg.MetadataValue.md(
                markdown_table(
                    table, ["genre", "valid", "title", "shots", "runtime_seconds", "error"]
                )
            ),
        },
    )
