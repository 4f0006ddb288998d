-- The park-years with new figures in this run (their earlier quarantine, if any, is judged again).
-- A semi-join on the files: build.pending_files holds a row per park of each file, and joining on
-- it row by row would multiply a provincial workbook's cells by its number of parks.
select distinct n.park_name, o.year
from {{ ref('stg_raw__observations') }} o
join {{ ref('int_park_names') }} n on n.park_key = o.park_key
where o.year is not null
  and o.load_seq in {{ night_loads() }}
  and o.file_sha256 in (select file_sha256 from {{ source('build', 'pending_files') }} where reason = 'loaded')
