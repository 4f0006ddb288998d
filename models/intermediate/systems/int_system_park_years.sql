-- The park-years each system assesses, with what the rules need to know about the park: systems
-- found in forms assess the park-years of the current forms; systems found in statistics assess
-- every park-year that reports one of their components. The base year is the form's 规划基准年,
-- else the registry's planning base year. A system with a version in force (verdict rule
-- in_force_years) judges only the data years of its version: a park-year is judged by the version in
-- force for it, and a new version never rewrites an old verdict.
with form_systems as (
    select distinct system_code from {{ ref('int_system_component_defs') }} where found_in = 'form'
),
stat_labels as (
    select distinct system_code, label from {{ ref('int_system_component_defs') }} where found_in = 'statistics'
),
stat_park_years as (
    select distinct l.system_code, s.park_name, s.year
    from stat_labels l
    join {{ ref('int_statistics_current') }} s on s.indicator_name = l.label
),
all_park_years as (
    select s.system_code, py.park_name, py.year, py.base_year, py.base_year_source, py.region_class,
           py.dominant_industry, py.source_file, py.source_sheet
    from form_systems s
    cross join {{ ref('int_eip_park_years') }} py
    union all
    select p.system_code, p.park_name, p.year, r.planning_base_year as base_year,
           case when r.planning_base_year is not null then 'park_registry' end as base_year_source,
           r.region_class, nullif(trim(r.dominant_industry), '') as dominant_industry,
           null as source_file, null as source_sheet
    from stat_park_years p
    left join {{ ref('int_park_registry') }} r on r.park_name = p.park_name
    where p.system_code not in (select system_code from form_systems)
)
select a.*
from all_park_years a
join {{ ref('int_system_rules') }} v on v.system_code = a.system_code
where a.year >= coalesce(v.in_force_from, a.year) and a.year <= coalesce(v.in_force_to, a.year)
