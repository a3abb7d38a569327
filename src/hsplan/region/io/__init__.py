"""Reading, validating and importing the region's tables from Excel workbooks and CSV files.

- `templates` — `write_template` writes the data-entry template (xlsx or csv) generated
  from the schema.
- `tables` — `read_workbook` / `read_csv_dir` / `read_tables` read and check every cell.
- `checks` — `check_region` checks a region across tables (references, containment, sums).
- `importer` — `import_tables` merges a file into a project, all or nothing.
"""

from hsplan.region.io.checks import check_region
from hsplan.region.io.importer import (
    ImportReport,
    TableChange,
    import_tables,
    merge_tables,
    validate_project,
    validate_tables,
)
from hsplan.region.io.tables import (
    ReadResult,
    SheetSource,
    read_csv_dir,
    read_tables,
    read_workbook,
)
from hsplan.region.io.templates import write_template

__all__ = [
    "ImportReport",
    "ReadResult",
    "SheetSource",
    "TableChange",
    "check_region",
    "import_tables",
    "merge_tables",
    "read_csv_dir",
    "read_tables",
    "read_workbook",
    "validate_project",
    "validate_tables",
    "write_template",
]
