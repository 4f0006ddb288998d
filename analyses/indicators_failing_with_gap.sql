-- Which indicators fail, in every indicator system, and what would pass: the component to change,
-- its value now and the value that passes (the other components held fixed). Counted indicators
-- (mandatory, core, selected) first.
select a.system_code, a.park_name, a.year, a.indicator_code, a.indicator_name, a.role, a.counted,
       round(a.value, 4) as value, a.unit, a.comparator, a.threshold,
       a.gap_component, round(a.gap_current_value, 2) as gap_current_value,
       round(a.gap_pass_value, 2) as gap_pass_value, a.gap_unit, a.note
from marts.system_assessment a
where a.status = 'fail'
order by a.counted desc, a.system_code, a.park_name, a.year, a.seq_no;
