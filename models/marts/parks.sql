-- Every park seen in a submission or named in the registry: its canonical name, the spellings it
-- was written with, and what the registry knows about it.
with seen as (
    select n.park_name,
           string_agg(distinct o.park_name_as_written, '|' order by o.park_name_as_written) as names_as_written,
           min(o.source_file) as first_seen_file,
           min(o.loaded_at) as first_seen_at,
           count(*) as n_figures
    from {{ ref('stg_raw__observations') }} o
    join {{ ref('int_park_names') }} n on n.park_key = o.park_key
    group by all
)
select
    coalesce(s.park_name, r.park_name) as park_name,
    s.names_as_written,
    r.park_name is not null as registered,
    r.park_type,
    r.planning_base_year,
    r.region_class,
    r.dominant_industry,
    s.first_seen_file,
    s.first_seen_at,
    coalesce(s.n_figures, 0) as n_figures
from seen s
full join {{ ref('int_park_registry') }} r on r.park_name = s.park_name
