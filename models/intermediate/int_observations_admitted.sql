-- The observations that feed the marts: current submissions only, minus the park-years the quality
-- gate quarantined in this run (var run_id; see expectations/gate.py). Every model downstream reads
-- this, never the staging model directly.
select o.*
from {{ ref('stg_raw__observations') }} o
where o.is_current
  and not exists (
      select 1 from {{ source('audit', 'quarantine') }} q
      where q.run_id = '{{ var("run_id", "none") }}' and q.park_name = o.park_name and q.year = o.year
  )
