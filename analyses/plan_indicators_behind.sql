-- Plan indicators behind schedule: how far along (progress) against the time elapsed, and the
-- yearly rate still required to reach the target.
select park_name, plan_name, indicator_name, unit, attribute, base_value, target_value, latest_year, latest_value,
       round(progress, 3) as progress, round(time_elapsed, 3) as time_elapsed,
       round(achieved_rate * 100, 2) as achieved_rate_pct, round(required_rate * 100, 2) as required_rate_pct, note
from marts.plan_progress
where status = 'behind'
order by attribute = '约束性' desc, progress - time_elapsed;
