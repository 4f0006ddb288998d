-- Government-work-report targets missed in the latest year that has targets, and the ones that
-- cannot be judged yet (no statistics) so they are not forgotten.
with latest as (select park_name, max(year) as year from marts.target_tracking group by park_name)
select t.park_name, t.year, t.indicator_name, t.target_text, t.target_kind, t.comparator, t.target_value,
       t.actual_value, t.met, t.note
from marts.target_tracking t join latest l using (park_name, year)
where t.met = false or (t.met is null and t.target_kind <> 'qualitative')
order by t.park_name, t.met nulls last, t.indicator_name;
