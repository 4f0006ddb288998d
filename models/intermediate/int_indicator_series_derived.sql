{{ config(materialized='incremental', incremental_strategy='replace_parks', on_schema_change='sync_all_columns') }}
-- depends_on: {{ ref('changed_parks') }}
-- Ratio indicators derived from yearly statistics (seed derived_indicators, method 'ratio'), e.g.
-- 单位面积GDP = 地区生产总值 / 行政区划面积. Components are converted to the units the definition names;
-- a component in a unit that cannot be converted makes the figure NULL with a note.
with defs as (
    select * from {{ ref('derived_indicators') }} where method = 'ratio'
),
stats as (
    select s.*, c.standard_unit, c.factor
    from {{ ref('int_statistics_current') }} s
    left join {{ ref('unit_conversions') }} c on c.unit = s.unit
    where {{ changed_parks_only('s.park_name') }}
),
conv as (
    select * from {{ ref('unit_conversions') }}
),
pairs as (
    select
        d.indicator_name, d.result_unit, d.multiplier, n.park_name, n.year,
        -- value in the unit the definition asks for: value × factor(written) / factor(wanted)
        case when n.unit = d.numerator_unit then n.value
             when n.standard_unit = cn.standard_unit then n.value * n.factor / cn.factor end as num,
        case when m.unit = d.denominator_unit then m.value
             when m.standard_unit = cd.standard_unit then m.value * m.factor / cd.factor end as den,
        n.unit as num_unit, m.unit as den_unit, d.numerator_unit, d.denominator_unit,
        n.is_preliminary or m.is_preliminary as is_preliminary,
        n.source_file || '!' || n.source_sheet || '!' || n.source_cell || ' / '
            || m.source_file || '!' || m.source_sheet || '!' || m.source_cell as derived_from
    from defs d
    join stats n on n.indicator_name = d.numerator
    join stats m on m.indicator_name = d.denominator and m.park_name = n.park_name and m.year = n.year
    left join conv cn on cn.unit = d.numerator_unit
    left join conv cd on cd.unit = d.denominator_unit
)
select
    park_name,
    year,
    indicator_name,
    result_unit as unit,
    multiplier * {{ safe_divide('num', 'den') }} as value,
    is_preliminary,
    nullif(concat_ws('; ',
        case when num is null then 'numerator unit ' || coalesce(num_unit, '(none)') || ' is not ' || numerator_unit end,
        case when den is null then 'denominator unit ' || coalesce(den_unit, '(none)') || ' is not ' || denominator_unit end,
        case when den = 0 then 'denominator is zero' end), '') as note,
    derived_from
from pairs
