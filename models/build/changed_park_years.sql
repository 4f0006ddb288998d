-- The park-years with new figures in this run (their earlier quarantine, if any, is judged again).
select distinct n.park_name, o.year
from {{ ref('stg_raw__observations') }} o
join {{ source('build', 'pending_files') }} p on p.file_sha256 = o.file_sha256 and p.reason = 'loaded'
join {{ ref('int_park_names') }} n on n.park_key = o.park_key
where o.year is not null
