{{ config(materialized='view') }}
-- The observations that feed the marts: current figures minus the park-years the quality gate holds
-- in quarantine. Every model downstream reads this, never raw or staging.
with quarantined as (
    -- active quarantines: not released, and not about a park-year with new figures in this run
    -- (those are judged again); this run's own quarantines always apply
    select q.park_name, q.year
    from {{ source('audit', 'quarantine') }} q
    where q.released_run_id is null
      and (q.run_id = (select run_id from {{ source('build', 'context') }})
           or not exists (select 1 from {{ ref('changed_park_years') }} c
                          where c.park_name = q.park_name and c.year = q.year))
)
select c.*
from {{ ref('int_observations_current') }} c
where not exists (select 1 from quarantined q where q.park_name = c.park_name and q.year = c.year)
