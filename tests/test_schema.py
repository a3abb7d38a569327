"""The schema is consistent and docs/schema.md is generated from it."""

from __future__ import annotations

from pathlib import Path

from hsplan.region import schema

DOCS = Path(__file__).resolve().parents[1] / "docs" / "schema.md"


def test_docs_schema_md_is_current() -> None:
    assert DOCS.read_text(encoding="utf-8") == schema.schema_markdown(), (
        "docs/schema.md is stale: regenerate it with "
        "python -c \"from hsplan.region.schema import schema_markdown; "
        "open('docs/schema.md','w').write(schema_markdown())\""
    )


def test_headers_are_unambiguous_within_each_table() -> None:
    for t in schema.TABLES.values():
        seen: dict[str, str] = {}
        for c in t.columns:
            for h in c.headers:
                assert h not in seen, f"{t.name}: header {h!r} used by {seen[h]} and {c.id}"
                seen[h] = c.id
        assert set(t.key) <= set(t.column_ids)


def test_age_bands_cover_0_to_85_plus_in_five_year_steps() -> None:
    assert schema.AGE_BAND_IDS[0] == "age_00_04"
    assert schema.AGE_BAND_IDS[-1] == "age_85p"
    assert len(schema.AGE_BAND_IDS) == 18
    assert schema.table("人口").column("age_85p").zh == "85岁及以上"


def test_every_subtype_maps_to_a_national_category() -> None:
    assert set(schema.FACILITY_SUBTYPES.values()) == set(schema.FACILITY_CATEGORIES)
