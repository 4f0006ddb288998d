-- An invariant of the code: a system verdict that passes on its indicators has no counted indicator
-- failing (a system that scores decides by its grade instead).
select v.system_code, v.park_name, v.year, v.verdict, f.failed
from {{ ref('system_verdict') }} v
join (select system_code, park_name, year, count(*) filter (where counted and status = 'fail') as failed
      from {{ ref('system_assessment') }} group by system_code, park_name, year) f
  using (system_code, park_name, year)
where v.verdict = 'pass' and f.failed > 0 and v.grade is null
  and v.system_code in (select system_code from {{ ref('int_system_rules') }}
                        where every_counted_indicator_passes or core_decides)
