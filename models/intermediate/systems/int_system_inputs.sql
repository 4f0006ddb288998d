{{ config(materialized='incremental', incremental_strategy='replace_parks', on_schema_change='sync_all_columns') }}
-- depends_on: {{ ref('changed_parks') }}
-- Rebuilt park by park (the parks this build changed).
-- The value of every component of every system for each park-year it assesses, in the component's
-- unit: from the form's rows, from the statistics (converted by the unit written), or derived from
-- other components (seed component_terms, e.g. CO2 from energy use and emission factors). A
-- reported total and a derived one are both kept (source 'reported' / 'derived').
with defs as (
    select * from {{ ref('int_system_component_defs') }}
),
py as (
    select * from {{ ref('int_system_park_years') }} where {{ changed_parks_only('park_name') }}
),
from_forms as (
    select f.system_code, f.park_name, f.year, f.component_code, f.component_label as label, f.ref_kind, f.ref_year,
           f.value_std as value, f.value_kind, f.value_text, cast(null as varchar) as remark, f.issue,
           'reported' as origin, f.source_file, f.source_sheet, f.source_cell
    from {{ ref('int_form_components_normalized') }} f
    where f.component_code is not null and {{ changed_parks_only('f.park_name') }}
),
stats as (
    select s.*, c.standard_unit, c.factor
    from {{ ref('int_statistics_current') }} s
    left join {{ ref('unit_conversions') }} c on c.unit = s.unit
    where s.indicator_name in (select label from defs where found_in = 'statistics') and {{ changed_parks_only('s.park_name') }}
),
from_statistics as (
    select d.system_code, py.park_name, py.year, d.component_code, d.label,
           case when s.year = py.year then 'current' else 'base' end as ref_kind, s.year as ref_year,
           case when s.value is null then null
                when coalesce(s.unit, '') = coalesce(d.unit, '') then s.value
                when s.standard_unit = cu.standard_unit then s.value * s.factor / cu.factor end as value,
           s.value_kind, s.value_text, s.note as remark,
           case when s.value is not null and coalesce(s.unit, '') <> coalesce(d.unit, '')
                     and (s.standard_unit is null or cu.standard_unit is null or s.standard_unit <> cu.standard_unit)
                then 'unit ' || coalesce(s.unit, '(none)') || ' cannot be converted to ' || d.unit end as issue,
           'reported' as origin, s.source_file, s.source_sheet, s.source_cell
    from defs d
    join py on py.system_code = d.system_code
    join stats s on s.indicator_name = d.label and s.park_name = py.park_name
                and (s.year = py.year or s.year = py.base_year)
    left join {{ ref('unit_conversions') }} cu on cu.unit = d.unit
    where d.found_in = 'statistics'
),
reported as (
    select * from from_forms
    union all by name
    select * from from_statistics
),
terms as (
    select t.*, d.label, d.unit from {{ ref('int_system_component_terms') }} t
    join defs d on d.system_code = t.system_code and d.component_code = t.component_code and d.found_in = 'derived'
),
derived as (
    -- computed only when every term is reported for the park-year
    select t.system_code, r.park_name, r.year, t.component_code, any_value(t.label) as label, r.ref_kind,
           any_value(r.ref_year) as ref_year,
           case when count(r.value) = (select count(*) from terms t2 where t2.system_code = t.system_code
                                       and t2.component_code = t.component_code)
                then sum(t.coefficient * r.value) end as value,
           'number' as value_kind, null as value_text, null as remark,
           case when count(r.value) < (select count(*) from terms t2 where t2.system_code = t.system_code
                                       and t2.component_code = t.component_code)
                then 'terms not all reported' end as issue,
           'derived' as origin, any_value(r.source_file) as source_file, any_value(r.source_sheet) as source_sheet,
           string_agg(r.source_cell, ',' order by r.source_cell) as source_cell
    from terms t
    join reported r on r.system_code = t.system_code and r.component_code = t.term
    group by t.system_code, r.park_name, r.year, t.component_code, r.ref_kind
)
select * from reported
union all by name
select * from derived where value is not null
