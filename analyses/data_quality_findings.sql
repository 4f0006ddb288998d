-- Cell-level findings of the ingest (masked digits, formulas without a value, text where a number
-- belongs) with the file, sheet and cell to fix.
select f.file_name, f.sheet, f.cell, f.severity, f.code, f.message, f.found_at
from audit.findings f
order by f.found_at desc, f.file_name, f.sheet, f.cell;
