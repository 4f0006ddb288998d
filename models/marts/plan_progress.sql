{{ config(materialized='incremental', incremental_strategy='replace_parks', on_schema_change='sync_all_columns') }}
-- depends_on: {{ ref('changed_parks') }}
-- Five-year-plan indicators followed from the plan's printed base-year value to its target, with the
-- latest actual from the yearly statistics (directly or through a derived-indicator definition).
-- Rates are fractions (0.05 = 5 %). Different units are never compared. Rebuilt park by park.
with plan as (
    select * from {{ ref('int_plan_targets_parsed') }} where {{ changed_parks_only('park_name') }}
),
conv as (
    select * from {{ ref('unit_conversions') }}
),
direct as (
    select park_name, indicator_name, year, value, unit, is_preliminary, 'statistics' as method,
           source_file || '!' || source_sheet || '!' || source_cell as derived_from, null as series_note
    from {{ ref('int_statistics_current') }}
    where value is not null and (park_name, indicator_name) in (select park_name, indicator_name from plan)  -- the plan's own series
),
ratio as (
    select park_name, indicator_name, year, value, unit, is_preliminary, 'derived' as method, derived_from,
           note as series_note
    from {{ ref('int_indicator_series_derived') }}
    where park_name in (select distinct park_name from plan)
),
mean_growth as (
    -- average of the reported yearly growth rates since the plan's base year
    select p.park_name, d.indicator_name, y.year,
           100 * (exp(avg(ln(1 + g.value / 100))) - 1) as value, d.result_unit as unit,
           bool_or(g.is_preliminary) as is_preliminary, 'mean_growth' as method,
           string_agg(g.source_file || '!' || g.source_sheet || '!' || g.source_cell, ' , ' order by g.year) as derived_from,
           case when count(*) < y.year - p.base_year then 'yearly growth missing for ' || (y.year - p.base_year - count(*)) || ' year(s)' end as series_note
    from plan p
    join {{ ref('derived_indicators') }} d on d.indicator_name = p.indicator_name and d.method = 'mean_growth'
    join {{ ref('int_statistics_current') }} y on y.park_name = p.park_name and y.indicator_name = d.numerator and y.year > p.base_year
    join {{ ref('int_statistics_current') }} g on g.park_name = p.park_name and g.indicator_name = d.numerator
         and g.year > p.base_year and g.year <= y.year and g.value is not null
    group by p.park_name, d.indicator_name, d.result_unit, y.year, p.base_year
),
candidates as (
    select * from direct union all by name select * from ratio union all by name select * from mean_growth
),
latest as (
    select p.park_name, p.plan_name, p.indicator_name,
           arg_max(c.year, c.year) as latest_year,
           arg_max(c.value, c.year) as raw_latest_value,
           arg_max(c.unit, c.year) as latest_unit,
           arg_max(c.method, c.year) as latest_method,
           arg_max(c.derived_from, c.year) as latest_source,
           arg_max(c.is_preliminary, c.year) as latest_preliminary,
           arg_max(c.series_note, c.year) as series_note
    from plan p
    join candidates c on c.park_name = p.park_name and c.indicator_name = p.indicator_name
        and c.year > p.base_year and c.value is not null
    group by all
),
aligned as (
    select p.*, l.latest_year, l.latest_unit, l.latest_method, l.latest_source, l.latest_preliminary, l.series_note,
           -- the actual in the plan's unit, or NULL when the units cannot be compared
           case when l.raw_latest_value is null then null
                when coalesce(l.latest_unit, '') = coalesce(p.unit, '') then l.raw_latest_value
                when p.unit is null then l.raw_latest_value
                when cl.standard_unit = cp.standard_unit then l.raw_latest_value * cl.factor / cp.factor
           end as latest_value,
           l.raw_latest_value is not null and p.unit is not null and coalesce(l.latest_unit, '') <> p.unit
               and (cl.standard_unit is null or cp.standard_unit is null or cl.standard_unit <> cp.standard_unit)
               as unit_mismatch,
           case when p.target_kind in ('number', 'at_least', 'at_most', 'about') then p.target_low
                when p.target_kind = 'range' then case when p.direction = 'lower' then p.target_high else p.target_low end
           end as target_value,
           case when p.target_kind = 'at_least' then '>='
                when p.target_kind = 'at_most' then '<='
                when p.target_kind = 'about' then '≈'
                when p.target_kind = 'range' then 'between'
                when p.target_kind = 'number' then case when p.direction = 'lower' then '<=' else '>=' end
           end as comparator
    from plan p
    left join latest l on l.park_name = p.park_name and l.plan_name = p.plan_name and l.indicator_name = p.indicator_name
    left join conv cl on cl.unit = l.latest_unit
    left join conv cp on cp.unit = p.unit
),
rated as (
    -- a rate or share (unit %, or a name ending 率/比重/占比/增速…: seed rate_indicators) is followed in
    -- percentage points: a compound growth of a growth rate means nothing (docs/domain.md#plans)
    select *,
        exists (select 1 from {{ ref('rate_indicators') }} r
                where (r.match = 'unit' and aligned.unit = r.text)
                   or (r.match = 'name_suffix' and ends_with(aligned.indicator_name, r.text))) as is_rate
    from aligned
),
measured as (
    select *,
        -- the side of the target that is good: what the comparator asks, or the direction for a range
        case when comparator in ('>=', '>') then 'higher' when comparator in ('<=', '<') then 'lower'
             when comparator = 'between' then direction end as good_side,
        {{ safe_divide('latest_year - base_year', 'target_year - base_year') }} as time_elapsed,
        case when not is_rate then {{ annual_growth('latest_value', 'base_value', 'latest_year - base_year') }} end as achieved_rate,
        case when not is_rate then {{ required_rate('target_value', 'latest_value', 'target_year - latest_year') }} end as required_rate,
        case when comparator = 'between' then latest_value between target_low - 1e-9 and target_high + 1e-9
                  or (direction = 'higher' and latest_value > target_high)
                  or (direction = 'lower' and latest_value < target_low)
             else {{ meets('latest_value', 'comparator', 'target_value', var('target_about_tolerance_pp')) }}
        end as target_met
    from rated
),
paced as (
    -- 完成进度 (latest − base) / (target − base) is the share of the way done: it means something only
    -- for a quantity whose target asks for a change on its good side. A rate or share, an "about"
    -- target, or a target the base already meets is judged on its value against the target.
    select *,
        (good_side = 'higher' and target_value > base_value) or (good_side = 'lower' and target_value < base_value)
            as target_asks_change,
        case when not is_rate and comparator <> '≈'
                  and ((good_side = 'higher' and target_value > base_value) or (good_side = 'lower' and target_value < base_value))
             then {{ plan_progress('latest_value', 'base_value', 'target_value') }} end as progress,
        -- where the straight line from the base to the target stands after the share of the period elapsed
        case when comparator <> '≈' then round(base_value + (target_value - base_value) * time_elapsed, 10) end as path_value,
        -- how far the latest value still is from the target, on the side the target asks (0 once met)
        round(case when latest_value is null or target_value is null then null
             when target_met then 0
             when comparator = '≈' then abs(latest_value - target_value) - {{ var('target_about_tolerance_pp') }}
             when good_side = 'lower' then latest_value - target_value
             else target_value - latest_value end, 10) as remaining
    from measured
)
select
    park_name,
    plan_name,
    indicator_name,
    unit,
    attribute,
    base_year,
    base_value,
    target_year,
    target_value,
    target_text,
    latest_year,
    latest_value,
    progress,
    achieved_rate,
    required_rate,
    case when target_kind in ('qualitative', 'relative', 'none') then 'not_numeric'
         when unit_mismatch then 'not_assessable'
         when base_value is null or latest_value is null or target_value is null then 'not_assessable'
         when target_met then 'achieved'
         -- "about X" is met inside the tolerance band only; progress towards it says nothing more
         when comparator = '≈' then 'behind'
         -- on track: the latest value stands on the good side of the straight line from base to target
         when good_side = 'higher' and latest_value >= path_value - 1e-9 then 'on_track'
         when good_side = 'lower' and latest_value <= path_value + 1e-9 then 'on_track'
         else 'behind' end as status,
    nullif(concat_ws('; ',
        case when target_kind = 'qualitative' then 'qualitative target: ' || regexp_replace(target_text, '\s', '', 'g') end,
        case when target_kind = 'relative' then 'relative target: ' || regexp_replace(target_text, '\s', '', 'g') end,
        case when target_kind = 'none' then 'no target' end,
        case when unit_mismatch then 'unit mismatch: plan in ' || unit || ', statistics in ' || coalesce(latest_unit, '(none)') || ': not compared' end,
        case when target_kind not in ('qualitative', 'relative', 'none') and base_value is null then 'no base-year value (' || coalesce(regexp_replace(base_text, '\s', '', 'g'), 'blank') || ')' end,
        case when target_kind not in ('qualitative', 'relative', 'none') and latest_year is null then 'no actual after the base year in the statistics' end,
        case when target_kind = 'about' then 'target about ' || target_value || ' (±' || {{ var('target_about_tolerance_pp') }} || '): met only inside that band' end,
        case when target_kind = 'range' then 'target range ' || target_low || '–' || target_high end,
        case when comparator is not null and comparator <> '≈' and latest_value is not null and target_value = base_value then 'progress undefined (target equals base)' end,
        case when is_rate then 'a rate or share: judged on its value, in percentage points; no compound achieved or required rate' end,
        case when not is_rate and latest_value is not null and target_value <> base_value and not target_asks_change
             then 'target already met at the base year: judged on its value, no progress ratio' end,
        case when not is_rate and latest_value is not null and achieved_rate is null then 'achieved rate undefined: ' || coalesce({{ annual_growth_note('latest_value', 'base_value', 'latest_year - base_year') }}, '') end,
        case when latest_preliminary then 'latest value preliminary' end,
        case when latest_method = 'derived' then 'latest value derived from statistics: ' || latest_source end,
        case when latest_method = 'mean_growth' then 'latest value: mean of yearly growth rates since ' || base_year end,
        series_note
    ), '') as note,
    direction,
    is_rate,
    target_kind,
    comparator,
    time_elapsed,
    category,
    seq_no,
    latest_method,
    latest_source,
    source_file,
    source_sheet,
    source_cells,
    path_value,
    remaining
from paced
