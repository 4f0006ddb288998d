-- The parks this build recomputes: those with figures in a file loaded (or rejected after loading)
-- by this run, or every park when the marts are rebuilt whole. Incremental models replace exactly
-- these parks' rows; the quality gate validates exactly these parks.
{%- if flags.FULL_REFRESH %}
select distinct park_name from {{ ref('int_park_names') }}
{%- else %}
select distinct n.park_name
from {{ source('build', 'pending_files') }} p
join {{ ref('int_park_names') }} n on n.park_key = {{ name_key('p.park_name') }}
{%- endif %}
