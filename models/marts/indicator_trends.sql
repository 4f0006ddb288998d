{{ config(materialized='incremental', incremental_strategy='replace_parks', on_schema_change='sync_all_columns') }}
-- depends_on: {{ ref('changed_parks') }}
-- Growth and baseline comparisons of every yearly statistics series (domain.md §5): one row per park,
-- indicator, unit family and year. A series is shown in the unit of its latest year; figures in
-- other units of the same family are converted first; units that cannot be converted into each
-- other are separate series. Rates and shares (seed rate_indicators) are compared in percentage
-- points, never as a growth of a growth. Year-on-year and n-year growth need the exact earlier
-- year: never across a gap. Rebuilt park by park.
with registry as (
    select park_name, planning_base_year from {{ ref('int_park_registry') }}
),
stats as (
    select s.park_name, s.indicator_name, s.year, s.value, s.unit, s.is_preliminary,
           coalesce(c.standard_unit, s.unit, '') as family, c.factor,
           s.source_file || '!' || s.source_sheet || '!' || s.source_cell as source
    from {{ ref('int_statistics_current') }} s
    left join {{ ref('unit_conversions') }} c on c.unit = s.unit
    where s.value is not null and {{ changed_parks_only('s.park_name') }}
),
shown as (
    -- the unit of the series' latest year, and every figure converted into it
    select *,
        last_value(unit) over (partition by park_name, indicator_name, family order by year
                               rows between unbounded preceding and unbounded following) as display_unit,
        last_value(factor) over (partition by park_name, indicator_name, family order by year
                                 rows between unbounded preceding and unbounded following) as display_factor
    from stats
),
converted as (
    select sh.park_name, sh.indicator_name, sh.family, sh.year, sh.display_unit as unit, sh.is_preliminary, sh.source,
           case when sh.factor is not null and sh.display_factor is not null then sh.value * sh.factor / sh.display_factor
                else sh.value end as value,
           coalesce(sh.unit, '') <> coalesce(sh.display_unit, '') as converted,
           exists (select 1 from {{ ref('rate_indicators') }} r
                   where (r.match = 'unit' and sh.display_unit = r.text)
                      or (r.match = 'name_suffix' and ends_with(sh.indicator_name, r.text))) as is_rate,
           coalesce(g.planning_base_year, min(sh.year) over (partition by sh.park_name, sh.indicator_name, sh.family))
               as base_year,
           g.planning_base_year is not null as base_from_registry
    from shown sh
    left join registry g on g.park_name = sh.park_name
),
lagged as (
    -- the figures of the five years before, when reported: a lag k rows back is year t−n only if its year says so
    select *,
        {%- for k in range(1, 6) %}
        lag(year, {{ k }}) over w as y{{ k }}, lag(value, {{ k }}) over w as v{{ k }}, lag(is_preliminary, {{ k }}) over w as p{{ k }},
        {%- endfor %}
        max(case when year = base_year then value end) over (partition by park_name, indicator_name, family) as base_value,
        bool_or(year = base_year and is_preliminary) over (partition by park_name, indicator_name, family) as base_preliminary
    from converted
    window w as (partition by park_name, indicator_name, family order by year)
),
exact as (
    select *,
        case when y1 = year - 1 then v1 end as prev_value,
        case when y1 = year - 1 then p1 end as prev_preliminary,
        case {% for k in range(1, 4) %}when y{{ k }} = year - 3 then v{{ k }} {% endfor %}end as value_3y,
        case {% for k in range(1, 4) %}when y{{ k }} = year - 3 then p{{ k }} {% endfor %}end as preliminary_3y,
        case {% for k in range(1, 6) %}when y{{ k }} = year - 5 then v{{ k }} {% endfor %}end as value_5y,
        case {% for k in range(1, 6) %}when y{{ k }} = year - 5 then p{{ k }} {% endfor %}end as preliminary_5y
    from lagged
)
select
    park_name,
    indicator_name,
    unit,
    year,
    value,
    prev_value,
    -- percentages rounded to 10 decimals: beyond that the digits are floating-point noise
    case when not is_rate then round(100 * {{ yoy_growth('value', 'prev_value') }}, 10) end as yoy_pct,
    case when is_rate then round(value - prev_value, 10) end as yoy_pp,
    base_year,
    base_value,
    case when not is_rate then {{ safe_divide('value', 'base_value') }} end as vs_base_ratio,
    value - base_value as vs_base_diff,
    case when not is_rate then round(100 * {{ annual_growth('value', 'base_value', 'year - base_year') }}, 10) end as cagr_base_pct,
    case when not is_rate then round(100 * {{ annual_growth('value', 'value_3y', '3') }}, 10) end as cagr_3y_pct,
    case when not is_rate then round(100 * {{ annual_growth('value', 'value_5y', '5') }}, 10) end as cagr_5y_pct,
    is_rate,
    coalesce(is_preliminary or prev_preliminary or (base_value is not null and base_preliminary)
             or preliminary_3y or preliminary_5y, false) as is_preliminary,
    nullif(concat_ws('; ',
        case when is_rate then 'a rate or share: changes in percentage points, no growth rates' end,
        case when prev_value is null and y1 is not null then 'no figure for ' || (year - 1) || ': no year-on-year change across a gap' end,
        case when not is_rate and prev_value is not null and prev_value <= 0 then 'previous value zero or negative: growth undefined' end,
        case when base_value is null then 'base year ' || base_year || ' not reported' end,
        case when not is_rate and base_value is not null and base_value <= 0 then 'base value zero or negative: growth undefined' end,
        case when converted then 'converted into ' || unit end,
        case when coalesce(is_preliminary or prev_preliminary or base_preliminary or preliminary_3y or preliminary_5y, false)
             then 'a preliminary figure at one end' end
    ), '') as note,
    family as unit_family,
    source
from exact
