{{ config(materialized='incremental', incremental_strategy='replace_parks', on_schema_change='sync_all_columns') }}
-- depends_on: {{ ref('changed_parks') }}
-- Step 2 of the evaluator: each indicator of a park-year judged by its rule (rebuilt park by park:
-- the parks this build changed). The CTEs are the steps: the threshold rows whose condition holds for the park-year,
-- the rule chosen among them, the value judged against it (markers, comparators, "or improved"),
-- the gap to pass of a failing indicator (docs/domain.md), whether it counts in the verdict, and
-- the points it earns where the system scores.
with inputs as (
    select * from {{ ref('int_system_assessment_inputs') }}
),
thresholds as (
    select * from {{ ref('int_system_thresholds') }}
),
rules as (
    select * from {{ ref('int_system_rules') }}
),
condition_figures as (
    select * from {{ ref('int_system_inputs') }}
    where ref_kind = 'current' and park_name in (select park_name from {{ ref('changed_parks') }})
),
conditions_that_hold as (
    -- every threshold row of the indicator, with whether its condition holds for the park-year
    select i.system_code, i.park_name, i.year, i.indicator_code, t.condition, t.comparator, t.threshold,
           t.pass_markers, t.fail_markers, t.or_trend, t.source as threshold_source,
           c.value as condition_figure, c.label as condition_label,
           case t.condition
               when 'always' then true
               when 'region_class' then t.condition_value = i.region_class
               when 'dominant_industry' then i.dominant_industry is not null
                                             and (coalesce(t.condition_value, '') in ('', '*') or t.condition_value = i.dominant_industry)
               when 'driver_growth' then (t.condition_value = 'positive' and i.park_driver_growth > 0)
                                      or (t.condition_value = 'negative' and i.park_driver_growth < 0)
               when 'component_range' then c.value >= coalesce(t.lower, c.value) and c.value < coalesce(t.upper, c.value + 1)
           end as holds
    from inputs i
    join thresholds t on t.system_code = i.system_code and t.indicator_code = i.indicator_code
    left join condition_figures c on t.condition = 'component_range' and c.system_code = i.system_code
        and c.park_name = i.park_name and c.year = i.year and c.component_code = t.condition_value
),
why_no_rule as (
    select system_code, park_name, year, indicator_code,
           any_value(condition) filter (where condition <> 'dominant_industry') as rule_condition,
           any_value(condition_label) filter (where condition = 'component_range') as condition_label,
           bool_or(condition_figure is not null) as condition_known
    from conditions_that_hold
    group by all
),
chosen as (
    -- a row that names a condition wins over an 'always' row; among equals, the lowest threshold
    -- (chosen on the narrow threshold rows: a window buffers every column of its input)
    select system_code, park_name, year, indicator_code, condition, comparator, threshold, pass_markers,
           fail_markers, or_trend, threshold_source
    from conditions_that_hold
    where holds
    qualify row_number() over (partition by system_code, park_name, year, indicator_code
                               order by condition = 'always', threshold) = 1
),
chosen_rule as (
    select i.*, t.condition, t.comparator, t.threshold, t.pass_markers, t.fail_markers, t.or_trend, t.threshold_source,
           w.rule_condition, w.condition_label, w.condition_known
    from inputs i
    left join chosen t on t.system_code = i.system_code and t.park_name = i.park_name
        and t.year = i.year and t.indicator_code = i.indicator_code
    left join why_no_rule w on w.system_code = i.system_code and w.park_name = i.park_name and w.year = i.year
        and w.indicator_code = i.indicator_code
),
valued as (
    select *,
        coalesce(computed_value, reported_value) as value,
        trim(coalesce(value_text, '')) as marker
    from chosen_rule
),
series as (
    -- "≥90 或持续提高": how the value moved since the previous reported year, and whether it
    -- improved at every reported year so far, on the side the comparator asks; computed on the
    -- narrow series and joined back, for the same reason as above
    select system_code, park_name, indicator_code, year, value, comparator,
        lag(value ignore nulls) over w as previous_value,
        lag(case when value is not null then year end ignore nulls) over w as previous_year,
        first_value(value ignore nulls) over (w rows between unbounded preceding and current row) as first_value,
        first_value(case when value is not null then year end ignore nulls)
            over (w rows between unbounded preceding and current row) as first_year
    from valued
    window w as (partition by system_code, park_name, indicator_code order by year)
),
improved as (
    select *,
        case when comparator in ('>=', '>') then value > previous_value
             when comparator in ('<=', '<') then value < previous_value end as improved_on_previous
    from series
),
trend as (
    select system_code, park_name, indicator_code, year, previous_value, previous_year, first_value, first_year,
        improved_on_previous,
        -- every step so far an improvement (the period reading of 持续提高)
        bool_and(improved_on_previous) over (partition by system_code, park_name, indicator_code order by year
                                             rows between unbounded preceding and current row) as improved_every_year
    from improved
),
judged as (
    select v.*, t.previous_value, t.previous_year, t.first_value, t.first_year, t.improved_on_previous,
        t.improved_every_year,
        case
            when v.comparator = 'external' then null
            when v.value_kind = 'not_applicable' then null
            when v.comparator = 'none' then null
            when v.marker <> '' and list_contains(string_split(coalesce(v.fail_markers, ''), '|'), v.marker) then false
            when v.marker <> '' and list_contains(string_split(coalesce(v.pass_markers, ''), '|'), v.marker) then true
            when v.comparator = 'marker' then null
            else {{ meets('v.value', 'v.comparator', 'v.threshold') }}
        end as meets_threshold
    from valued v
    join trend t on t.system_code = v.system_code and t.park_name = v.park_name
        and t.indicator_code = v.indicator_code and t.year = v.year
),
passed as (
    select *,
        case when meets_threshold = false and or_trend = 'previous' and improved_on_previous then 'previous'
             when meets_threshold = false and or_trend = 'period' and improved_every_year and previous_value is not null then 'period'
        end as passed_by_trend,
        case when meets_threshold = false and or_trend = 'previous' and improved_on_previous then true
             when meets_threshold = false and or_trend = 'period' and improved_every_year and previous_value is not null then true
             when meets_threshold = false and or_trend is not null and previous_value is null then null  -- no earlier year to compare
             else meets_threshold end as passed
    from judged
),
gapped as (
    select *,
        case when passed = false and comparator in ('>=', '>', '<=', '<') then round(
            {{ gap_pass_value('kind', 'threshold', 'multiplier', 'num_cur', 'den_cur', 'num_ref', 'den_ref',
                              'year - ref_year', 'year - base_year', 'park_driver_growth') }}, 10) end as gap_pass_value_raw
    from passed
),
counted as (
    -- what decides the verdict: core indicators only where the core decides; else mandatory and core
    -- indicators and the optional ones the park selected; a group's members count through their group
    select g.*,
        case when r.core_decides then g.role = 'core'
             when g.role in ('mandatory', 'core') then true
             when g.role = 'optional' then coalesce(g.selection in (select text from {{ ref('template_headers') }}
                                                                   where template = 'eip_form' and role = 'selected'), false)
             else false end as counted
    from gapped g
    left join rules r on r.system_code = g.system_code
),
scored as (
    -- points towards a score: all of them on a pass, or in proportion to how far the value gets
    -- towards the threshold, capped at the indicator's points
    select *,
        case when points is null then null
             when passed is null then 0
             when points_rule = 'proportional' and comparator in ('>=', '>') and threshold > 0 and value is not null
                  then points * least(greatest(value / threshold, 0), 1)
             when points_rule = 'proportional' and comparator in ('<=', '<') and value > 0
                  then points * least(threshold / value, 1)
             when passed then points
             else 0 end as points_earned
    from counted
)
select *,
    case when value_kind = 'not_applicable' then 'not_applicable'
         when passed then 'pass'
         when passed = false then 'fail'
         else 'not_assessable' end as status
from scored
