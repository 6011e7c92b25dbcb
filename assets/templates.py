import hashlib

import dagster as dg

from assets.partitions import genre_partitions
from microdrama.keys import check_key
from microdrama.words.template import TemplateError, load_template
from microdrama.words.template_table import template_row
from resources import MediaStoreResource, TemplateLibrary


def template_source(templates: TemplateLibrary, genre: str) -> str:
    """A digest of all that `genre_templates` reads for `genre` (its file's bytes, its concept
    library's digest): while it stays the same, another run would write the same table."""
    path = templates.path / f"{genre}.yaml"
    library = templates.concepts()
    concepts = library.digest(genre) if genre in library.genres else ""
    made_of = (path.read_bytes() if path.exists() else b"") + concepts.encode()
    return hashlib.sha256(made_of).hexdigest()[:16]


@dg.asset(
    partitions_def=genre_partitions,
    group_name="inputs",
    code_version="1",
    kinds={"yaml", "parquet"},
)
def genre_templates(
    context: dg.AssetExecutionContext, media: MediaStoreResource, templates: TemplateLibrary
) -> dg.MaterializeResult:
    """One genre's template, validated into the templates table.

    Its data version is the file's content hash, so editing one template marks exactly that
    genre's episodes stale; a broken file fails this partition alone, naming file and field.
    """
    genre = check_key("genre", context.partition_key)
    path = templates.path / f"{genre}.yaml"
    library = templates.concepts()
    concept = templates.path / "concepts" / f"{genre}.yaml"
    if genre in library.genres and not path.exists():  # concept-driven, with no fallback
        return dg.MaterializeResult(
            data_version=dg.DataVersion(library.digest(genre)),
            metadata={"file": str(concept), "source": template_source(templates, genre)},
        )
    if not path.exists():
        raise dg.Failure(f"{path}: no template for genre {genre!r}")
    try:
        loaded = load_template(path)
    except TemplateError as exc:
        raise dg.Failure(
            description=str(exc),
            metadata={"problems": dg.MetadataValue.md("\n".join(f"- {p}" for p in exc.problems))},
        ) from None
    store = media.store()
    table_path = store.write_table(template_row(loaded), store.template_table(genre))
    t = loaded.template
    concept_driven = genre in library.genres  # its version is its concepts', the file a fallback
    return dg.MaterializeResult(
        data_version=dg.DataVersion(
            library.digest(genre) if concept_driven else loaded.content_hash
        ),
        metadata={
            "path": dg.MetadataValue.path(str(table_path)),
            "file": str(path),
            "source": template_source(templates, genre),
            "title": t.title,
            "shots": t.shot_count,
            "runtime_seconds": t.runtime_seconds,
            "characters": ", ".join(c.name for c in t.characters),
        },
    )
