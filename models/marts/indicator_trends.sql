{{ config(materialized='incremental', incremental_strategy='replace_parks', on_schema_change='sync_all_columns') }}
-- depends_on: {{ ref('changed_parks') }}
-- Growth and baseline comparisons of every yearly statistics series (docs/domain.md#growth): one row per park,
-- indicator, unit family and year. A series is shown in the unit of its latest year; figures in
-- other units of the same family are converted first; units that cannot be converted into each
-- other are separate series. Rates and shares (seed rate_indicators) are compared in percentage
-- points, never as a growth of a growth. Year-on-year and n-year growth need the exact earlier
-- year: never across a gap. Rebuilt park by park.
--
-- At national scale the cost is what the window sorts, so the rows it sorts are narrow: an integer
-- series id, the year and preliminary flag packed in one integer, the figure in its standard unit,
-- and the lineage as a file number and a cell.
with registry as (
    select park_name, planning_base_year from {{ ref('int_park_registry') }}
),
files as (
    -- the workbooks and sheets the figures come from, numbered: the window carries the number, not
    -- the path (a few dozen files for millions of figures)
    select row_number() over () as file_id, source_file, source_sheet
    from (select distinct source_file, source_sheet from {{ ref('int_statistics_current') }}
          where {{ changed_parks_only('park_name') }})
),
-- not materialized: read twice (per series, then per figure), the scan and three small joins cost
-- less than writing every figure into a temporary result and reading it back
stats as not materialized (
    select s.park_name, s.indicator_name, s.year, s.unit, s.is_preliminary,
           coalesce(c.standard_unit, s.unit, '') as family, c.factor, g.planning_base_year,
           -- in the family's standard unit (seed unit_conversions, whose standard units have factor
           -- 1; a unit without a row is a family of its own): one division by the factor of the
           -- series' display unit converts any of its figures
           s.value * coalesce(c.factor, 1) as std_value,
           -- one figure per year in a series: year and flag in one integer, sorted as the year
           s.year * 2 + coalesce(s.is_preliminary, false)::int as year_flag,
           f.file_id, s.source_cell
    from {{ ref('int_statistics_current') }} s
    join files f on f.source_file is not distinct from s.source_file and f.source_sheet is not distinct from s.source_sheet
    left join {{ ref('unit_conversions') }} c on c.unit = s.unit
    left join registry g on g.park_name = s.park_name
    where s.value is not null and {{ changed_parks_only('s.park_name') }}
),
series as (
    -- per series: the unit of its latest year, its first year, and its base-year figure. One
    -- aggregate per field: struct-valued arg_max/arg_min made this grouping three times slower under
    -- the memory cap. A series has one figure per year, so every field comes from the same row.
    select park_name, indicator_name, family,
           row_number() over () as series_id,  -- an integer to partition on: sorting on it is cheap
           any_value(planning_base_year) as planning_base_year,  -- the park's: one per series
           arg_max_null(unit, year) as latest_unit,
           arg_max_null(factor, year) as latest_factor,
           min(year_flag) as first_year_flag,
           arg_min_null(std_value, year) as first_std_value,
           max(case when year = planning_base_year then std_value end) as registry_base_std_value,
           coalesce(bool_or(year = planning_base_year and is_preliminary), false) as registry_base_preliminary
    from stats
    group by park_name, indicator_name, family
),
rates as (
    -- rate or share: decided once per name and unit, not per figure
    select k.indicator_name, k.display_unit,
           exists (select 1 from {{ ref('rate_indicators') }} r
                   where (r.match = 'unit' and k.display_unit = r.text)
                      or (r.match = 'name_suffix' and ends_with(k.indicator_name, r.text))) as is_rate
    from (select distinct indicator_name, latest_unit as display_unit from series) k
),
series_facts as (
    -- what is constant over a series, joined to the figures after the window
    select sr.series_id, sr.park_name, sr.indicator_name, sr.family, sr.latest_unit as unit,
           coalesce(sr.latest_factor, 1) as display_factor,
           coalesce(r.is_rate, false) as is_rate,
           coalesce(sr.planning_base_year, sr.first_year_flag // 2) as base_year,
           case when sr.planning_base_year is not null then sr.registry_base_std_value
                else sr.first_std_value end / coalesce(sr.latest_factor, 1) as base_value,
           case when sr.planning_base_year is not null then sr.registry_base_preliminary
                else sr.first_year_flag % 2 = 1 end as base_preliminary
    from series sr
    left join rates r on r.indicator_name = sr.indicator_name and r.display_unit is not distinct from sr.latest_unit
),
figures as (
    select sr.series_id, st.year_flag, st.std_value, st.file_id, st.source_cell,
           coalesce(st.unit, '') <> coalesce(sr.latest_unit, '') as converted
    from stats st
    join series sr on sr.park_name = st.park_name and sr.indicator_name = st.indicator_name and sr.family = st.family
),
lags as (
    -- the five figures before, with their years: every lag the rules below need, once each
    select *,
        {%- for k in range(1, 6) %}
        lag(year_flag, {{ k }}) over w as year_flag_{{ k }},
        lag(std_value, {{ k }}) over w as std_value_{{ k }}{{ ',' if not loop.last }}
        {%- endfor %}
    from figures
    window w as (partition by series_id order by year_flag)
),
exact as (
    -- the figures of exactly one, three and five years before, never across a gap: a lag k rows
    -- back is year t−n only if its year says so
    select f.*, l.converted, l.file_id, l.source_cell,
        l.year_flag // 2 as year,
        l.year_flag % 2 = 1 as is_preliminary,
        l.year_flag_1 // 2 as y1,
        l.std_value / f.display_factor as value,
        {%- for n, names in [(1, ('prev_value', 'prev_preliminary')), (3, ('value_3y', 'preliminary_3y')),
                             (5, ('value_5y', 'preliminary_5y'))] %}
        case {% for k in range(1, n + 1) %}when l.year_flag_{{ k }} // 2 = l.year_flag // 2 - {{ n }} then l.std_value_{{ k }} / f.display_factor {% endfor %}end as {{ names[0] }},
        case {% for k in range(1, n + 1) %}when l.year_flag_{{ k }} // 2 = l.year_flag // 2 - {{ n }} then l.year_flag_{{ k }} % 2 = 1 {% endfor %}end as {{ names[1] }}{{ ',' if not loop.last }}
        {%- endfor %}
    from lags l
    join series_facts f on f.series_id = l.series_id
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
    fl.source_file || '!' || fl.source_sheet || '!' || e.source_cell as source
from exact e
join files fl on fl.file_id = e.file_id
