-- An invariant of the code: a park-year that passes HJ 274 has every mandatory indicator passing,
-- and its counts stay within the standard's 32 indicators. Rows returned are the park-years that break it.
select v.park_name, v.year, v.passed, v.mandatory_total, v.mandatory_passed, a.mandatory_not_passed
from {{ ref('eip_verdict') }} v
left join (
    select park_name, year, count(*) filter (where mandatory and passed is distinct from true) as mandatory_not_passed
    from {{ ref('eip_assessment') }}
    group by park_name, year
) a using (park_name, year)
where (v.passed and coalesce(a.mandatory_not_passed, 1) > 0)
   or v.mandatory_passed not between 0 and 32
   or v.mandatory_total is null
