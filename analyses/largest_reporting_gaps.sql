-- Largest gaps between what parks reported on the HJ 274 form and what their own components give.
select park_name, year, seq_no, indicator_name, unit, reported_value, round(computed_value, 4) as computed_value,
       round(difference, 4) as difference, round(100 * relative_difference, 2) as relative_difference_pct,
       within_tolerance, source_file, source_sheet, source_cell, input_cells
from marts.reconciliation
order by within_tolerance, abs(relative_difference) desc nulls last
limit 20;
