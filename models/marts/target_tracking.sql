{{ config(materialized='incremental', incremental_strategy='replace_parks', on_schema_change='sync_all_columns') }}
-- depends_on: {{ ref('changed_parks') }}
-- Yearly targets judged on the year's statistics. Growth targets are judged on the reported growth
-- (row 'X增速' / 'X增长率' / 'X增长', comparable prices), never on a nominal recomputation: the
-- growth rows are recognised once, in int_statistics_current (growth_of). Rebuilt park by park.
with targets as (
    select * from {{ ref('int_targets_parsed') }} where {{ changed_parks_only('park_name') }}
),
stats as (
    -- the figures of the targets' own park-years and indicators, found by keys
    select s.*, c.standard_unit, c.factor
    from {{ ref('int_statistics_current') }} s
    join (select distinct park_name, year from targets) t on t.park_name = s.park_name and t.year = s.year
    left join {{ ref('unit_conversions') }} c on c.unit = s.unit
),
growth as (
    select park_name, year, growth_of as base_name,
           value, source_file || '!' || source_sheet || '!' || source_cell as source, is_preliminary
    from stats
    where growth_of is not null and value is not null
    qualify row_number() over (partition by park_name, year, growth_of order by indicator_name) = 1
),
actuals as (
    select t.*,
        case t.target_kind
            when 'growth' then g.value
            when 'relative' then g.value
            when 'level' then
                case when coalesce(s.unit, '') = coalesce(t.target_unit, '') then s.value
                     when s.standard_unit = ct.standard_unit then s.value * s.factor / ct.factor end
        end as actual_value,
        case t.target_kind when 'level' then s.source_file || '!' || s.source_sheet || '!' || s.source_cell
                           else g.source end as actual_source,
        case t.target_kind when 'level' then s.is_preliminary else g.is_preliminary end as actual_preliminary,
        t.target_kind = 'level' and s.value is not null and coalesce(s.unit, '') <> coalesce(t.target_unit, '')
            and (s.standard_unit is null or ct.standard_unit is null or s.standard_unit <> ct.standard_unit) as unit_mismatch,
        s.unit as actual_unit,
        rg.value as reference_growth
    from targets t
    left join growth g on g.park_name = t.park_name and g.year = t.year and g.base_name = t.indicator_name
    left join stats s on t.target_kind = 'level' and s.park_name = t.park_name and s.year = t.year
        and s.indicator_name = t.indicator_name
    left join {{ ref('unit_conversions') }} ct on ct.unit = t.target_unit
    left join growth rg on rg.park_name = t.park_name and rg.year = t.year and rg.base_name = t.reference_indicator
)
select
    park_name,
    year,
    indicator_name,
    target_text,
    target_kind,
    comparator,
    case when target_kind = 'relative' then reference_growth else target_value end as target_value,
    actual_value,
    case when target_kind = 'qualitative' then null
         when target_kind = 'relative' then {{ meets('actual_value', "'>='", 'reference_growth - ' ~ var('target_about_tolerance_pp')) }}
         else {{ meets('actual_value', 'comparator', 'target_value', var('target_about_tolerance_pp')) }}
    end as met,
    nullif(concat_ws('; ',
        case when target_kind = 'qualitative' then 'qualitative target: published, not judged' end,
        case when target_kind = 'growth' and actual_value is null
             then 'no reported growth row for ' || indicator_name || ' in ' || year end,
        case when target_kind = 'level' and unit_mismatch
             then 'unit mismatch: target in ' || coalesce(target_unit, '(none)') || ', statistics in ' || coalesce(actual_unit, '(none)') || ': not compared' end,
        case when target_kind = 'level' and actual_value is null and not coalesce(unit_mismatch, false)
             then 'no ' || year || ' figure for ' || indicator_name end,
        case when target_kind = 'relative' and reference_indicator is null then 'reference of the relative target not recognised (seed target_references)' end,
        case when target_kind = 'relative' then 'judged against ' || coalesce(reference_indicator, '?') || ' growth' || coalesce(' ' || reference_growth || '%', ' (not reported)') || ', met within −' || {{ var('target_about_tolerance_pp') }} || ' pp' end,
        case when target_kind = 'relative' and actual_value is null then 'no reported growth for ' || indicator_name || ' in ' || year end,
        case when comparator = '≈' then 'about: within ±' || {{ var('target_about_tolerance_pp') }} || ' pp' end,
        case when actual_preliminary then 'actual is preliminary' end
    ), '') as note,
    target_unit,
    reference_indicator,
    actual_source,
    source_file,
    source_sheet,
    source_cell
from actuals
