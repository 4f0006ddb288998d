-- What needs a look, and where: the cell findings of the ingest (masked digits, formulas without a
-- value, text or NaN where a number belongs, repeated figures), the warnings of the quality gate
-- (units no seed knows), reported values that differ from the recomputed ones, and parks that no
-- registry knows.
select 'cell' as kind, f.file_name as file, f.sheet, f.cell, f.severity, f.message
from audit.findings f
union all
select 'quality warning', r.suite, null, null, 'warning',
       r.expectation || ' on ' || coalesce(r."column", '') || ': ' || coalesce(r.observed, '') || ' ' || coalesce(r.failing_rows_sample, '')
from audit.dq_results r
where not r.success and r.level = 'warn'
  and r.run_id = (select max(run_id) from audit.dq_results where level = 'warn' and not success)
union all
select 'reconciliation', c.source_file, c.source_sheet, c.source_cell, 'warning',
       c.indicator_name || ': reported ' || c.reported_value || ', recomputed ' || round(c.computed_value, 4)
from marts.reconciliation c
where not c.within_tolerance
union all
select 'unregistered park', null, null, null, 'info', u.finding
from marts.unregistered_parks u
order by 1, 2, 3, 4;
