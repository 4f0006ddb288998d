-- Step 4 of the evaluator, across parks: the composite index of a system whose rules name a
-- normalisation (verdict rule index_normalisation). Per system and year, each weighted indicator
-- is normalised across the parks that report it, in the direction that is better:
--   min_max             100 × (v − min) / (max − min)   (lower is better: (max − v) / (max − min); all equal: 100)
--   ratio_to_best       100 × v / max                   (lower is better: 100 × min / v)
--   ratio_to_benchmark  100 × v / benchmark, at most 100 (lower is better: 100 × benchmark / v)
-- A park that does not report an indicator scores 0 on it (the note names it). Indicators are
-- weighted within their group, groups across the index (seed <system>__groups, weight); the index is
-- ranked per year nationally and within the cohort the rules name (a registry attribute).
with rules as (
    select * from {{ ref('int_system_rules') }} where index_normalisation is not null
),
indicators as (
    select i.*,
           coalesce(i.direction, case when t.comparator in ('<=', '<') then 'lower' else 'higher' end) as better
    from {{ ref('int_system_indicators') }} i
    left join (select system_code, indicator_code, any_value(comparator) as comparator
               from {{ ref('int_system_thresholds') }} group by all) t
        on t.system_code = i.system_code and t.indicator_code = i.indicator_code
    where i.weight is not null and i.system_code in (select system_code from rules)
),
groups as (
    select * from {{ ref('int_system_groups') }}
),
park_years as (
    select distinct system_code, park_name, year from {{ ref('int_system_judged') }}
    where system_code in (select system_code from rules)
),
grid as (
    -- every park-year of the system against every weighted indicator: a missing figure is a 0
    select p.system_code, p.park_name, p.year, i.indicator_code, i.indicator_name, i.group_code, i.weight,
           i.better, i.benchmark, j.value
    from park_years p
    join indicators i on i.system_code = p.system_code
    left join {{ ref('int_system_judged') }} j on j.system_code = p.system_code and j.park_name = p.park_name
        and j.year = p.year and j.indicator_code = i.indicator_code
),
spread as (
    select *,
        min(value) over (partition by system_code, year, indicator_code) as lowest,
        max(value) over (partition by system_code, year, indicator_code) as highest
    from grid
),
normalised as (
    select s.*, r.index_normalisation,
        case when s.value is null then 0
             when r.index_normalisation = 'min_max' then
                 case when s.highest = s.lowest then 100
                      when s.better = 'lower' then 100 * (s.highest - s.value) / (s.highest - s.lowest)
                      else 100 * (s.value - s.lowest) / (s.highest - s.lowest) end
             when r.index_normalisation = 'ratio_to_best' then
                 case when s.better = 'lower' then case when s.value > 0 then 100 * s.lowest / s.value end
                      else case when s.highest > 0 then 100 * s.value / s.highest end end
             when r.index_normalisation = 'ratio_to_benchmark' then
                 least(100, case when s.better = 'lower' then case when s.value > 0 then 100 * s.benchmark / s.value end
                                 else 100 * s.value / nullif(s.benchmark, 0) end)
        end as score
    from spread s
    join rules r on r.system_code = s.system_code
),
weighted_groups as (
    select n.system_code, n.park_name, n.year, coalesce(n.group_code, '') as group_code,
           sum(n.weight * coalesce(n.score, 0)) / nullif(sum(n.weight), 0) as group_score,
           {{ joined_in_order('n.indicator_name', "', '", 'n.indicator_code', where='n.value is null') }} as missing
    from normalised n
    group by all
),
indexed as (
    select w.system_code, w.park_name, w.year,
           sum(coalesce(g.weight, 1) * w.group_score) / nullif(sum(coalesce(g.weight, 1)), 0) as index_value,
           {{ joined_in_order("coalesce(g.group_name, w.group_code) || ' ' || printf('%.1f', w.group_score)", "', '", 'w.group_code') }}
               as group_scores,
           {{ joined_in_order('w.missing', "', '", 'w.group_code', where='w.missing is not null') }} as indicators_missing
    from weighted_groups w
    left join groups g on g.system_code = w.system_code and g.group_code = w.group_code
    group by all
),
cohorts as (
    select i.*, r.index_last_k, r.index_last_years, r.index_cohort,
           case r.index_cohort when 'park_type' then reg.park_type when 'region_class' then reg.region_class end as cohort
    from indexed i
    join rules r on r.system_code = i.system_code
    left join {{ ref('int_park_registry') }} reg on reg.park_name = i.park_name
),
ranked as (
    select *,
        rank() over (partition by system_code, year order by index_value desc nulls last) as rank,
        count(*) over (partition by system_code, year) as parks_ranked,
        case when index_cohort is not null then rank() over (partition by system_code, year, cohort order by index_value desc nulls last) end as cohort_rank,
        case when index_cohort is not null then count(*) over (partition by system_code, year, cohort) end as cohort_size
    from cohorts
),
last_k as (
    select *, index_last_k is not null and rank > parks_ranked - index_last_k as in_last_k
    from ranked
)
select l.*,
    -- consecutive years, up to this one, in the last k
    (select count(*) from last_k p
     where p.system_code = l.system_code and p.park_name = l.park_name and p.in_last_k
       and p.year between l.year - coalesce(l.index_last_years, 1) + 1 and l.year) as last_k_years,
    l.in_last_k and l.index_last_years is not null
        and (select count(*) from last_k p
             where p.system_code = l.system_code and p.park_name = l.park_name and p.in_last_k
               and p.year between l.year - l.index_last_years + 1 and l.year) = l.index_last_years as flagged
from last_k l
